"""Control limits from a metric's history: the individuals and moving range (XmR) chart (pure).

The centre line is the mean of the individual values; sigma is estimated from the average
moving range (|x_i − x_{i−1}|) divided by the bias-correction constant d2 = 1.128 for ranges of
two (Wheeler, *Understanding Statistical Process Control*; NIST/SEMATECH e-Handbook 6.3.2).
A value outside centre ± k·sigma (k = 3 by default) signals a change worth a look. The moving
range keeps one unusual period from inflating sigma the way a plain standard deviation would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

D2 = 1.128  # E[range of 2 normal observations] / sigma
MIN_POINTS = 4


@dataclass(frozen=True)
class ControlLimits:
    centre: float
    sigma: float
    lower: float
    upper: float
    points: int
    k: float

    def outside(self, value: float) -> bool:
        return value < self.lower or value > self.upper

    def side(self, value: float) -> str | None:
        if value > self.upper:
            return "above"
        if value < self.lower:
            return "below"
        return None


def xmr_limits(values: Sequence[float], k: float = 3.0) -> ControlLimits:
    """Limits of the individuals chart for `values` (oldest first; at least two)."""
    data = np.asarray([float(v) for v in values], dtype=np.float64)
    if data.size < 2:
        raise ValueError("control limits need at least two values")
    centre = float(data.mean())
    sigma = float(np.abs(np.diff(data)).mean() / D2)
    return ControlLimits(centre=centre, sigma=sigma, lower=centre - k * sigma, upper=centre + k * sigma,
                         points=int(data.size), k=k)
