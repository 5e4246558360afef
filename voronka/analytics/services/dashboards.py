"""Dashboards: the default layouts, checking widgets against the metric catalogue, save, share, delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.models import Membership, Team
from voronka.accounts.roles import Capability
from voronka.channels.models import SalesChannel
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from voronka.crm.models import Pipeline
from voronka.metrics.catalogue import Unit, metric_get
from voronka.metrics.spec import MetricQueryError, metric_query_build

from ..dashboard_range import MAX_RANGE_DAYS
from ..models import ChartType, Dashboard, DashboardKind, DashboardWidget, RangePreset

NAME_MAX = 100
MAX_WIDGETS = 30
FILTER_KEYS = ("team", "owner", "channel", "pipeline")
MAX_FILTER_VALUES = 50
DEFAULT_NAMES: dict[str, Any] = {
    DashboardKind.COMPANY: gettext_lazy("Company dashboard"),
    DashboardKind.TEAM: gettext_lazy("Team dashboard"),
    DashboardKind.PERSONAL: gettext_lazy("My dashboard"),
}
# A sample period for checking a widget: the catalogue decides what fits, not the dates.
_SAMPLE = (dt.date(2000, 1, 1), dt.date(2000, 12, 31))
_QUERY_FIELD = {"metrics": "metric", "slices": "slice", "filters": "slice", "granularity": "chart"}


@dataclass(frozen=True)
class WidgetSpec:
    """What a widget shows: a catalogue metric, as a chart type, broken down by a slice (or not)."""

    metric: str
    chart: str
    slice: str = ""


_TILES = [WidgetSpec(key, ChartType.TILE) for key in
          ("revenue", "deals_won", "win_rate", "average_check", "pipeline_value", "activities_done")]
_OVER_TIME = WidgetSpec("revenue", ChartType.LINE)
_BY_CHANNEL = WidgetSpec("revenue", ChartType.BAR, "channel")
_FUNNEL = WidgetSpec("stage_conversion", ChartType.FUNNEL, "stage")
DEFAULT_WIDGETS: dict[str, tuple[WidgetSpec, ...]] = {
    DashboardKind.COMPANY: (*_TILES, _OVER_TIME, _BY_CHANNEL, WidgetSpec("revenue", ChartType.BAR, "owner"), _FUNNEL),
    DashboardKind.TEAM: (*_TILES, _OVER_TIME, _BY_CHANNEL, WidgetSpec("revenue", ChartType.BAR, "owner"), _FUNNEL),
    DashboardKind.PERSONAL: (*_TILES, _OVER_TIME, _BY_CHANNEL, WidgetSpec("activities_done", ChartType.BAR,
                                                                        "activity_type"), _FUNNEL),
    DashboardKind.CUSTOM: (),
}


def default_filters(actor: Actor, kind: str) -> dict[str, list[int]]:
    if kind == DashboardKind.TEAM and actor.membership.team_id:
        return {"team": [actor.membership.team_id]}
    if kind == DashboardKind.PERSONAL:
        return {"owner": [actor.user.pk]}
    return {}


def _field_error(field: str, message: Any) -> ApplicationError:
    return ApplicationError(message, fields={field: [str(message)]})


def widget_check(spec: WidgetSpec) -> WidgetSpec:
    """The widget as it will be saved (a funnel is always by stage), or an error naming the field."""
    if spec.chart not in ChartType.values:
        raise _field_error("chart", _("Choose a chart type."))
    metric = metric_get(spec.metric)
    if metric is None:
        raise _field_error("metric", _("Choose a metric from the catalogue."))
    slice_key = spec.slice or ""
    granularity = "total"
    if spec.chart == ChartType.TILE:
        if slice_key:
            raise _field_error("slice", _("A tile shows one number: leave the breakdown empty, or choose a chart."))
    elif spec.chart == ChartType.FUNNEL:
        if slice_key not in ("", "stage") or "stage" not in metric.slices or metric.unit is not Unit.RATIO:
            raise _field_error("chart", _("A funnel shows a conversion by stage: choose Stage conversion."))
        slice_key = "stage"
    elif spec.chart == ChartType.LINE or not slice_key:
        granularity = "month"  # over time
    try:
        metric_query_build(metrics=[metric.key], date_from=_SAMPLE[0], date_to=_SAMPLE[1],
                           slices=[slice_key] if slice_key else [], granularity=granularity)
    except MetricQueryError as error:
        field = next(iter(error.fields), "metrics")
        raise _field_error(_QUERY_FIELD.get(field, "metric"), error.message) from None
    return WidgetSpec(metric.key, spec.chart, slice_key)


def widgets_check(specs: Sequence[WidgetSpec]) -> list[WidgetSpec]:
    """Check every widget; one error lists each bad one as `widgets.<index>.<field>`."""
    if len(specs) > MAX_WIDGETS:
        raise _field_error("widgets", _("A dashboard holds at most %(n)d widgets.") % {"n": MAX_WIDGETS})
    checked: list[WidgetSpec] = []
    fields: dict[str, list[str]] = {}
    for index, spec in enumerate(specs):
        try:
            checked.append(widget_check(spec))
        except ApplicationError as error:
            for name, messages in error.fields.items():
                fields[f"widgets.{index}.{name}"] = messages
    if fields:
        raise ApplicationError(_("Some widgets need fixing."), fields=fields)
    return checked


def _ids(values: Iterable[Any], field: str) -> list[int]:
    try:
        ids = sorted({int(value) for value in values})
    except (TypeError, ValueError):
        raise _field_error(field, _("Choose from the list.")) from None
    if len(ids) > MAX_FILTER_VALUES:
        raise _field_error(field, _("Choose at most %(n)d values.") % {"n": MAX_FILTER_VALUES})
    return ids


def filters_check(actor: Actor, filters: Mapping[str, Iterable[Any]]) -> dict[str, list[int]]:
    """Default filters of a dashboard: known keys, ids of this workspace's teams, members, channels, pipelines."""
    workspace_id = actor.workspace.pk
    lookups = {
        "team": Team.objects.filter(workspace_id=workspace_id),
        "owner": Membership.objects.filter(workspace_id=workspace_id),
        "channel": SalesChannel.objects.filter(workspace_id=workspace_id),
        "pipeline": Pipeline.objects.filter(workspace_id=workspace_id),
    }
    clean: dict[str, list[int]] = {}
    for key, values in filters.items():
        field = f"filters.{key}"
        if key not in FILTER_KEYS:
            raise _field_error(field, _("Unknown filter."))
        ids = _ids(values, field)
        if not ids:
            continue
        column = "user_id" if key == "owner" else "pk"
        found = set(lookups[key].filter(**{f"{column}__in": ids}).values_list(column, flat=True))
        if found != set(ids):
            raise _field_error(field, _("Choose from the list."))
        clean[key] = ids
    return clean


