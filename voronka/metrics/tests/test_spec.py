"""Checking a metric query against the catalogue: every error has a stable code and names its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voronka.metrics.buckets import Granularity
from voronka.metrics.catalogue import metrics_all
from voronka.metrics.spec import MAX_FILTER_VALUES, MetricQuery, MetricQueryError, metric_query_build

D = dt.date
BASE: dict[str, Any] = {"metrics": ["revenue"], "date_from": "2024-01-01", "date_to": "2024-12-31"}


def build(**changes: Any) -> MetricQuery:
    return metric_query_build(**{**BASE, **changes})


def refused(**changes: Any) -> MetricQueryError:
    with pytest.raises(MetricQueryError) as caught:
        build(**changes)
    assert caught.value.status == 422
    return caught.value


def test_a_good_query_is_normalised():
    query = build(metrics=["revenue", "win_rate", "revenue"], slices=["owner"], granularity="month",
                  date_from=D(2024, 1, 1), date_to=dt.datetime(2024, 3, 31, 12, tzinfo=dt.UTC),
                  filters={"owner": ["7", 8, None], "lead_source": ["web", None]})
    assert query == MetricQuery(metrics=("revenue", "win_rate"), date_from=D(2024, 1, 1), date_to=D(2024, 3, 31),
                                slices=("owner",), granularity=Granularity.MONTH,
                                filters={"owner": (7, 8, None), "lead_source": ("web", None)})
    assert query.end_exclusive == D(2024, 4, 1)


def test_a_single_filter_value_is_a_list_of_one():
    assert build(filters={"owner": 5}).filters == {"owner": (5,)}


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"metrics": []}, "no_metrics", "metrics"),
    ({"metrics": [f"m{i}" for i in range(21)]}, "too_many_metrics", "metrics"),
    ({"metrics": ["revenue", "profit_of_dreams"]}, "unknown_metric", "metrics"),
    ({"metrics": "revenue"}, "unknown_metric", "metrics"),
    ({"metrics": [["revenue"]]}, "unknown_metric", "metrics"),
    ({"metrics": None}, "unknown_metric", "metrics"),
    ({"slices": ["owner", "team", "pipeline", "channel"]}, "too_many_slices", "slices"),
    ({"slices": ["colour"]}, "unknown_slice", "slices"),
    ({"slices": [1]}, "unknown_slice", "slices"),
    ({"granularity": "fortnight"}, "unknown_granularity", "granularity"),
    ({"granularity": None}, "unknown_granularity", "granularity"),
    ({"date_from": "yesterday"}, "invalid_date", "date_from"),
    ({"date_from": 20240101}, "invalid_date", "date_from"),
    ({"date_to": "2024-02-30"}, "invalid_date", "date_to"),
    ({"date_to": "9999-12-31"}, "invalid_date", "date_to"),
    ({"date_from": "0001-01-01"}, "invalid_date", "date_from"),
    ({"date_from": "2024-03-01", "date_to": "2024-02-29"}, "period_ends_before_start", "date_to"),
    ({"granularity": "day", "date_from": "2020-01-01"}, "too_many_buckets", "granularity"),
    ({"filters": ["owner"]}, "invalid_filter", "filters"),
    ({"filters": {"colour": ["red"]}}, "unknown_slice", "filters"),
    ({"filters": {"owner": []}}, "invalid_filter", "filters"),
    ({"filters": {"owner": list(range(MAX_FILTER_VALUES + 1))}}, "invalid_filter", "filters"),
    ({"filters": {"owner": ["seven"]}}, "invalid_filter", "filters"),
    ({"filters": {"owner": [True]}}, "invalid_filter", "filters"),
    ({"filters": {"owner": [1.5]}}, "invalid_filter", "filters"),
    ({"filters": {"owner": [2**70]}}, "invalid_filter", "filters"),
    ({"filters": {"owner": [{"id": 1}]}}, "invalid_filter", "filters"),
    ({"filters": {"lead_source": [5]}}, "invalid_filter", "filters"),
    ({"filters": {"lead_source": ["nul\x00byte"]}}, "invalid_filter", "filters"),
    ({"filters": {"lead_source": ["x" * 201]}}, "invalid_filter", "filters"),
    ({"slices": ["activity_type"]}, "slice_not_supported", "slices"),
    ({"filters": {"activity_type": ["call"]}}, "slice_not_supported", "filters"),
    ({"metrics": ["sales_cycle"], "slices": ["product"]}, "slice_not_supported", "slices"),
    ({"metrics": ["stage_conversion"]}, "slice_required", "slices"),
    ({"metrics": ["stalled_deals"], "granularity": "month"}, "metric_is_snapshot", "granularity"),
])
def test_each_error_has_its_code_and_field(changes, code, field):
    error = refused(**changes)
    assert error.code == code
    assert list(error.fields) == [field]
    assert error.fields[field] == [str(error.message)]
    assert error.as_dict()["code"] == code


def test_messages_quote_a_few_short_keys_only():
    error = refused(metrics=["x" * 5000, "y", "z"])
    assert len(str(error.message)) < 200


def test_the_limits_are_inclusive():
    assert len(build(slices=["owner", "team", "pipeline"]).slices) == 3
    assert build(granularity="day", date_from="2024-01-01", date_to="2025-02-03").granularity is Granularity.DAY
    assert len(build(filters={"owner": list(range(1, MAX_FILTER_VALUES + 1))}).filters["owner"]) == MAX_FILTER_VALUES
    assert build(date_from="2024-05-05", date_to="2024-05-05").end_exclusive == D(2024, 5, 6)


def test_every_catalogue_metric_builds_with_each_slice_it_supports():
    for metric in metrics_all():
        grain = "total" if metric.is_snapshot else "month"
        for slice_key in sorted(metric.slices):
            slices = sorted({slice_key, *metric.required_slices})
            query = build(metrics=[metric.key], slices=slices, granularity=grain)
            assert query.slices == tuple(slices)


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30) | st.binary(max_size=8)
    | st.dates() | st.datetimes() | st.sampled_from(["revenue", "owner", "month", "2024-01-01", "7", "", "total"]),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10) | st.sampled_from(
        ["owner", "lead_source", "product", "stage"]), children, max_size=4) | st.tuples(children, children),
    max_leaves=12,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(metrics=junk, date_from=junk, date_to=junk, slices=junk, granularity=junk, filters=junk)
def test_junk_only_ever_raises_a_metric_query_error(metrics, date_from, date_to, slices, granularity, filters):
    try:
        query = metric_query_build(metrics=metrics, date_from=date_from, date_to=date_to, slices=slices,
                                   granularity=granularity, filters=filters)
    except MetricQueryError as error:
        assert error.fields and error.code
    else:
        assert isinstance(query, MetricQuery)


@settings(max_examples=300, deadline=None)
@given(
    metrics=st.lists(st.sampled_from(["revenue", "win_rate", "new_leads", "stalled_deals", "stage_conversion",
                                      "activities_done", "sales_cycle", "nope"]), max_size=4),
    slices=st.lists(st.sampled_from(["owner", "team", "product", "stage", "activity_type", "lead_source", "x"]),
                    max_size=4),
    granularity=st.sampled_from([*Granularity, "hour"]),
    date_from=st.dates(min_value=D(1899, 1, 1), max_value=D(3001, 1, 1)),
    days=st.integers(min_value=-10, max_value=5000),
    filters=st.dictionaries(st.sampled_from(["owner", "lead_source", "product", "stage", "industry"]),
                            st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=3),
                            max_size=3),
)
def test_plausible_queries_either_build_or_name_a_field(metrics, slices, granularity, date_from, days, filters):
    try:
        date_to = date_from + dt.timedelta(days=days)
    except OverflowError:
        return
    try:
        query = metric_query_build(metrics=metrics, date_from=date_from, date_to=date_to, slices=slices,
                                   granularity=granularity, filters=filters)
    except MetricQueryError as error:
        assert set(error.fields) <= {"metrics", "slices", "granularity", "date_from", "date_to", "filters"}
    else:
        assert query.date_from <= query.date_to
