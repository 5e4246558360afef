"""Reading reports: which saved reports an actor sees, and running a report through the metric engine.

A saved report is seen by its owner, by the members of the team it is shared with and of the
teams below it, and (shared ones) by admins: the same rule as dashboards (dashboard_access.py).
Whoever opens or receives it gets the numbers of their own visibility: the engine's Scope is the
reader's, never the owner's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor
from voronka.accounts.models import Team, Workspace
from voronka.accounts.roles import Capability
from voronka.core.access import get_or_not_found
from voronka.core.errors import PermissionDeniedError
from voronka.metrics.engine import MetricResult, Scope, metric_query_run
from voronka.metrics.selectors import scope_for
from voronka.metrics.spec import MetricQuery

from ..dashboard_access import team_and_above, team_parents
from ..models import ReportSubscription, SavedReport
from ..report_spec import ReportSpec


def local_today(workspace: Workspace, now: dt.datetime | None = None) -> dt.date:
    """Today in the workspace's time zone: what "last quarter" is counted from."""
    return (now or timezone.now()).astimezone(ZoneInfo(workspace.time_zone)).date()


def visible_reports(actor: Actor) -> QuerySet[SavedReport]:
    condition = Q(owner_id=actor.user.pk)
    if actor.is_admin:
        condition |= Q(team__isnull=False)
    elif actor.membership.team_id:
        shared_with = team_and_above(team_parents(actor.workspace.pk), actor.membership.team_id)
        condition |= Q(team_id__in=sorted(shared_with))
    return SavedReport.objects.filter(workspace_id=actor.workspace.pk).filter(condition)


def access_report(*, actor: Actor, report_id: Any) -> SavedReport:
    return get_or_not_found(visible_reports(actor).select_related("owner", "team"), report_id)


def access_report_for_update(*, actor: Actor, report_id: Any) -> SavedReport:
    """The actor's own report, locked; one shared with them is read-only (403)."""
    report = get_or_not_found(visible_reports(actor).select_for_update(of=("self",)), report_id)
    if report.owner_id != actor.user.pk:
        raise PermissionDeniedError(_("This report was shared with you; only its owner can change it."))
    return report


def saved_report_list(actor: Actor) -> QuerySet[SavedReport]:
    """The reports the actor sees, with the actor's own subscription prefetched (one query for all)."""
    mine = ReportSubscription.objects.filter(workspace_id=actor.workspace.pk, user_id=actor.user.pk)
    return (visible_reports(actor).select_related("owner", "team")
            .prefetch_related(Prefetch("subscriptions", queryset=mine, to_attr="my_subscriptions"))
            .order_by("name", "id"))


def subscription_for(*, actor: Actor, report: SavedReport) -> ReportSubscription | None:
    return ReportSubscription.objects.filter(workspace_id=actor.workspace.pk, report=report,
                                             user_id=actor.user.pk).first()


def shareable_teams(actor: Actor) -> QuerySet[Team]:
    """Teams the actor may share a report with: any (admins), else their own team and the teams below it."""
    teams = Team.objects.filter(workspace_id=actor.workspace.pk).order_by("name")
    if not actor.can(Capability.DASHBOARDS_SHARE):
        return teams.none()
    if actor.is_admin:
        return teams
    allowed = set(actor.viewer.team_ids)
    if actor.membership.team_id:
        allowed.add(actor.membership.team_id)
    return teams.filter(pk__in=sorted(allowed))


@dataclass(frozen=True)
class ReportRun:
    spec: ReportSpec
    query: MetricQuery
    result: MetricResult


def report_run(*, scope: Scope, spec: ReportSpec, today: dt.date) -> ReportRun:
    """Run a report for a scope (a user at the page, or a subscriber at send time); MetricQueryError on bad specs."""
    query = spec.query(today)
    return ReportRun(spec=spec, query=query, result=metric_query_run(scope=scope, query=query))


def report_run_for(*, actor: Actor, spec: ReportSpec, now: dt.datetime | None = None) -> ReportRun:
    return report_run(scope=scope_for(actor, now=now), spec=spec, today=local_today(actor.workspace, now))
