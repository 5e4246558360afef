"""Dashboard services: widget rules from the catalogue, save (all or nothing), share, delete, defaults."""

from __future__ import annotations

import pytest

from conftest import Org
from voronka.analytics.models import Dashboard, DashboardWidget
from voronka.analytics.services.dashboards import (
    DEFAULT_WIDGETS,
    MAX_WIDGETS,
    WidgetSpec,
    dashboard_create,
    dashboard_delete,
    dashboard_materialize,
    dashboard_save,
    dashboard_share,
    filters_check,
    widget_check,
)
from voronka.channels.models import SalesChannel
from voronka.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from voronka.core.scoping import workspace_scope
from voronka.metrics.catalogue import metric_get


@pytest.mark.parametrize("spec", [spec for specs in DEFAULT_WIDGETS.values() for spec in specs])
def test_every_default_widget_passes_its_own_check(spec: WidgetSpec) -> None:
    assert widget_check(spec) == spec


@pytest.mark.parametrize(("spec", "field"), [
    (WidgetSpec("revenue", "tile", "owner"), "slice"),
    (WidgetSpec("nope", "tile"), "metric"),
    (WidgetSpec("revenue", "pie"), "chart"),
    (WidgetSpec("revenue", "line", "nope"), "slice"),
    (WidgetSpec("revenue", "funnel"), "chart"),
    (WidgetSpec("stage_conversion", "funnel", "owner"), "chart"),
    (WidgetSpec("stage_conversion", "line"), "slice"),  # needs the stage slice
    (WidgetSpec("stalled_deals", "bar"), "chart"),  # a snapshot has no history
    (WidgetSpec("activities_done", "bar", "product"), "slice"),
])
def test_widget_check_names_the_field_at_fault(spec: WidgetSpec, field: str) -> None:
    with pytest.raises(ApplicationError) as raised:
        widget_check(spec)
    assert list(raised.value.fields) == [field]


def test_widget_check_normalises_a_funnel_to_stages_and_allows_what_the_catalogue_allows() -> None:
    assert widget_check(WidgetSpec("stage_conversion", "funnel")) == WidgetSpec("stage_conversion", "funnel", "stage")
    assert widget_check(WidgetSpec("stalled_deals", "bar", "owner")).slice == "owner"  # by slice: no history needed
    revenue = metric_get("revenue")
    assert revenue is not None
    for slice_key in sorted(revenue.slices):
        assert widget_check(WidgetSpec("revenue", "table", slice_key)).slice == slice_key


def test_save_replaces_widgets_in_order_and_bumps_the_version(org: Org, scoped: object) -> None:
    actor = org.actor(org.manager)
    dashboard = dashboard_create(actor=actor, name="Weekly")
    widgets = [WidgetSpec("win_rate", "tile"), WidgetSpec("stage_conversion", "funnel"),
               WidgetSpec("revenue", "bar", "channel")]
    saved = dashboard_save(actor=actor, dashboard=dashboard, name=" Weekly  review ", widgets=widgets,
                           version=dashboard.version, range_preset="last_quarter",
                           filters={"team": [org.north.pk], "owner": [str(org.rep.pk)]})
    assert (saved.name, saved.version, saved.range_preset) == ("Weekly review", 2, "last_quarter")
    assert saved.filters == {"team": [org.north.pk], "owner": [org.rep.pk]}
    rows = list(DashboardWidget.objects.filter(dashboard=saved).values_list("position", "metric", "chart", "slice"))
    assert rows == [(0, "win_rate", "tile", ""), (1, "stage_conversion", "funnel", "stage"),
                    (2, "revenue", "bar", "channel")]
    with pytest.raises(ConflictError):
        dashboard_save(actor=actor, dashboard=saved, name="Late", widgets=[], version=1)


def _unchanged(dashboard: Dashboard) -> tuple[object, ...]:
    fresh = Dashboard.objects.get(pk=dashboard.pk)
    return (fresh.name, fresh.version, fresh.filters,
            list(DashboardWidget.objects.filter(dashboard=dashboard).values_list("metric", flat=True)))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": ""}, "name"),
    ({"widgets": [WidgetSpec("revenue", "tile"), WidgetSpec("revenue", "tile", "owner")]}, "widgets.1.slice"),
    ({"widgets": [WidgetSpec("revenue", "tile")] * (MAX_WIDGETS + 1)}, "widgets"),
    ({"range_preset": "forever"}, "range_preset"),
    ({"range_preset": "custom"}, "date_from"),
    ({"filters": {"colour": [1]}}, "filters.colour"),
    ({"filters": {"team": ["x"]}}, "filters.team"),
    ({"filters": {"channel": [999999]}}, "filters.channel"),
])
def test_save_refuses_bad_input_and_changes_nothing(org: Org, scoped: object, kwargs: dict, field: str) -> None:
    actor = org.actor(org.admin)
    dashboard = dashboard_materialize(actor=actor, kind="company")
    before = _unchanged(dashboard)
    arguments = {"name": "New", "widgets": [WidgetSpec("revenue", "tile")], "version": dashboard.version, **kwargs}
    with pytest.raises(ApplicationError) as raised:
        dashboard_save(actor=actor, dashboard=dashboard, **arguments)
    assert field in raised.value.fields
    assert _unchanged(dashboard) == before


def test_filters_must_name_this_workspaces_rows(org: Org, other_org: Org) -> None:
    with workspace_scope(other_org.workspace):
        foreign = SalesChannel.objects.create(workspace=other_org.workspace, name="Theirs")
    with workspace_scope(org.workspace):
        actor = org.actor(org.admin)
        for key, value in [("channel", foreign.pk), ("team", other_org.north.pk), ("owner", other_org.rep.pk)]:
            with pytest.raises(ApplicationError):
                filters_check(actor, {key: [value]})
        assert filters_check(actor, {"owner": [org.rep.pk], "team": []}) == {"owner": [org.rep.pk]}


def test_only_the_owner_saves_shares_and_deletes(org: Org, scoped: object) -> None:
    dashboard = dashboard_materialize(actor=org.actor(org.admin), kind="company")
    Dashboard.objects.filter(pk=dashboard.pk).update(shared_team=org.sales)
    manager = org.actor(org.manager)
    before = _unchanged(dashboard)
    with pytest.raises(PermissionDeniedError):
        dashboard_save(actor=manager, dashboard=dashboard, name="Mine", widgets=[], version=dashboard.version)
    with pytest.raises(PermissionDeniedError):
        dashboard_share(actor=manager, dashboard=dashboard, team=None)
    with pytest.raises(PermissionDeniedError):
        dashboard_delete(actor=manager, dashboard=dashboard)
    with pytest.raises(PermissionDeniedError):  # a rep may not share even their own
        dashboard_share(actor=org.actor(org.rep), dashboard=dashboard_create(actor=org.actor(org.rep), name="R"),
                        team=org.north)
    assert _unchanged(dashboard) == before


def test_materialize_is_idempotent_and_uses_the_kind_defaults(org: Org, scoped: object) -> None:
    rep = org.actor(org.rep)
    team = dashboard_materialize(actor=rep, kind="team")
    assert dashboard_materialize(actor=rep, kind="team").pk == team.pk
    assert team.filters == {"team": [org.north.pk]}
    personal = dashboard_materialize(actor=rep, kind="personal")
    assert personal.filters == {"owner": [org.rep.pk]}
    assert Dashboard.objects.filter(owner=org.rep).count() == 2
    with pytest.raises(ApplicationError):
        dashboard_materialize(actor=rep, kind="custom")
