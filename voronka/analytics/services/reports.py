"""Report writes: saved reports, sharing, weekly subscriptions and exports (audited, under the export quota)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.models import Team
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ConflictError, NotFoundError, ThrottledError
from voronka.core.models import AuditEntry
from voronka.crm.exporting import export_rows
from voronka.crm.listing import QUOTA_ACTIONS, QUOTA_LIMIT, QUOTA_WINDOW

from ..models import ReportSubscription, SavedReport, Weekday
from ..report_spec import ReportSpec
from ..report_table import export_table
from ..selectors.reports import local_today, report_run_for, shareable_teams, visible_reports

EXPORT_ACTION = "analytics.report.export"
EXPORT_FORMATS = ("csv", "xlsx")
# Report exports share the per-user export quota of the CRM lists (SECURITY.md R9).
EXPORT_QUOTA_ACTIONS = (*QUOTA_ACTIONS, EXPORT_ACTION)


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(_("Check the highlighted fields."), fields={field: [message]})


def _clean_name(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise _refuse("name", _("Name the report."))
    if any(ord(char) < 32 for char in name):  # the name is an email subject (R12): no CR, LF or NUL
        raise _refuse("name", _("The name may not contain line breaks or control characters."))
    if len(name) > 120:
        raise _refuse("name", _("At most %(n)d characters.") % {"n": 120})
    return name


def _clean_team(actor: Actor, team: Team | None) -> Team | None:
    if team is None:
        return None
    if not actor.can(Capability.DASHBOARDS_SHARE):
        raise _refuse("team", _("You may not share reports."))
    ensure_same_workspace(actor, team)
    if not shareable_teams(actor).filter(pk=team.pk).exists():
        raise _refuse("team", _("You can share only with your own team or a team below it."))
    return team


def _check_spec(actor: Actor, spec: ReportSpec) -> None:
    """A report is saved only when the catalogue accepts it today (MetricQueryError names the field)."""
    spec.query(local_today(actor.workspace))


def _save(report: SavedReport) -> None:
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:
        raise _refuse("name", _("You already have a report with this name.")) from error


@transaction.atomic
def saved_report_create(*, actor: Actor, name: Any, spec: ReportSpec, team: Team | None = None) -> SavedReport:
    """Save the builder's query under a name, private or shared with a team."""
    actor.require(Capability.ANALYTICS_VIEW)
    _check_spec(actor, spec)
    report = SavedReport(workspace=actor.workspace, owner=actor.user, name=_clean_name(name),
                         team=_clean_team(actor, team), spec=spec.as_json())
    _save(report)
    audit_record(action="analytics.report.create", actor=actor.user, target=report,
                 diff={"name": report.name, "team": report.team_id})
    return report


@transaction.atomic
def saved_report_update(*, actor: Actor, report: SavedReport, name: Any, spec: ReportSpec | None = None,
                        team: Team | None = None, version: int | None = None) -> SavedReport:
    """Rename, reshare or replace the query of the actor's own report (a stale version is a 409)."""
    actor.require(Capability.ANALYTICS_VIEW)
    ensure_same_workspace(actor, report)
    if report.owner_id != actor.user.pk:
        raise NotFoundError()
    clean_name = _clean_name(name)
    clean_team = _clean_team(actor, team)
    if spec is not None:
        _check_spec(actor, spec)
    changes: dict[str, Any] = {"name": clean_name, "team": clean_team}
    if spec is not None:
        changes["spec"] = spec.as_json()
    expected = report.version if version is None else version
    try:
        with transaction.atomic():
            updated = SavedReport.objects.filter(pk=report.pk, version=expected).update(
                version=F("version") + 1, updated_at=timezone.now(), **changes)
    except IntegrityError as error:
        raise _refuse("name", _("You already have a report with this name.")) from error
    if not updated:
        raise ConflictError()
    diff = {"name": [report.name, clean_name], "team": [report.team_id, clean_team.pk if clean_team else None]}
    if spec is not None and changes["spec"] != report.spec:
        diff["spec"] = [report.spec, changes["spec"]]
    audit_record(action="analytics.report.update", actor=actor.user, target=report, diff=diff)
    # Subscribers who no longer see it are skipped at send time (services/report_mail.py).
    report.refresh_from_db()
    return report


