"""analytics reports, the channel comparison, and the channel catalogue in the page route matrix."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from conftest import Org
from voronka.analytics.models import SavedReport
from voronka.channels.models import SalesChannel

from .page_route import ALL, PageRoute

SPEC = {"metrics": ["revenue"], "slices": ["channel"], "granularity": "total", "period": "last_quarter",
        "filters": {}}
OWNER = frozenset({"manager"})
SUBSCRIBERS = frozenset({"admin", "manager"})  # REPORTS_SCHEDULE and the report is visible
READERS = frozenset({"admin", "manager", "rep"})  # the owner, Sales below it (North), admins (shared)
MANAGERS = frozenset({"admin"})  # CHANNELS_MANAGE


def _report(org: Org) -> SavedReport:
    """A manager's report shared with Sales: the rep in North reads it, the marketer (no team) does not."""
    found = SavedReport.unscoped.filter(workspace=org.workspace, name="Matrix report").first()
    return found or SavedReport.unscoped.create(workspace=org.workspace, owner=org.manager, name="Matrix report",
                                                team=org.sales, spec=SPEC)


def _any_report_id(org: Org) -> int:
    """For POST-only routes (read after the matrix's snapshot): must not create anything."""
    return SavedReport.unscoped.filter(workspace=org.workspace).values_list("pk", flat=True).first() or 1


def _channel(org: Org) -> SalesChannel:
    found = SalesChannel.unscoped.filter(workspace=org.workspace, name="Matrix channel").first()
    return found or SalesChannel.unscoped.create(workspace=org.workspace, name="Matrix channel")


PAGES: dict[str, PageRoute] = {
    "analytics:reports": PageRoute(),
    "analytics:report-export": PageRoute(post_only=True),
    "analytics:report-save": PageRoute(post_only=True),
    "analytics:reports-saved": PageRoute(),
    "analytics:report-detail": PageRoute(kwargs=lambda org: {"report_id": _report(org).pk}, get_roles=READERS,
                                         foreign=lambda org: {"report_id": _report(org).pk}),
    "analytics:report-update": PageRoute(kwargs=lambda org: {"report_id": _report(org).pk}, get_roles=OWNER,
                                         post_only=True, foreign=lambda org: {"report_id": _report(org).pk}),
    "analytics:report-delete": PageRoute(kwargs=lambda org: {"report_id": _report(org).pk}, get_roles=OWNER,
                                         foreign=lambda org: {"report_id": _report(org).pk}),
    "analytics:report-subscribe": PageRoute(kwargs=lambda org: {"report_id": _report(org).pk},
                                            get_roles=SUBSCRIBERS, foreign=lambda org: {"report_id": _report(org).pk}),
    "analytics:report-unsubscribe": PageRoute(kwargs=lambda org: {"report_id": _report(org).pk}, get_roles=READERS,
                                              post_only=True, foreign=lambda org: {"report_id": _report(org).pk}),
    "analytics:channels": PageRoute(get_roles=ALL),
}


def _catalogue_mounted() -> bool:
    try:
        reverse("channels:list")
    except NoReverseMatch:
        return False
    return True


# The channel catalogue joins the matrix once config/urls.py mounts voronka.channels.urls at /channels/
# (until then its own tests mount it; voronka/channels/tests/test_views.py).
if _catalogue_mounted():
    PAGES.update({
        "channels:list": PageRoute(),
        "channels:create": PageRoute(get_roles=MANAGERS),
        "channels:edit": PageRoute(kwargs=lambda org: {"channel_id": _channel(org).pk}, get_roles=MANAGERS,
                                   foreign=lambda org: {"channel_id": _channel(org).pk}),
        "channels:deactivate": PageRoute(kwargs=lambda org: {"channel_id": _channel(org).pk}, get_roles=MANAGERS,
                                         foreign=lambda org: {"channel_id": _channel(org).pk}),
        "channels:activate": PageRoute(kwargs=lambda org: {"channel_id": _channel(org).pk}, get_roles=MANAGERS,
                                       post_only=True, foreign=lambda org: {"channel_id": _channel(org).pk}),
    })
