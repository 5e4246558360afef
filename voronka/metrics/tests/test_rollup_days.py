"""Which days a rollup answers and which the rows must: hand-worked ranges."""

from __future__ import annotations

import datetime as dt

from voronka.metrics.rollups.days import (
    chunked,
    complement,
    fewer_ranges,
    local_days_touched,
    ranges_of,
    split_period,
)


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2024, month, day)


def test_a_marked_utc_hour_is_the_local_day_it_falls_on():
    # 20:00–20:59 UTC on 10 March is 23:00–23:59 in Moscow; 21:00 UTC is already 11 March there
    assert local_days_touched([(d(10), 20)], time_zone="Europe/Moscow") == {d(10)}
    assert local_days_touched([(d(10), 21)], time_zone="Europe/Moscow") == {d(11)}
    # New York (UTC−5 in March before the switch on the 10th … −4 after): 03:00 UTC on the 12th is the 11th
    assert local_days_touched([(d(12), 3)], time_zone="America/New_York") == {d(11)}
    # an offset of half an hour splits an hour across midnight: 18:00–18:59 UTC is 23:30–00:29 in Kolkata
    assert local_days_touched([(d(10), 18)], time_zone="Asia/Kolkata") == {d(10), d(11)}
    # a date field has no time zone and no hour
    assert local_days_touched([(d(10), None), (d(12), None)], time_zone="Asia/Tokyo") == {d(10), d(12)}


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


def test_too_many_stretches_are_joined_across_the_shortest_gaps():
    ranges = [(d(1), d(2)), (d(4), d(5)), (d(5, 4), d(6, 4)), (d(7, 4), d(8, 4))]  # gaps: 2, 31, 1 days
    assert fewer_ranges(ranges, 4) == ranges
    assert fewer_ranges(ranges, 2) == [(d(1), d(5)), (d(5, 4), d(8, 4))]
    assert fewer_ranges(ranges, 1) == [(d(1), d(8, 4))]
    # and the rest of the period is what the rollup answers
    assert complement(d(1), d(10, 4), [(d(1), d(5)), (d(5, 4), d(8, 4))]) == [(d(5), d(5, 4)), (d(8, 4), d(10, 4))]
    assert complement(d(1), d(5), [(d(1), d(5))]) == []
