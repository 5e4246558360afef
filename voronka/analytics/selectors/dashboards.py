"""Reads for the dashboard pages: the dashboards a user sees, a default layout, the filter choices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from voronka.accounts.actor import Actor
from voronka.accounts.selectors import membership_list, team_list
from voronka.channels.models import SalesChannel
from voronka.crm.models import Pipeline

from ..dashboard_access import team_parents, visible_dashboards
from ..models import Dashboard, DashboardWidget
from ..services.dashboards import DEFAULT_WIDGETS, dashboard_default_name, default_filters


def dashboard_list(*, actor: Actor) -> QuerySet[Dashboard]:
    """The actor's own dashboards and the ones shared with them, own first."""
    return visible_dashboards(actor).select_related("owner", "shared_team").order_by("name", "id")


def dashboard_widgets(*, dashboard: Dashboard) -> list[DashboardWidget]:
    return list(DashboardWidget.objects.filter(dashboard=dashboard).order_by("position", "id"))


def dashboard_default(*, actor: Actor, kind: str) -> tuple[Dashboard, list[Any]]:
    """The actor's saved company/team/personal dashboard with its widgets, else the unsaved default layout."""
    saved = (Dashboard.objects.filter(workspace_id=actor.workspace.pk, owner_id=actor.user.pk, kind=kind)
             .select_related("owner", "shared_team")
             .prefetch_related(Prefetch("widgets", queryset=DashboardWidget.objects.order_by("position", "id")))
             .first())
    if saved is not None:
        return saved, list(saved.widgets.all())
    unsaved = Dashboard(workspace=actor.workspace, owner=actor.user, kind=kind, name=dashboard_default_name(kind),
                        filters=default_filters(actor, kind))
    widgets = [DashboardWidget(position=index, metric=spec.metric, chart=spec.chart, slice=spec.slice)
               for index, spec in enumerate(DEFAULT_WIDGETS[kind])]
    return unsaved, widgets


@dataclass(frozen=True)
class FilterChoices:
    teams: list[tuple[int, str]]
    owners: list[tuple[int, str]]
    channels: list[tuple[int, str]]
    pipelines: list[tuple[int, str]]
    team_parents: dict[int, int | None]

    def as_dict(self) -> dict[str, list[tuple[int, str]]]:
        return {"team": self.teams, "owner": self.owners, "channel": self.channels, "pipeline": self.pipelines}


def filter_choices(*, actor: Actor) -> FilterChoices:
    """What the filter bar offers: the workspace's teams, members, sales channels and pipelines."""
    teams = list(team_list(actor=actor))
    return FilterChoices(
        teams=[(team.pk, team.name) for team in teams],
        owners=[(m.user_id, m.user.display_name) for m in membership_list(actor=actor)],
        channels=list(SalesChannel.objects.filter(workspace_id=actor.workspace.pk).order_by("name", "id")
                      .values_list("pk", "name")),
        pipelines=list(Pipeline.objects.filter(workspace_id=actor.workspace.pk).order_by("order", "id")
                       .values_list("pk", "name")),
        team_parents={team.pk: team.parent_id for team in teams},
    )


def teams_below(parents: Mapping[int, int | None], team_ids: Iterable[int]) -> list[int]:
    """The teams and every team below them: a team filter covers its whole subtree."""
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(team_id)
    found: set[int] = set()
    stack = [team_id for team_id in team_ids if team_id in parents]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return sorted(found)


def engine_filters(filters: Mapping[str, Sequence[Any]], parents: Mapping[int, int | None] | None = None,
                   *, actor: Actor | None = None) -> dict[str, list[Any]]:
    """Dashboard filters as the engine takes them: a team stands for its subtree."""
    result = {key: list(values) for key, values in filters.items() if values}
    if "team" in result:
        if parents is None:
            assert actor is not None  # noqa: S101
            parents = team_parents(actor.workspace.pk)
        # A team that no longer exists matches nothing (never everything).
        result["team"] = teams_below(parents, [int(v) for v in result["team"]]) or [0]
    return result
