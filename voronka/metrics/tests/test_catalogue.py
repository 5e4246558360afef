"""The catalogue itself: combine functions, which metrics add up, and that every entry is complete."""

from __future__ import annotations

from decimal import Decimal

from voronka.metrics.catalogue import metrics_all, money_ratio, ratio, slice_get, total


def test_total_adds_what_was_measured():
    combine = total("lines", "manual")
    assert combine({"lines": Decimal("900"), "manual": Decimal("100")}) == Decimal("1000")
    assert combine({"lines": None, "manual": Decimal("100")}) == Decimal("100")
    assert combine({"lines": None, "manual": None}) is None


def test_ratios_are_none_without_a_denominator():
    assert ratio("won", "closed")({"won": 2, "closed": 3}) == 2 / 3
    assert ratio("won", "closed")({"won": 0, "closed": 0}) is None
    assert ratio(("a", "b"), ("c", "d"))({"a": 1, "b": 2, "c": 4, "d": None}) == 0.75
    assert money_ratio(("r", "m"), "won")({"r": Decimal("10"), "m": Decimal("0.01"), "won": 3}) == Decimal("3.34")
    assert money_ratio("r", "won")({"r": Decimal("10"), "won": 0}) is None


def test_which_metrics_add_up_over_parts_and_periods():
    assert {m.key for m in metrics_all() if m.additive} == {
        "new_leads", "new_deals", "deals_won", "deals_lost", "revenue", "gross_profit", "pipeline_value",
        "weighted_pipeline", "activities_done",
    }


def test_every_metric_is_complete():
    for metric in metrics_all():
        assert str(metric.name) and str(metric.description).endswith(".")
        assert metric.slices and all(slice_get(key) is not None for key in metric.slices)
        assert metric.required_slices <= metric.slices
        assert metric.compute is not None or metric.measures