@transaction.atomic
def saved_report_delete(*, actor: Actor, report: SavedReport) -> None:
    actor.require(Capability.ANALYTICS_VIEW)
    ensure_same_workspace(actor, report)
    if report.owner_id != actor.user.pk:
        raise NotFoundError()
    audit_record(action="analytics.report.delete", actor=actor.user, target=report, diff={"name": report.name})
    report.delete()


@transaction.atomic
def report_subscribe(*, actor: Actor, report: SavedReport, weekday: Any) -> ReportSubscription:
    """Receive the report by email every week on `weekday` (0 = Monday); subscribing again moves the day."""
    actor.require(Capability.REPORTS_SCHEDULE)
    ensure_same_workspace(actor, report)
    if not visible_reports(actor).filter(pk=report.pk).exists():
        raise NotFoundError()
    try:
        day = int(weekday)
    except (TypeError, ValueError):
        raise _refuse("weekday", _("Choose a day of the week.")) from None
    if day not in Weekday.values:
        raise _refuse("weekday", _("Choose a day of the week."))
    subscription, created = ReportSubscription.objects.get_or_create(
        workspace=actor.workspace, report=report, user=actor.user, defaults={"weekday": day})
    if not created and subscription.weekday != day:
        ReportSubscription.objects.filter(pk=subscription.pk).update(weekday=day, updated_at=timezone.now())
        subscription.weekday = day
    audit_record(action="analytics.report.subscribe", actor=actor.user, target=report, diff={"weekday": day})
    return subscription


@transaction.atomic
def report_unsubscribe(*, actor: Actor, report: SavedReport) -> bool:
    ensure_same_workspace(actor, report)
    deleted, _rows = ReportSubscription.objects.filter(workspace_id=actor.workspace.pk, report=report,
                                                       user_id=actor.user.pk).delete()
    if deleted:
        audit_record(action="analytics.report.unsubscribe", actor=actor.user, target=report)
    return bool(deleted)


# --- exports -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    rows: int


def export_bytes(*, headers: list[str], rows: list[list[Any]], fmt: str) -> tuple[bytes, str, str]:
    """crm's spreadsheet-safe writers (R13): formula-like text cells get a leading apostrophe."""
    content, content_type, ext = export_rows(rows=rows, headers=headers, fmt=fmt)
    if not isinstance(content, bytes):
        content = b"".join(content)
    return content, content_type, ext


def _quota_check(actor: Actor) -> None:
    since = timezone.now() - QUOTA_WINDOW
    used = AuditEntry.objects.filter(actor_id=actor.user.pk, action__in=EXPORT_QUOTA_ACTIONS,
                                     created_at__gte=since).count()
    if used >= QUOTA_LIMIT:
        raise ThrottledError(
            _("You ran %(limit)d exports or bulk actions in the last %(minutes)d minutes. Wait a little and retry.")
            % {"limit": QUOTA_LIMIT, "minutes": int(QUOTA_WINDOW.total_seconds() // 60)}
        )


@transaction.atomic
def report_export(*, actor: Actor, spec: ReportSpec, fmt: str, now: dt.datetime | None = None) -> ExportFile:
    """The report's rows as CSV or XLSX, the numbers the actor may see; audited and counted in the quota."""
    actor.require(Capability.ANALYTICS_VIEW)
    if fmt not in EXPORT_FORMATS:
        raise _refuse("fmt", _("Choose CSV or XLSX."))
    _quota_check(actor)
    run = report_run_for(actor=actor, spec=spec, now=now)
    headers, rows = export_table(run.result, currency=actor.workspace.currency)
    content, content_type, ext = export_bytes(headers=headers, rows=rows, fmt=fmt)
    audit_record(action=EXPORT_ACTION, actor=actor.user, workspace_id=actor.workspace.pk,
                 diff={"format": fmt, "rows": len(rows), "spec": spec.as_json()})
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M")
    return ExportFile(content=content, content_type=content_type, filename=f"report-{stamp}.{ext}", rows=len(rows))
