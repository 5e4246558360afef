"""Splitting a target: parts proportional to the weights, whole quanta, summing exactly (largest remainder)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.goals.stats.allocation import AllocationError, allocate, shares_of

KOPECK = Decimal("0.01")


def test_hand_worked_split_by_history() -> None:
    # 1,000,000.00 by shares 3 : 2 : 1 → 500,000.00, 333,333.33(3…), 166,666.66(6…):
    # floors give 999,999.99; the last kopeck goes to the largest fraction (.666… > .333…)
    assert allocate(Decimal("1000000.00"), [3, 2, 1], KOPECK) == [
        Decimal("500000.00"), Decimal("333333.33"), Decimal("166666.67")]


def test_equal_split_gives_the_remainder_to_the_first_parts() -> None:
    # 100.00 in three: 33.33 each and one kopeck left, all fractions equal → the first part
    assert allocate(Decimal("100.00"), [1, 1, 1], KOPECK) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    # 10 deals in four: 2.5 each → two remainders go to the first two
    assert allocate(Decimal(10), [1, 1, 1, 1], Decimal(1)) == [Decimal(3), Decimal(3), Decimal(2), Decimal(2)]


def test_no_positive_weight_means_equal_and_negatives_count_as_zero() -> None:
    assert allocate(Decimal("9.00"), [0, 0, 0], KOPECK) == [Decimal("3.00")] * 3
    assert allocate(Decimal("9.00"), [-5, 1, 2], KOPECK) == [Decimal("0.00"), Decimal("3.00"), Decimal("6.00")]
    assert shares_of([0, 0]) == [0.5, 0.5]
    assert shares_of([Decimal("1"), Decimal("3")]) == [0.25, 0.75]


def test_refuses_a_total_that_is_not_whole_quanta() -> None:
    with pytest.raises(AllocationError):
        allocate(Decimal("10.005"), [1, 1], KOPECK)
    with pytest.raises(AllocationError):
        allocate(Decimal("10"), [], KOPECK)


@given(
    total_kopecks=st.integers(min_value=0, max_value=10**13),
    weights=st.lists(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
                     min_size=1, max_size=30),
)
def test_parts_always_sum_exactly_and_stay_within_a_kopeck_of_their_share(total_kopecks: int,
                                                                          weights: list[Decimal]) -> None:
    total = Decimal(total_kopecks) * KOPECK
    parts = allocate(total, weights, KOPECK)
    assert sum(parts, Decimal(0)) == total
    assert all(part == part.quantize(KOPECK) and part >= 0 for part in parts)
    whole = sum(weights, Decimal(0))
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / whole if whole else total / len(weights)
        assert abs(part - exact) < KOPECK
    assert allocate(total, weights, KOPECK) == parts  # deterministic
