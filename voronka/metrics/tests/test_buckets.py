"""Time buckets: local calendar periods cut to the queried range, against hand-worked examples and properties."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.metrics.buckets import MAX_BUCKETS, Bucket, Granularity, bucket_count, buckets_for

D = dt.date


def test_total_is_one_bucket_over_the_whole_range():
    assert buckets_for(Granularity.TOTAL, D(2024, 1, 15), D(2024, 3, 1)) == [
        Bucket("total", D(2024, 1, 15), D(2024, 3, 1))
    ]


def test_an_empty_range_has_no_buckets():
    for grain in Granularity:
        assert buckets_for(grain, D(2024, 1, 1), D(2024, 1, 1)) == []
        assert bucket_count(grain, D(2024, 1, 1), D(2024, 1, 1)) == 0


def test_days():
    assert buckets_for(Granularity.DAY, D(2024, 2, 28), D(2024, 3, 2)) == [
        Bucket("2024-02-28", D(2024, 2, 28), D(2024, 2, 29)),
        Bucket("2024-02-29", D(2024, 2, 29), D(2024, 3, 1)),
        Bucket("2024-03-01", D(2024, 3, 1), D(2024, 3, 2)),
    ]


def test_iso_weeks_start_on_monday_and_the_partial_ends_are_cut():
    # given 2024-12-25 (a Wednesday) to 2025-01-09 (a Thursday), end exclusive
    buckets = buckets_for(Granularity.WEEK, D(2024, 12, 25), D(2025, 1, 9))
    # then the first week is cut to start on Wednesday, the ISO year of the week of 30 Dec is 2025
    assert buckets == [
        Bucket("2024-W52", D(2024, 12, 25), D(2024, 12, 30)),
        Bucket("2025-W01", D(2024, 12, 30), D(2025, 1, 6)),
        Bucket("2025-W02", D(2025, 1, 6), D(2025, 1, 9)),
    ]


def test_week_53():
    assert buckets_for(Granularity.WEEK, D(2020, 12, 28), D(2021, 1, 4)) == [
        Bucket("2020-W53", D(2020, 12, 28), D(2021, 1, 4))
    ]


def test_months_with_partial_first_and_last():
    assert buckets_for(Granularity.MONTH, D(2024, 1, 15), D(2024, 4, 10)) == [
        Bucket("2024-01", D(2024, 1, 15), D(2024, 2, 1)),
        Bucket("2024-02", D(2024, 2, 1), D(2024, 3, 1)),
        Bucket("2024-03", D(2024, 3, 1), D(2024, 4, 1)),
        Bucket("2024-04", D(2024, 4, 1), D(2024, 4, 10)),
    ]


def test_whole_months_are_not_cut():
    assert buckets_for(Granularity.MONTH, D(2024, 12, 1), D(2025, 2, 1)) == [
        Bucket("2024-12", D(2024, 12, 1), D(2025, 1, 1)),
        Bucket("2025-01", D(2025, 1, 1), D(2025, 2, 1)),
    ]


def test_quarters_and_years():
    assert buckets_for(Granularity.QUARTER, D(2024, 2, 10), D(2024, 10, 2)) == [
        Bucket("2024-Q1", D(2024, 2, 10), D(2024, 4, 1)),
        Bucket("2024-Q2", D(2024, 4, 1), D(2024, 7, 1)),
        Bucket("2024-Q3", D(2024, 7, 1), D(2024, 10, 1)),
        Bucket("2024-Q4", D(2024, 10, 1), D(2024, 10, 2)),
    ]
    assert buckets_for(Granularity.YEAR, D(2023, 6, 1), D(2025, 1, 1)) == [
        Bucket("2023", D(2023, 6, 1), D(2024, 1, 1)),
        Bucket("2024", D(2024, 1, 1), D(2025, 1, 1)),
    ]


def test_a_single_day_in_every_granularity():
    for grain in Granularity:
        (bucket,) = buckets_for(grain, D(2024, 5, 5), D(2024, 5, 6))
        assert (bucket.start, bucket.end) == (D(2024, 5, 5), D(2024, 5, 6))


@pytest.mark.parametrize(("grain", "start", "end", "count"), [
    (Granularity.DAY, D(2024, 1, 1), D(2025, 1, 1), 366),
    (Granularity.WEEK, D(2024, 1, 1), D(2024, 1, 8), 1),
    (Granularity.WEEK, D(2024, 1, 7), D(2024, 1, 9), 2),
    (Granularity.MONTH, D(2023, 1, 31), D(2025, 1, 1), 24),
    (Granularity.QUARTER, D(2024, 3, 31), D(2024, 4, 2), 2),
    (Granularity.YEAR, D(1990, 1, 1), D(2026, 1, 1), 36),
])
def test_bucket_count_by_hand(grain, start, end, count):
    assert bucket_count(grain, start, end) == count == len(buckets_for(grain, start, end))


def test_max_buckets_is_the_limit_a_query_checks():
    # a year and a month of days is more than the limit, a year of days is not
    assert bucket_count(Granularity.DAY, D(2024, 1, 1), D(2025, 1, 1)) <= MAX_BUCKETS
    assert bucket_count(Granularity.DAY, D(2024, 1, 1), D(2025, 2, 15)) > MAX_BUCKETS


dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2060, 12, 31))


@given(grain=st.sampled_from(list(Granularity)), start=dates, days=st.integers(min_value=1, max_value=1500))
def test_buckets_tile_the_range_in_order_and_count_matches(grain, start, days):
    end = start + dt.timedelta(days=days)
    buckets = buckets_for(grain, start, end)
    # they cover [start, end) without gaps or overlaps
    assert buckets[0].start == start and buckets[-1].end == end
    for before, after in itertools.pairwise(buckets):
        assert before.end == after.start
    assert all(b.start < b.end for b in buckets)
    # keys are unique and the count needs no building
    assert len({b.key for b in buckets}) == len(buckets)
    assert bucket_count(grain, start, end) == len(buckets)
    # every day inside a bucket shares its key
    for bucket in buckets[:3]:
        for offset in range(min(3, (bucket.end - bucket.start).days)):
            (same,) = buckets_for(grain, bucket.start + dt.timedelta(days=offset),
                                  bucket.start + dt.timedelta(days=offset + 1))
            assert same.key == bucket.key
