"""The shared chart helpers (analytics/charts.py): formatting, figures, funnel steps, sparklines."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import translation

from voronka.analytics.charts import (
    FunnelStep,
    StageInfo,
    figure_by_slice,
    figure_funnel,
    figure_over_time,
    format_change,
    format_value,
    funnel_steps,
    sparkline_points,
    values_by_slice,
)
from voronka.metrics.buckets import Bucket, Granularity
from voronka.metrics.catalogue import Unit
from voronka.metrics.engine import MetricResult, ResultRow
from voronka.metrics.spec import MetricQuery

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _result(metric: str, rows: list[ResultRow], *, slices: tuple[str, ...] = (), buckets: list[Bucket] | None = None,
            labels: dict | None = None, granularity: Granularity = Granularity.TOTAL) -> MetricResult:
    query = MetricQuery(metrics=(metric,), date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31),
                        slices=slices, granularity=granularity)
    buckets = buckets or [Bucket("total", dt.date(2026, 1, 1), dt.date(2026, 4, 1))]
    return MetricResult(query=query, buckets=buckets, rows=rows, labels=labels or {}, as_of=NOW)


MONTHS = [Bucket("2026-01", dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
          Bucket("2026-02", dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
          Bucket("2026-03", dt.date(2026, 3, 1), dt.date(2026, 4, 1))]


@pytest.mark.parametrize(("language", "unit", "value", "whole", "expected"), [
    ("en", Unit.MONEY, Decimal("1234567.50"), False, "₽1,234,567.50"),
    ("en", Unit.MONEY, Decimal("1234567.50"), True, "₽1,234,568"),
    ("ru", Unit.MONEY, Decimal("1234567.00"), True, "1\u00a0234\u00a0567\u00a0₽"),
    ("en", Unit.RATIO, 0.2534, False, "25.3%"),
    ("en", Unit.COUNT, 12345, False, "12,345"),
    ("en", Unit.DAYS, 12.25, False, "12.2 d"),
    ("en", Unit.MONEY, None, False, "—"),
])
def test_format_value(language: str, unit: Unit, value: object, whole: bool, expected: str) -> None:
    with translation.override(language):
        assert format_value(unit, value, currency="RUB", language=language, whole=whole) == expected


def test_format_change() -> None:
    with translation.override("en"):
        assert format_change(0.125) == "+12.5%"
        assert format_change(-0.5) == "−50.0%"
        assert format_change(0.0) == "±0.0%"
        assert format_change(0.031, points=True) == "+3.1 pp"
        assert format_change(None) == "—"


def test_line_over_time_has_one_point_per_bucket_and_drill_links() -> None:
    rows = [ResultRow(b.key, (), {"revenue": Decimal(v)}) for b, v in zip(MONTHS, ["100", "0", "250.5"], strict=True)]
    result = _result("revenue", rows, buckets=MONTHS, granularity=Granularity.MONTH)
    with translation.override("en"):
        figure = figure_over_time(result, "revenue", drill=lambda bucket, slices: f"/drill/{bucket}",
                                  currency="USD", language="en")
    json.dumps(figure)  # JSON-ready, Decimals turned into floats
    (trace,) = figure["data"]
    assert trace["type"] == "scatter"
    assert list(trace["x"]) == ["2026-01", "2026-02", "2026-03"]
    assert list(trace["y"]) == [100.0, 0.0, 250.5]
    assert list(trace["customdata"]) == ["/drill/2026-01", "/drill/2026-02", "/drill/2026-03"]
    assert list(trace["text"]) == ["$100.00", "$0.00", "$250.50"]
    assert "template" not in figure["layout"]


def test_bars_over_time_with_a_slice_make_one_series_per_value() -> None:
    rows = [ResultRow(b.key, (owner,), {"deals_won": n}) for owner, values in ((1, [1, 2, 3]), (2, [0, 5, 0]))
            for b, n in zip(MONTHS, values, strict=True)]
    result = _result("deals_won", rows, slices=("owner",), buckets=MONTHS, granularity=Granularity.MONTH,
                     labels={"owner": {1: "Ann", 2: "Bob"}})
    figure = figure_over_time(result, "deals_won", kind="bar", drill=lambda b, s: f"/d/{b}/{s[0]}")
    assert [t["name"] for t in figure["data"]] == ["Ann", "Bob"]
    assert [t["type"] for t in figure["data"]] == ["bar", "bar"]
    assert list(figure["data"][1]["customdata"]) == ["/d/2026-01/2", "/d/2026-02/2", "/d/2026-03/2"]
    assert figure["layout"]["showlegend"] is True


def test_bars_by_slice_are_sorted_largest_on_top_and_skip_undefined() -> None:
    rows = [ResultRow("total", (1,), {"win_rate": 0.5}), ResultRow("total", (2,), {"win_rate": 0.75}),
            ResultRow("total", (None,), {"win_rate": None}), ResultRow("total", (3,), {"win_rate": 0.25})]
    result = _result("win_rate", rows, slices=("channel",), labels={"channel": {1: "Web", 2: "Partners", 3: "Shop"}})
    items = values_by_slice(result, "win_rate")
    assert [i.label for i in items] == ["Partners", "Web", "Shop", "(not set)"]
    figure = figure_by_slice(result, "win_rate", drill=lambda b, s: f"/d/{s[0]}")
    (trace,) = figure["data"]
    assert list(trace["y"]) == ["Shop", "Web", "Partners"]  # plotly draws the first at the bottom
    assert list(trace["x"]) == [0.25, 0.5, 0.75]
    assert list(trace["customdata"]) == ["/d/3", "/d/1", "/d/2"]
    assert figure["layout"]["xaxis"]["tickformat"] == ".0%"


def test_funnel_steps_chain_the_stage_conversions() -> None:
    # Lead → Qualified 50%, Qualified → Proposal 40%, Proposal → Won 25%: 100%, 50%, 20%, 5% reach each stage.
    stages = {10: StageInfo(1, "B2B", 0, "Lead"), 11: StageInfo(1, "B2B", 1, "Qualified"),
              12: StageInfo(1, "B2B", 2, "Proposal"), 13: StageInfo(1, "B2B", 3, "Won"),
              20: StageInfo(2, "Shop", 0, "Cart"), 21: StageInfo(2, "Shop", 1, "Paid")}
    rows = [ResultRow("total", (10,), {"stage_conversion": 0.5}), ResultRow("total", (11,), {"stage_conversion": 0.4}),
            ResultRow("total", (12,), {"stage_conversion": 0.25})]
    result = _result("stage_conversion", rows, slices=("stage",))
    steps = funnel_steps(result, "stage_conversion", stages, {1: [10, 11, 12, 13], 2: [20, 21]})
    assert [(s.stage, s.reached, s.conversion) for s in steps] == [
        ("Lead", 1.0, None), ("Qualified", 0.5, 0.5), ("Proposal", pytest.approx(0.2), 0.4),
        ("Won", pytest.approx(0.05), 0.25),
    ]  # the Shop pipeline has no data and is left out
    figure = figure_funnel(steps, language="en")
    (trace,) = figure["data"]
    assert trace["type"] == "funnel"
    assert list(trace["x"]) == [100.0, 50.0, 20.0, 5.0]


def test_a_stage_nobody_reached_stops_the_funnel() -> None:
    stages = {1: StageInfo(1, "P", 0, "A"), 2: StageInfo(1, "P", 1, "B"), 3: StageInfo(1, "P", 2, "C")}
    result = _result("stage_conversion", [ResultRow("total", (1,), {"stage_conversion": 0.5}),
                                          ResultRow("total", (2,), {"stage_conversion": None})], slices=("stage",))
    steps = funnel_steps(result, "stage_conversion", stages, {1: [1, 2, 3]})
    assert [s.reached for s in steps] == [1.0, 0.5, None]
    figure = figure_funnel(steps)
    assert list(figure["data"][0]["y"]) == ["A", "B"]
    assert FunnelStep("P", "C", None, None) in steps


def test_sparkline_points_scale_to_the_box_and_skip_gaps() -> None:
    assert sparkline_points([1, 3, None, 2], width=100, height=28, pad=2) == "2.0,26.0 34.0,2.0 98.0,14.0"
    assert sparkline_points([5]) == ""
    assert sparkline_points([2, 2]) == "2.0,26.0 98.0,26.0"
