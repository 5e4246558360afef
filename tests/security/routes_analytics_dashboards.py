"""analytics dashboards and the drill-down page in the page route matrix."""

from __future__ import annotations

from conftest import Org
from voronka.analytics.models import Dashboard, DashboardKind

from .page_route import PageRoute

# The admin's dashboard, shared with Sales: the admin owns it; the manager (Sales) and the reps
# (North and South are below Sales) see it read-only; the marketer is in no team and does not.
VIEWERS = frozenset({"admin", "manager", "rep"})
OWNER = frozenset({"admin"})


def _dashboard(org: Org) -> Dashboard:
    found = Dashboard.unscoped.filter(workspace=org.workspace, owner=org.admin, name="Matrix dashboard").first()
    return found or Dashboard.unscoped.create(workspace=org.workspace, owner=org.admin, kind=DashboardKind.CUSTOM,
                                              name="Matrix dashboard", shared_team=org.sales)


def _any_dashboard_id(org: Org) -> int:
    """For POST-only routes: must not create anything after the matrix took its snapshot of row counts."""
    return Dashboard.unscoped.filter(workspace=org.workspace).values_list("pk", flat=True).first() or 1


PAGES: dict[str, PageRoute] = {
    "analytics:dashboards": PageRoute(),
    "analytics:dashboard-team": PageRoute(),
    "analytics:dashboard-personal": PageRoute(),
    "analytics:dashboard-list": PageRoute(),
    "analytics:dashboard-create": PageRoute(),
    "analytics:dashboard-customise": PageRoute(kwargs=lambda org: {"kind": "company"}, post_only=True),
    "analytics:dashboard-detail": PageRoute(get_roles=VIEWERS, kwargs=lambda org: {"dashboard_id": _dashboard(org).pk},
                                            foreign=lambda org: {"dashboard_id": _dashboard(org).pk}),
    "analytics:dashboard-edit": PageRoute(get_roles=OWNER, kwargs=lambda org: {"dashboard_id": _dashboard(org).pk},
                                          foreign=lambda org: {"dashboard_id": _dashboard(org).pk}),
    "analytics:dashboard-share": PageRoute(get_roles=OWNER, post_only=True,
                                           kwargs=lambda org: {"dashboard_id": _any_dashboard_id(org)},
                                           foreign=lambda org: {"dashboard_id": _dashboard(org).pk}),
    "analytics:dashboard-delete": PageRoute(get_roles=OWNER, kwargs=lambda org: {"dashboard_id": _dashboard(org).pk},
                                            foreign=lambda org: {"dashboard_id": _dashboard(org).pk}),
    "analytics:drill": PageRoute(),
    "analytics:plotly-css": PageRoute(public=True),
}
