"""Control limits of an individuals (XmR) chart, by hand and against pandas."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.goals.stats.spc import D2, xmr_limits


def test_xmr_limits_by_hand() -> None:
    # mean 11; moving ranges 2, 1, 2, 4 → 2.25; sigma = 2.25 / 1.128 = 1.99468…; 3σ = 5.98404…
    limits = xmr_limits([10, 12, 11, 13, 9])
    assert limits.centre == pytest.approx(11.0)
    assert limits.sigma == pytest.approx(2.25 / 1.128)
    assert limits.upper == pytest.approx(11 + 3 * 2.25 / 1.128)
    assert limits.lower == pytest.approx(11 - 3 * 2.25 / 1.128)
    assert limits.side(17.0) == "above" and limits.side(4.9) == "below" and limits.side(11.0) is None
    assert xmr_limits([10, 12, 11, 13, 9], k=2).upper == pytest.approx(11 + 2 * 2.25 / 1.128)


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=60))
def test_matches_pandas(values: list[float]) -> None:
    series = pd.Series(values)
    sigma = series.diff().abs().mean() / D2
    limits = xmr_limits(values)
    assert limits.centre == pytest.approx(series.mean(), abs=1e-6)
    assert limits.sigma == pytest.approx(sigma, abs=1e-6)
    assert limits.upper == pytest.approx(series.mean() + 3 * sigma, abs=1e-6)


def test_needs_two_values() -> None:
    with pytest.raises(ValueError):
        xmr_limits([1.0])
