"""Every metric on the hand-made company of world.py, with values worked out by hand.

Each test runs twice: reading the rows, and reading the daily rollups built from them (`world` is
parametrised), so both routes of the engine must give the hand-worked values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import Org
from voronka.metrics.catalogue import rollups_all
from voronka.metrics.engine import MetricResult
from voronka.metrics.rollups.build import rollups_refresh
from voronka.metrics.selectors import metric_drill_for, metric_query_for
from voronka.metrics.spec import metric_query_build

from .world import World, build_world, msk

NOW = msk(2024, 3, 15, 12)
MONTHS = ["2024-01", "2024-02", "2024-03"]


def days(d: int, hours: float = 0) -> float:
    return d + hours / 24


@pytest.fixture(params=["rows", "rollups"])
def world(org: Org, request: pytest.FixtureRequest) -> World:
    built = build_world(org)
    if request.param == "rollups":
        results = rollups_refresh(workspace_id=org.workspace.pk, time_zone=org.workspace.time_zone, rebuild=True)
        assert {r.rollup for r in results if r.rebuilt} == {r.key for r in rollups_all()}
    return built


def run(world: World, metrics: list[str], *, who: str = "admin", now: dt.datetime = NOW, **spec: Any
        ) -> MetricResult:
    spec.setdefault("date_from", "2024-01-01")
    spec.setdefault("date_to", "2024-03-31")
    query = metric_query_build(metrics=metrics, **spec)
    org = world.org
    return metric_query_for(actor=org.actor(getattr(org, who)), query=query, now=now)


def series(result: MetricResult, metric: str, slices: tuple[Any, ...] = ()) -> list[Any]:
    return [result.value(metric, bucket, slices) for bucket in MONTHS]


# ---- every metric, by month and in total ------------------------------------------------------

BY_MONTH: dict[str, tuple[list[Any], Any]] = {
    # D1, D2, D6, D9 in January; D3, D4 in February; D5 (00:30 on 1 March local) and D7 in March
    "new_deals": ([4, 2, 2], 8),
    # D1 won at 23:30 on 31 January stays in January; D2 won at 00:30 on 1 February local is February
    "deals_won": ([2, 1, 1], 4),
    "deals_lost": ([0, 1, 1], 2),
    "revenue": ([Decimal("2500.00"), Decimal("3000.00"), Decimal("2000.00")], Decimal("7500.00")),
    "average_check": ([Decimal("1250.00"), Decimal("3000.00"), Decimal("2000.00")], Decimal("1875.00")),
    "win_rate": ([1.0, 0.5, 0.5], 4 / 6),
    # D1 1000 − 400 − 10 % fee; D8 1500; D2 3000 − 1000; D4 2000 − 500 − 200 fee
    "gross_profit": ([Decimal("2000.00"), Decimal("2000.00"), Decimal("1300.00")], Decimal("5300.00")),
    "gross_margin": ([0.8, 2000 / 3000, 0.65], 5300 / 7500),
    "sales_cycle": ([(days(26, 13.5) + days(14, 13)) / 2, days(22, 0.5), days(34, 2)],
                    (days(22, 0.5) + days(26, 13.5)) / 2),
    "pipeline_value": ([Decimal("0.00"), Decimal("0.00"), Decimal("5000.00")], Decimal("5000.00")),
    # D5 4000 × its own 80 % (not the stage's 50 %); D6 1000 × the stage's 75 %
    "weighted_pipeline": ([Decimal("0.00"), Decimal("0.00"), Decimal("3950.00")], Decimal("3950.00")),
    "activities_done": ([1, 1, 1], 3),
    "new_leads": ([1, 1, 1], 3),
    "lead_to_deal": ([1.0, 0.0, 1.0], 2 / 3),
}


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return actual == pytest.approx(expected, rel=1e-9)
    return actual == expected and type(actual) is type(expected)


@pytest.mark.parametrize("metric", sorted(BY_MONTH))
def test_each_metric_by_month_and_in_total(world, metric):
    monthly, overall = BY_MONTH[metric]
    by_month = run(world, [metric], granularity="month")
    assert [b.key for b in by_month.buckets] == MONTHS
    assert all(_same(a, e) for a, e in zip(series(by_month, metric), monthly, strict=True)), series(by_month, metric)
    in_total = run(world, [metric])
    assert _same(in_total.value(metric), overall), in_total.value(metric)


def test_all_metrics_in_one_query_agree_with_one_at_a_time(world):
    together = run(world, sorted(BY_MONTH), granularity="month")
    for metric, (monthly, _total) in BY_MONTH.items():
        assert all(_same(a, e) for a, e in zip(series(together, metric), monthly, strict=True)), metric


def test_stalled_deals_as_of_a_given_moment(world):
    # on 15 March only D6 (in Negotiation since 1 February, 14 days allowed) is stalled
    assert run(world, ["stalled_deals"], now=NOW).value("stalled_deals") == 1
    # by 20 March D7 (in Lead since 5 March 10:00, 14 days allowed) is too; D5 (Proposal, 21 days) is not
    assert run(world, ["stalled_deals"], now=msk(2024, 3, 20, 12)).value("stalled_deals") == 2
    # the period does not matter for a snapshot
    assert run(world, ["stalled_deals"], date_from="2020-01-01", date_to="2020-01-31").value("stalled_deals") == 1


def test_stage_conversion_counts_skipped_stages_and_ignores_moves_back(world):
    stages = world.stages
    result = run(world, ["stage_conversion"], slices=["stage"])
    # cohort created Jan–Mar: D1, D2, D4 reached Won; D6 Negotiation; D5 Proposal; D3 Qualified; D7, D9 Lead
    assert {k: result.value("stage_conversion", "total", (stages[k].pk,)) for k in stages} == {
        "Lead": 6 / 8, "Qualified": 5 / 6, "Proposal": 4 / 5, "Negotiation": 3 / 4, "Won": None, "Lost": None,
    }
    assert result.label("stage", stages["Qualified"].pk) == "Sales: Qualified"


def test_stage_conversion_by_month_is_a_cohort_of_the_deals_created_that_month(world):
    s = world.stages
    result = run(world, ["stage_conversion"], slices=["stage"], granularity="month")
    table = {name: series(result, "stage_conversion", (s[name].pk,)) for name in
             ("Lead", "Qualified", "Proposal", "Negotiation")}
    assert table == {
        "Lead": [3 / 4, 2 / 2, 1 / 2],
        "Qualified": [3 / 3, 1 / 2, 1 / 1],
        "Proposal": [3 / 3, 1 / 1, 0 / 1],
        "Negotiation": [2 / 3, 1 / 1, None],
    }


def test_stage_conversion_by_owner_and_with_a_stage_filter(world):
    s, rep = world.stages, world.org.rep.pk
    by_owner = run(world, ["stage_conversion"], slices=["owner", "stage"])
    # the rep's cohort: D1 and D4 reached Won, D6 Negotiation, D3 Qualified
    assert [by_owner.value("stage_conversion", "total", (rep, s[n].pk))
            for n in ("Lead", "Qualified", "Proposal", "Negotiation")] == [1.0, 3 / 4, 1.0, 2 / 3]
    # a stage filter picks the rows, it does not shrink the cohort to the deals sitting in that stage now
    only = run(world, ["stage_conversion"], slices=["stage"], filters={"stage": [s["Qualified"].pk]})
    assert [(row.slices, row.values["stage_conversion"]) for row in only.rows] == [((s["Qualified"].pk,), 5 / 6)]


# ---- slices -----------------------------------------------------------------------------------

def test_revenue_and_win_rate_by_owner_keep_empty_months(world):
    org = world.org
    result = run(world, ["revenue", "win_rate"], slices=["owner"], granularity="month")
    assert series(result, "revenue", (org.rep.pk,)) == [Decimal("1000.00"), Decimal("0.00"), Decimal("2000.00")]
    assert series(result, "revenue", (org.rep_south.pk,)) == [Decimal("0.00"), Decimal("3000.00"), Decimal("0.00")]
    assert series(result, "win_rate", (org.rep.pk,)) == [1.0, 0.0, 1.0]
    assert series(result, "win_rate", (org.rep_south.pk,)) == [None, 1.0, 0.0]
    assert series(result, "win_rate", (org.admin.pk,)) == [1.0, None, None]
    # one row per owner and month, owners with no closed deal are not invented
    assert {row.slices for row in result.rows} == {(org.rep.pk,), (org.rep_south.pk,), (org.admin.pk,)}
    assert len(result.rows) == 9
    assert result.label("owner", org.rep.pk) == org.rep.display_name


def test_product_slice_takes_money_from_line_items_after_discount(world):
    a, b = world.product_a.pk, world.product_b.pk
    metrics = ["revenue", "gross_profit", "gross_margin", "average_check", "new_deals", "deals_won", "win_rate"]
    result = run(world, metrics, slices=["product"])
    values = {row.slices[0]: row.values for row in result.rows}
    assert set(values) == {a, b, None}
    # A: 2 × 500 at 10 % off = 900, minus 2 × 100 cost, minus the 10 % channel fee on 900
    assert values[a] == {"revenue": Decimal("900.00"), "gross_profit": Decimal("610.00"), "gross_margin": 610 / 900,
                         "average_check": Decimal("900.00"), "new_deals": 2, "deals_won": 1, "win_rate": 1.0}
    assert values[b] == {"revenue": Decimal("1100.00"), "gross_profit": Decimal("690.00"),
                         "gross_margin": 690 / 1100, "average_check": Decimal("1100.00"), "new_deals": 1,
                         "deals_won": 1, "win_rate": 1.0}
    # deals without line items keep their own amounts under "(none)", so the rows add up to the total
    assert values[None] == {"revenue": Decimal("5500.00"), "gross_profit": Decimal("4000.00"),
                            "gross_margin": 4000 / 5500, "average_check": Decimal("1833.33"), "new_deals": 6,
                            "deals_won": 3, "win_rate": 3 / 5}
    assert sum(v["revenue"] for v in values.values()) == run(world, ["revenue"]).value("revenue")
    assert result.label("product", a) == "A Alpha"


def test_product_filters(world):
    a = world.product_a.pk
    assert run(world, ["revenue", "new_deals"], filters={"product": [a]}).rows[0].values == {
        "revenue": Decimal("900.00"), "new_deals": 2}
    assert run(world, ["revenue", "new_deals"], filters={"product": [None]}).rows[0].values == {
        "revenue": Decimal("5500.00"), "new_deals": 6}
    both = run(world, ["revenue"], slices=["product"], filters={"product": [a]})
    assert [(row.slices, row.values["revenue"]) for row in both.rows] == [((a,), Decimal("900.00"))]


def test_channel_team_and_pipeline_slices(world):
    org = world.org
    by_channel = run(world, ["gross_profit"], slices=["channel"])
    assert {row.slices[0]: row.values["gross_profit"] for row in by_channel.rows} == {
        world.market.pk: Decimal("1800.00"), world.direct.pk: Decimal("2000.00"), None: Decimal("1500.00")}
    assert by_channel.label("channel", world.market.pk) == "Test market"
    assert by_channel.label("channel", None) == "—"
    by_team = run(world, ["revenue"], slices=["team"])
    assert {row.slices[0]: row.values["revenue"] for row in by_team.rows} == {
        org.north.pk: Decimal("3000.00"), org.south.pk: Decimal("3000.00"), None: Decimal("1500.00")}
    assert by_team.label("team", org.north.pk) == "North"
    by_pipeline = run(world, ["new_deals"], slices=["pipeline"])
    assert [(row.slices, row.values) for row in by_pipeline.rows] == [((world.pipeline.pk,), {"new_deals": 8})]
    assert by_pipeline.label("pipeline", world.pipeline.pk) == "Sales"


def test_text_slices_merge_empty_and_missing_into_one_none_row(world):
    by_source = run(world, ["new_deals"], slices=["lead_source"])
    assert [(row.slices, row.values["new_deals"]) for row in by_source.rows] == [(("web",), 2), ((None,), 6)]
    by_industry = run(world, ["new_deals"], slices=["industry"])
    # D3's company has an empty industry, the others have no company: one "(none)" row
    assert [(row.slices, row.values["new_deals"]) for row in by_industry.rows] == [(("Retail",), 1), ((None,), 7)]
    assert by_industry.label("industry", "Retail") == "Retail"


@pytest.mark.parametrize(("filters", "expected"), [
    ({"lead_source": [None]}, 6),
    ({"lead_source": ["web", None]}, 8),
    ({"lead_source": [""]}, 6),
    ({"industry": [None]}, 7),
    ({"industry": ["Retail"]}, 1),
    ({"channel": [None]}, 5),
    ({"lead_source": ["web"], "industry": [None]}, 1),
])
def test_none_filter_values(world, filters, expected):
    assert run(world, ["new_deals"], filters=filters).value("new_deals") == expected


def test_activities_by_type_and_leads_by_owner(world):
    org = world.org
    by_type = run(world, ["activities_done"], slices=["activity_type"], granularity="month")
    assert series(by_type, "activities_done", ("call",)) == [1, 0, 1]
    assert series(by_type, "activities_done", ("meeting",)) == [0, 1, 0]
    assert by_type.label("activity_type", "call") == "call"
    leads = run(world, ["new_leads", "lead_to_deal"], slices=["owner"])
    assert leads.value("new_leads", "total", (org.rep.pk,)) == 2
    assert leads.value("lead_to_deal", "total", (org.rep.pk,)) == 1.0
    assert leads.value("lead_to_deal", "total", (org.rep_south.pk,)) == 0.0


def test_a_period_with_no_data_has_its_buckets_and_zeros(world):
    result = run(world, ["revenue", "new_deals", "win_rate", "sales_cycle"], granularity="quarter",
                 date_from="2022-01-01", date_to="2022-06-30")
    assert [(row.bucket, row.values) for row in result.rows] == [
        ("2022-Q1", {"revenue": Decimal("0.00"), "new_deals": 0, "win_rate": None, "sales_cycle": None}),
        ("2022-Q2", {"revenue": Decimal("0.00"), "new_deals": 0, "win_rate": None, "sales_cycle": None}),
    ]
    # with a slice and nothing to break down, there are no rows at all
    assert run(world, ["revenue"], slices=["owner"], date_from="2022-01-01", date_to="2022-01-31").rows == []


def test_day_buckets_follow_local_midnight(world):
    result = run(world, ["deals_won"], granularity="day", date_from="2024-01-31", date_to="2024-02-01")
    assert [(row.bucket, row.values["deals_won"]) for row in result.rows] == [("2024-01-31", 1), ("2024-02-01", 1)]


def test_a_partial_first_month_counts_only_the_days_asked_for(world):
    # from 1 February 01:00 local would still include D2 (won at 00:30); from 2 February it does not
    result = run(world, ["deals_won", "revenue"], granularity="month", date_from="2024-02-02", date_to="2024-03-09")
    assert [(row.bucket, row.values["deals_won"]) for row in result.rows] == [("2024-02", 0), ("2024-03", 0)]
    assert [b.start for b in result.buckets] == [dt.date(2024, 2, 2), dt.date(2024, 3, 1)]


# ---- the time-zone rule -----------------------------------------------------------------------

def test_a_deal_won_at_2330_local_on_the_last_day_is_that_months_west_of_utc(org):
    # given a New York workspace (UTC−5 in January): 23:30 on 31 January is 04:30 UTC on 1 February
    org.workspace.time_zone = "America/New_York"
    org.workspace.save()
    world = build_world(org)
    ny = dt.timezone(dt.timedelta(hours=-5))
    Deal = type(world.deals["D1"])
    Deal.unscoped.filter(pk=world.deals["D1"].pk).update(closed_at=dt.datetime(2024, 1, 31, 23, 30, tzinfo=ny))
    # D2: 00:30 on 1 February Moscow is 16:30 on 31 January in New York
    result = run(world, ["deals_won"], granularity="month", date_from="2024-01-01", date_to="2024-02-29")
    won = {row.bucket: row.values["deals_won"] for row in result.rows}
    assert won == {"2024-01": 3, "2024-02": 0}  # D1, D2, D8


# ---- drill-down and cost ----------------------------------------------------------------------

def test_drill_down_lists_the_deals_behind_a_number(world):
    d, org = world.deals, world.org
    actor = org.actor(org.admin)
    query = metric_query_build(metrics=["revenue"], date_from="2024-01-01", date_to="2024-03-31",
                               slices=["owner"], granularity="month")
    source, rows = metric_drill_for(actor=actor, query=query, metric_key="revenue", bucket="2024-01",
                                    slices=(org.rep.pk,))
    assert source == "deals" and set(rows.values_list("pk", flat=True)) == {d["D1"].pk}
    by_product = metric_query_build(metrics=["revenue"], date_from="2024-01-01", date_to="2024-03-31",
                                    slices=["product"])
    source, rows = metric_drill_for(actor=actor, query=by_product, metric_key="revenue",
                                    slices=(world.product_a.pk,))
    assert source == "deals" and list(rows.values_list("pk", flat=True)) == [d["D4"].pk]
    source, rows = metric_drill_for(actor=actor, query=by_product, metric_key="revenue", slices=(None,))
    assert source == "deals" and set(rows.values_list("pk", flat=True)) == {d["D1"].pk, d["D2"].pk, d["D8"].pk}
    # the rep drilling into the whole team's number sees only their own deals
    source, rows = metric_drill_for(actor=org.actor(org.rep), query=query, metric_key="revenue", bucket="2024-01")
    assert set(rows.values_list("pk", flat=True)) == {d["D1"].pk}


def test_four_metrics_by_owner_and_month_take_one_aggregate_query(world, request, django_assert_num_queries):
    actor = world.org.actor(world.org.admin)
    query = metric_query_build(metrics=["revenue", "deals_won", "win_rate", "average_check"], slices=["owner"],
                               granularity="month", date_from="2024-01-01", date_to="2024-03-31")
    # the rollups' coverage and change markers (one query), one aggregate (over the closed deals, or over
    # the rollup rows once built), the owners' names
    with django_assert_num_queries(3) as captured:
        metric_query_for(actor=actor, query=query, now=NOW)
    reads_deals = sum("crm_deal" in q["sql"] for q in captured.captured_queries)
    assert reads_deals == (1 if request.node.callspec.params["world"] == "rows" else 0)


@pytest.mark.parametrize("in_sql", [True, False])
def test_the_median_is_the_same_by_either_route(world, monkeypatch, in_sql):
    # PostgreSQL has a median aggregate; elsewhere the engine takes the median of the fetched values
    monkeypatch.setattr("voronka.metrics.engine._median_in_sql", lambda connection: in_sql and
                        connection.vendor == "postgresql")
    monthly, _overall = BY_MONTH["sales_cycle"]
    result = run(world, ["sales_cycle"], granularity="month")
    assert series(result, "sales_cycle") == pytest.approx(monthly, rel=1e-9)
    by_owner = run(world, ["sales_cycle"], slices=["owner"])
    org = world.org
    # the rep won D1 (26 d 13.5 h) and D4 (34 d 2 h): an even count, the mean of the two
    assert by_owner.value("sales_cycle", "total", (org.rep.pk,)) == pytest.approx(
        (days(26, 13.5) + days(34, 2)) / 2, rel=1e-9)
    assert by_owner.value("sales_cycle", "total", (org.admin.pk,)) == pytest.approx(days(14, 13), rel=1e-9)
