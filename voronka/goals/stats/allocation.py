"""Splitting a target into parts that sum to it exactly (pure: numbers in, numbers out).

The largest-remainder (Hamilton) method: every part gets the whole number of quanta its share
entitles it to, and the quanta left over go one each to the parts with the largest fractional
remainders; a tie goes to the earlier part, so the same input always gives the same split.
Exact arithmetic throughout (Fractions), so the parts add up to the total to the last kopeck.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

Weight = Decimal | int | float | Fraction


class AllocationError(ValueError):
    pass


def _fraction(value: Weight) -> Fraction:
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def allocate(total: Decimal, weights: Sequence[Weight], quantum: Decimal) -> list[Decimal]:
    """Parts of `total` proportional to `weights`, each a multiple of `quantum`, summing exactly to `total`.

    Negative weights count as zero; when every weight is zero the split is equal.
    """
    if not weights:
        raise AllocationError("nothing to allocate to")
    if quantum <= 0:
        raise AllocationError("the quantum must be positive")
    units_exact = Fraction(total) / Fraction(quantum)
    if units_exact.denominator != 1 or units_exact < 0:
        raise AllocationError("the total must be a non-negative multiple of the quantum")
    units = int(units_exact)
    shares = [max(_fraction(w), Fraction(0)) for w in weights]
    whole = sum(shares, Fraction(0))
    if whole == 0:
        shares = [Fraction(1)] * len(weights)
        whole = Fraction(len(weights))
    raw = [units * share / whole for share in shares]
    floors = [math.floor(value) for value in raw]
    left = units - sum(floors)
    # Largest remainder first; ties by position (sorted() is stable).
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for index in order[:left]:
        floors[index] += 1
    return [Decimal(count) * quantum for count in floors]


def shares_of(weights: Sequence[Weight]) -> list[float]:
    """Each weight's share of the positive total (equal shares when nothing is positive)."""
    clipped = [max(_fraction(w), Fraction(0)) for w in weights]
    whole = sum(clipped, Fraction(0))
    if whole == 0:
        return [1 / len(weights)] * len(weights) if weights else []
    return [float(w / whole) for w in clipped]
