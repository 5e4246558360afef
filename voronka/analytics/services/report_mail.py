"""Weekly report emails: which subscriptions are due, and sending one exactly once per week.

A subscription is due on its weekday (in the workspace's time zone) from the week it was made;
one missed because no worker ran goes out at the next run, once. The send first claims its
scheduled date with a conditional UPDATE (`last_sent_on` older than the date → the date), which
commits before the message is handed to SMTP: a second worker, or the same job run twice, finds
nothing to claim. If SMTP refuses, the claim is given back so the next run retries.

The numbers are the subscriber's: the engine runs with the subscriber's Viewer, in their language.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, actor_for
from voronka.accounts.models import User, Workspace
from voronka.accounts.roles import Capability
from voronka.core.scoping import workspace_scope
from voronka.metrics.spec import MetricQuery, MetricQueryError

from ..models import ReportSubscription, SavedReport
from ..report_spec import ReportSpec
from ..report_table import Table, export_table, table_from_result
from ..selectors.reports import report_run_for, visible_reports
from .reports import export_bytes

logger = logging.getLogger(__name__)
EMAIL_ROWS = 25


def due_date(weekday: int, today: dt.date) -> dt.date:
    """The latest date on or before `today` that falls on `weekday` (0 = Monday)."""
    return today - dt.timedelta(days=(today.weekday() - weekday) % 7)


def _local(moment: dt.datetime, workspace: Workspace) -> dt.date:
    return moment.astimezone(ZoneInfo(workspace.time_zone)).date()


def _is_due(subscription: ReportSubscription, now: dt.datetime) -> dt.date | None:
    """The scheduled date this subscription should be sent for now, or None."""
    workspace = subscription.workspace
    scheduled = due_date(subscription.weekday, _local(now, workspace))
    if scheduled < _local(subscription.created_at, workspace):
        return None  # the first send is on the first weekday after subscribing (or that very day)
    if subscription.last_sent_on is not None and subscription.last_sent_on >= scheduled:
        return None
    return scheduled


def report_subscriptions_due(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of the subscriptions due now, across workspaces (a scheduler job, no request)."""
    now = now or timezone.now()
    # No workspace is more than a day ahead of UTC: anything sent for a later date than this is not due.
    horizon = now.date() + dt.timedelta(days=1)
    candidates = (ReportSubscription.unscoped.filter(workspace__is_active=True)
                  .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=horizon))
                  .select_related("workspace").order_by("id"))
    return [s.pk for s in candidates if _is_due(s, now) is not None]


def _language(user: User, workspace: Workspace) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (user.language, workspace.language, settings.LANGUAGE_CODE):
        if candidate and candidate[:2] in codes:
            return candidate[:2]
    return settings.LANGUAGE_CODE


@dataclass(frozen=True)
class SendOutcome:
    status: str  # sent | not_due | skipped | invalid | missing
    subscription_id: int


def report_subscription_send(*, subscription_id: int, now: dt.datetime | None = None) -> SendOutcome:
    """Send one subscription's weekly email if it is due; safe to run twice or on two workers at once."""
    now = now or timezone.now()
    subscription = (ReportSubscription.unscoped.select_related("workspace", "report", "user")
                    .filter(pk=subscription_id).first())
    if subscription is None or not subscription.workspace.is_active:
        return SendOutcome("missing", subscription_id)
    scheduled = _is_due(subscription, now)
    if scheduled is None:
        return SendOutcome("not_due", subscription_id)
    with workspace_scope(subscription.workspace):
        actor = actor_for(user=subscription.user, workspace_id=subscription.workspace_id)
        if (actor is None or not actor.can(Capability.REPORTS_SCHEDULE)
                or not visible_reports(actor).filter(pk=subscription.report_id).exists()):
            return SendOutcome("skipped", subscription_id)
        language = _language(subscription.user, subscription.workspace)
        with translation.override(language):
            try:
                message = _message(subscription, actor=actor, now=now)
            except MetricQueryError as error:
                logger.warning("report %s cannot run: %s", subscription.report_id, error.code)
                return SendOutcome("invalid", subscription_id)
        claimed = (ReportSubscription.unscoped.filter(pk=subscription.pk)
                   .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=scheduled))
                   .update(last_sent_on=scheduled, last_sent_at=now))
        if not claimed:
            return SendOutcome("not_due", subscription_id)
        try:
            message.send(fail_silently=False)
        except Exception:
            # Give the week back (only if it is still ours) so the next run retries it.
            ReportSubscription.unscoped.filter(pk=subscription.pk, last_sent_on=scheduled, last_sent_at=now).update(
                last_sent_on=subscription.last_sent_on, last_sent_at=subscription.last_sent_at)
            raise
    return SendOutcome("sent", subscription_id)


def _body(*, report: SavedReport, query: MetricQuery, table: Table, url: str, saved_url: str) -> str:
    """The plain-text body (built here, not by a template: plain text must not be HTML-escaped)."""
    period = _("Period: %(start)s – %(end)s") % {"start": date_format(query.date_from, "SHORT_DATE_FORMAT"),
                                                  "end": date_format(query.date_to, "SHORT_DATE_FORMAT")}
    lines = [_("Your weekly report “%(name)s”") % {"name": report.name}, period, "",
             " | ".join(column.label for column in table.columns)]
    lines += [" | ".join(cell.text for cell in row) for row in table.rows]
    if not table.rows:
        lines.append(_("No data for this period."))
    if table.truncated:
        lines.append(_("The first %(shown)d of %(total)d rows; the attachments have them all.")
                     % {"shown": len(table.rows), "total": table.total_rows})
    lines += ["", _("The full table is attached as CSV and XLSX."), _("Open the report: %(url)s") % {"url": url},
              _("To stop these emails, press “Stop emails” on the report's page, or see your reports: %(url)s")
              % {"url": saved_url}]
    return "\n".join(lines) + "\n"


def _message(subscription: ReportSubscription, *, actor: Actor, now: dt.datetime) -> EmailMessage:
    report = subscription.report
    spec = ReportSpec.from_json(report.spec)
    run = report_run_for(actor=actor, spec=spec, now=now)
    currency = actor.workspace.currency
    table = table_from_result(run.result, currency=currency, limit=EMAIL_ROWS)
    headers, rows = export_table(run.result, currency=currency)
    stamp = run.query.date_to.isoformat()
    attachments = []
    for fmt in ("csv", "xlsx"):
        content, content_type, ext = export_bytes(headers=headers, rows=rows, fmt=fmt)
        attachments.append((f"report-{report.pk}-{stamp}.{ext}", content, content_type.split(";")[0]))
    body = _body(report=report, query=run.query, table=table,
                 url=settings.SITE_URL + reverse("analytics:report-detail", args=[report.pk]),
                 saved_url=settings.SITE_URL + reverse("analytics:reports-saved"))
    message = EmailMessage(subject=_("Weekly report: %(name)s") % {"name": report.name}, body=body,
                           to=[subscription.user.email])
    for filename, content, content_type in attachments:
        message.attach(filename, content, content_type)
    return message