def _range_check(preset: str, date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date | None,
                                                                                            dt.date | None]:
    if preset not in RangePreset.values:
        raise _field_error("range_preset", _("Choose a period."))
    if preset != RangePreset.CUSTOM:
        return None, None
    if date_from is None or date_to is None:
        raise _field_error("date_from", _("A custom period needs both dates."))
    if date_to < date_from:
        raise _field_error("date_to", _("The period ends before it starts."))
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise _field_error("date_to", _("Choose a period of at most ten years."))
    return date_from, date_to


def _name_check(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise _field_error("name", _("Give the dashboard a name."))
    if len(name) > NAME_MAX:
        raise _field_error("name", _("At most %(count)d characters.") % {"count": NAME_MAX})
    return name


def _create_widgets(dashboard: Dashboard, specs: Sequence[WidgetSpec]) -> None:
    DashboardWidget.objects.bulk_create([
        DashboardWidget(workspace_id=dashboard.workspace_id, dashboard=dashboard, position=index, metric=spec.metric,
                        chart=spec.chart, slice=spec.slice)
        for index, spec in enumerate(specs)
    ])


def dashboard_default_name(kind: str) -> str:
    return str(DEFAULT_NAMES.get(kind, _("Dashboard")))


@transaction.atomic
def dashboard_materialize(*, actor: Actor, kind: str) -> Dashboard:
    """The actor's company, team or personal dashboard, saved with the default layout if it was not yet."""
    actor.require(Capability.ANALYTICS_VIEW)
    if kind not in DEFAULT_NAMES:
        raise _field_error("kind", _("Unknown dashboard."))
    existing = Dashboard.objects.filter(workspace_id=actor.workspace.pk, owner_id=actor.user.pk, kind=kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            dashboard = Dashboard.objects.create(
                workspace=actor.workspace, owner=actor.user, kind=kind, name=dashboard_default_name(kind),
                filters=default_filters(actor, kind),
            )
            _create_widgets(dashboard, DEFAULT_WIDGETS[kind])
    except IntegrityError:  # the same default saved at the same moment (two tabs)
        return Dashboard.objects.get(workspace_id=actor.workspace.pk, owner_id=actor.user.pk, kind=kind)
    return dashboard


@transaction.atomic
def dashboard_create(*, actor: Actor, name: str) -> Dashboard:
    """A new, empty custom dashboard of the actor's."""
    actor.require(Capability.ANALYTICS_VIEW)
    return Dashboard.objects.create(workspace=actor.workspace, owner=actor.user, kind=DashboardKind.CUSTOM,
                                    name=_name_check(name))


@transaction.atomic
def dashboard_save(
    *, actor: Actor, dashboard: Dashboard, name: str, widgets: Sequence[WidgetSpec], version: int,
    range_preset: str = RangePreset.THIS_MONTH, date_from: dt.date | None = None, date_to: dt.date | None = None,
    filters: Mapping[str, Iterable[Any]] | None = None,
) -> Dashboard:
    """Replace a dashboard's name, period, filters and widgets (in the given order); nothing is saved on an error."""
    actor.require(Capability.ANALYTICS_VIEW)
    ensure_same_workspace(actor, dashboard)
    if dashboard.owner_id != actor.user.pk:
        raise PermissionDeniedError(_("This dashboard was shared with you; only its owner can change it."))
    clean_name = _name_check(name)
    checked = widgets_check(widgets)
    date_from, date_to = _range_check(range_preset, date_from, date_to)
    clean_filters = filters_check(actor, filters or {})
    updated = Dashboard.objects.filter(pk=dashboard.pk, version=version).update(
        name=clean_name, range_preset=range_preset, date_from=date_from, date_to=date_to, filters=clean_filters,
        version=F("version") + 1,
    )
    if not updated:
        raise ConflictError()
    DashboardWidget.objects.filter(dashboard=dashboard).delete()
    _create_widgets(dashboard, checked)
    return Dashboard.objects.get(pk=dashboard.pk)


@transaction.atomic
def dashboard_share(*, actor: Actor, dashboard: Dashboard, team: Team | None) -> Dashboard:
    """Share the actor's dashboard with a team (read-only for its members), or stop sharing (team None)."""
    actor.require(Capability.DASHBOARDS_SHARE)
    ensure_same_workspace(actor, dashboard, team)
    if dashboard.owner_id != actor.user.pk:
        raise PermissionDeniedError(_("Only the owner can share this dashboard."))
    before = dashboard.shared_team_id
    new = team.pk if team is not None else None
    Dashboard.objects.filter(pk=dashboard.pk).update(shared_team_id=new, version=F("version") + 1)
    audit_record(action="dashboard.share", actor=actor.user, target=dashboard, diff={"shared_team": [before, new]})
    return Dashboard.objects.get(pk=dashboard.pk)


@transaction.atomic
def dashboard_delete(*, actor: Actor, dashboard: Dashboard) -> None:
    """Delete the actor's dashboard; a deleted default comes back with the default layout."""
    actor.require(Capability.ANALYTICS_VIEW)
    ensure_same_workspace(actor, dashboard)
    if dashboard.owner_id != actor.user.pk:
        raise PermissionDeniedError(_("This dashboard was shared with you; only its owner can delete it."))
    audit_record(action="dashboard.delete", actor=actor.user, target=dashboard,
                 diff={"name": dashboard.name, "kind": dashboard.kind})
    dashboard.delete()
