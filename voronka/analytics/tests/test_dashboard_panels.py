"""Dashboard numbers: tiles, comparisons, sparklines and charts equal an independent computation,
for each viewer's visibility, with the fewest engine queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import Org
from voronka.analytics.dashboard_panels import Builder, change, dashboard_panels
from voronka.analytics.dashboard_range import Window, window_for
from voronka.analytics.services.dashboards import DEFAULT_WIDGETS, WidgetSpec
from voronka.core.scoping import workspace_scope
from voronka.metrics.catalogue import metric_get

from .test_dashboard_support import NOW, TODAY, count, deals_frame, make_sales, revenue, visible

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
MARCH_2025 = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
TILES = [WidgetSpec(key, "tile") for key in ("revenue", "deals_won", "win_rate", "average_check", "pipeline_value",
                                             "activities_done", "deals_lost")]


def _panels(org: Org, user, widgets, window: Window | None = None, filters=None):  # type: ignore[no-untyped-def]
    with workspace_scope(org.workspace), translation.override("en"):
        return dashboard_panels(actor=org.actor(user), widgets=widgets,
                                window=window or window_for("this_month", TODAY), filters=filters or {}, now=NOW)


@pytest.mark.parametrize("who", ["admin", "manager", "rep", "rep_south"])
def test_tiles_equal_an_independent_computation_for_each_viewer(org: Org, who: str) -> None:
    make_sales(org)
    user = getattr(org, who)
    frame = deals_frame(org)
    teams = {"manager": {org.sales.pk, org.north.pk, org.south.pk}}.get(who, set())
    seen = frame if who == "admin" else visible(frame, owners={user.pk}, teams=teams)
    tiles = {p.metric_key: p.tile for p in _panels(org, user, TILES)}

    assert tiles["revenue"].value == revenue(seen, *MARCH)
    won, lost = count(seen, "won", *MARCH), count(seen, "lost", *MARCH)
    assert tiles["deals_won"].value == won
    assert tiles["deals_lost"].value == lost
    assert tiles["win_rate"].value == (pytest.approx(won / (won + lost)) if won + lost else None)
    assert tiles["average_check"].value == ((revenue(seen, *MARCH) / won).quantize(Decimal("0.01")) if won else None)
    open_march = seen[(seen.status == "open") & seen.expected_close_date.between(*MARCH)]
    assert tiles["pipeline_value"].value == Decimal(sum(open_march.amount, Decimal(0)))


def test_admin_tiles_compare_with_the_previous_month_and_last_year(org: Org) -> None:
    make_sales(org)
    tiles = {p.metric_key: p.tile for p in _panels(org, org.admin, TILES)}
    revenue_tile = tiles["revenue"]
    # 8000 in March 2026, 500 in February, 2000 in March 2025 (hand-worked, see make_sales)
    assert (revenue_tile.value, revenue_tile.previous_text, revenue_tile.last_year_text) == (
        Decimal("8000.00"), "₽500", "₽2,000")
    assert revenue_tile.value_text == "₽8,000"
    assert (revenue_tile.vs_previous.text, revenue_tile.vs_previous.tone, revenue_tile.vs_previous.arrow) == (
        "+1,500.0%", "good", "▲")
    assert (revenue_tile.vs_last_year.text, revenue_tile.vs_last_year.tone) == ("+300.0%", "good")
    # win rate 3/4 now, 1/3 in February: a ratio changes in percentage points
    assert tiles["win_rate"].vs_previous.text == "+41.7 pp"
    # deals lost is lower-is-better: 1 now against 2 in February is a good decrease
    lost = tiles["deals_lost"]
    assert (lost.vs_previous.text, lost.vs_previous.tone, lost.vs_previous.arrow) == ("−50.0%", "good", "▼")
    assert lost.vs_last_year.text == "—"  # nothing lost in March 2025: no base to compare with
    assert revenue_tile.in_progress is True
    # the trend inside the period: a point a day of March with a known value (the gaps are dropped)
    assert len(revenue_tile.sparkline.split()) == 31


def test_change_is_direction_aware() -> None:
    cycle = metric_get("sales_cycle")  # lower is better
    revenue_metric = metric_get("revenue")
    assert cycle is not None and revenue_metric is not None
    assert change(cycle, 10, 20).tone == "good"
    assert change(cycle, 20, 10).tone == "bad"
    assert change(revenue_metric, 20, 10).tone == "good"
    assert change(revenue_metric, 10, 10).tone == "flat"
    assert change(revenue_metric, 10, 0).text == "—"
    assert change(revenue_metric, None, 10).tone == ""


def test_a_custom_range_compares_with_the_days_before_and_last_year(org: Org) -> None:
    make_sales(org)
    window = Window(dt.date(2026, 3, 6), dt.date(2026, 3, 15))  # 10 days, not a calendar period
    (tile,) = [p.tile for p in _panels(org, org.admin, [WidgetSpec("revenue", "tile")], window=window)]
    frame = deals_frame(org)
    assert tile.value == revenue(frame, dt.date(2026, 3, 6), dt.date(2026, 3, 15)) == Decimal("3000.00")
    assert revenue(frame, dt.date(2026, 2, 24), dt.date(2026, 3, 5)) == Decimal("5000.00")
    assert revenue(frame, dt.date(2025, 3, 6), dt.date(2025, 3, 15)) == Decimal("2000.00")
    assert (tile.previous_text, tile.vs_previous.text, tile.vs_previous.tone) == ("₽5,000", "−40.0%", "bad")
    assert (tile.last_year_text, tile.vs_last_year.text, tile.vs_last_year.tone) == ("₽2,000", "+50.0%", "good")
    assert len(tile.sparkline.split()) == 10  # a point a day


@pytest.mark.parametrize(("preset", "queries"), [("this_month", 4), ("this_year", 3)])
def test_all_tiles_share_one_engine_query_per_period(org: Org, preset: str, queries: int) -> None:
    make_sales(org)
    with workspace_scope(org.workspace):
        builder = Builder(actor=org.actor(org.admin), window=window_for(preset, TODAY), filters={}, now=NOW)
        builder.build(TILES)
    # the period, the previous one, last year's (the same as the previous one for a year), the trend
    assert builder.queries_run == queries


def test_default_dashboard_runs_few_engine_queries_and_sql_statements(org: Org) -> None:
    make_sales(org)
    widgets = DEFAULT_WIDGETS["company"]
    assert len(widgets) == 10
    with workspace_scope(org.workspace):
        actor = org.actor(org.admin)
        builder = Builder(actor=actor, window=window_for("this_month", TODAY), filters={}, now=NOW)
        with CaptureQueriesContext(connection) as queries:
            panels = builder.build(widgets)
    # tiles: the period, the previous, last year, the trend (which is also revenue over time);
    # by channel, by owner, the funnel
    assert builder.queries_run == 7
    # at most 20 statements, plus one per engine query for the rollups' coverage and change markers
    assert len(queries.captured_queries) <= 20 + 7, [q["sql"][:80] for q in queries.captured_queries]
    assert all(not p.error for p in panels), [p.error for p in panels]


def test_charts_by_slice_and_over_time_match_the_data(org: Org) -> None:
    sales = make_sales(org)
    widgets = [WidgetSpec("revenue", "bar", "channel"), WidgetSpec("revenue", "line"),
               WidgetSpec("deals_won", "table", "owner"), WidgetSpec("revenue", "table")]
    by_channel, over_time, table, table_over_time = _panels(org, org.admin, widgets)
    trace = by_channel.figure["data"][0]
    assert dict(zip(trace["y"], trace["x"], strict=True)) == {"Web": 5000.0, "Partners": 3000.0}
    assert [(r.label, r.value_text) for r in by_channel.rows] == [("Web", "₽5,000.00"), ("Partners", "₽3,000.00")]
    line = over_time.figure["data"][0]
    assert len(line["x"]) == 31 and line["x"][0] == "2026-03-01"  # one point a day for a month
    assert sum(line["y"]) == 8000.0
    assert line["y"][line["x"].index("2026-03-12")] == 3000.0
    assert table.figure is None
    assert {r.label: r.value_text for r in table.rows} == {org.manager.display_name: "1",
                                                            org.rep.display_name: "1",
                                                            org.rep_south.display_name: "1"}
    assert len(table_over_time.rows) == 31
    drill = parse_qs(urlsplit(by_channel.rows[0].drill_url).query)
    assert drill == {"metric": ["revenue"], "date_from": ["2026-03-01"], "date_to": ["2026-03-31"],
                     "granularity": ["total"], "bucket": ["total"], "slice.channel": [str(sales.web.pk)]}


def test_filters_apply_to_every_widget_that_supports_them(org: Org) -> None:
    sales = make_sales(org)
    widgets = [WidgetSpec("revenue", "tile"), WidgetSpec("activities_done", "tile")]
    revenue_panel, activities = _panels(org, org.admin, widgets, filters={"channel": [sales.web.pk]})
    assert revenue_panel.tile.value == Decimal("5000.00")
    assert revenue_panel.ignored_filters == []
    assert activities.ignored_filters == ["Sales channel"]  # activities have no channel: not filtered, and said so
    assert activities.tile.value == 2
    assert "filter.channel" in revenue_panel.tile.drill_url


def test_the_funnel_chains_stage_conversions(org: Org) -> None:
    make_sales(org)
    (funnel,) = _panels(org, org.admin, [WidgetSpec("stage_conversion", "funnel", "stage")])
    assert not funnel.error
    trace = funnel.figure["data"][0]
    assert trace["type"] == "funnel"
    assert trace["y"][0] == "Lead"
    assert trace["x"][0] == 100.0


def test_a_widget_the_catalogue_does_not_allow_shows_its_error_alone(org: Org) -> None:
    make_sales(org)
    panels = _panels(org, org.admin, [WidgetSpec("no_such_metric", "tile"), WidgetSpec("stalled_deals", "line"),
                                      WidgetSpec("revenue", "tile")])
    assert panels[0].error
    assert "snapshot" in panels[1].error
    assert panels[2].tile.value == Decimal("8000.00")


def test_a_snapshot_tile_has_no_comparison(org: Org) -> None:
    make_sales(org)
    (stalled,) = _panels(org, org.admin, [WidgetSpec("stalled_deals", "tile")])
    assert stalled.tile.vs_previous is None
    assert isinstance(stalled.tile.value, int)


def test_a_plain_count_or_sum_takes_its_total_from_the_trend(org: Org) -> None:
    make_sales(org)
    widgets = [WidgetSpec("revenue", "tile"), WidgetSpec("activities_done", "tile")]
    with workspace_scope(org.workspace):
        builder = Builder(actor=org.actor(org.admin), window=window_for("this_month", TODAY), filters={}, now=NOW)
        revenue_panel, activities = builder.build(widgets)
    assert builder.queries_run == 3  # previous, last year, the trend: no query for the period's total
    assert revenue_panel.tile.value == Decimal("8000.00")
    assert activities.tile.value == 2


def test_an_optional_cache_reuses_a_viewers_results_and_never_shares_them(org: Org, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    make_sales(org)
    settings.ANALYTICS_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    widgets = [WidgetSpec("revenue", "tile"), WidgetSpec("revenue", "bar", "owner")]

    def build(user):  # type: ignore[no-untyped-def]
        with workspace_scope(org.workspace):
            builder = Builder(actor=org.actor(user), window=window_for("this_month", TODAY), filters={}, now=NOW)
            return builder, builder.build(widgets)

    first, panels = build(org.admin)
    assert first.queries_run == 4 and first.cached_as_of is None
    again, cached_panels = build(org.admin)
    assert again.queries_run == 0 and again.cached_as_of == NOW
    assert cached_panels[0].tile.value == panels[0].tile.value == Decimal("8000.00")
    rep, rep_panels = build(org.rep)  # another viewer: computed for them, never the admin's numbers
    assert rep.queries_run == 4
    assert rep_panels[0].tile.value == Decimal("1000.00")
    cache.clear()
