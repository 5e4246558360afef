"""Which days a rollup answers and which the rows must: hand-worked ranges."""

from __future__ import annotations

import datetime as dt

from voronka.metrics.rollups.days import chunked, local_days_touched, ranges_of, split_period


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2024, month, day)


def test_a_moment_on_a_utc_day_may_be_on_the_local_day_before_or_after_it():
    assert local_days_touched([d(10)], date_only=False) == {d(9), d(10), d(11)}
    # a date field has no time zone
    assert local_days_touched([d(10), d(12)], date_only=True) == {d(10), d(12)}


def test_days_become_ranges_and_close_ranges_are_joined():
    assert ranges_of([d(3), d(1), d(2), d(7)]) == [(d(1), d(4)), (d(7), d(8))]
    # 4, 5 and 6 March lie between 3 and 7 March: joined when up to 3 unchanged days may be, not 2
    assert ranges_of([d(3), d(7)], join_gap=3) == [(d(3), d(8))]
    assert ranges_of([d(3), d(7)], join_gap=2) == [(d(3), d(4)), (d(7), d(8))]
    assert ranges_of([]) == []


def test_the_period_splits_around_dirty_days_and_outside_the_coverage():
    # covered 5–24 March; 10 and 11 March changed since
    from_rollup, raw = split_period(d(1), d(1, 4), covered=(d(5), d(25)), dirty=[d(10), d(11), d(30, 1)])
    assert from_rollup == [(d(5), d(10)), (d(12), d(25))]
    assert raw == [(d(1), d(5)), (d(10), d(12)), (d(25), d(1, 4))]


def test_nothing_covered_means_every_day_from_the_rows():
    assert split_period(d(1), d(8), covered=None, dirty=[]) == ([], [(d(1), d(8))])
    # a coverage that ends before the period
    assert split_period(d(10), d(12), covered=(d(1), d(5)), dirty=[]) == ([], [(d(10), d(12))])


def test_a_fully_covered_clean_period_is_all_rollup():
    assert split_period(d(1), d(8), covered=(d(1, 1), d(1, 12)), dirty=[d(20)]) == ([(d(1), d(8))], [])


def test_long_ranges_are_cut_into_chunks():
    assert chunked([(d(1), d(11)), (d(20), d(22))], 4) == [
        (d(1), d(5)), (d(5), d(9)), (d(9), d(11)), (d(20), d(22))]
