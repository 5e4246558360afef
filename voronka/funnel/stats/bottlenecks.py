"""Which slices (team, rep, channel, …) do worse than the company at a stage, beyond noise.

For each slice and each open stage two comparisons are made against the rest of the company:

* conversion to the next stage: a two-proportion z-test (statsmodels), or Fisher's exact test when
  an expected cell count is below 5;
* time in stage (completed stays): a Mann-Whitney U test, computed from one ranking of all stays of
  the stage so that hundreds of slices cost one sort (equal to scipy's asymptotic test with
  continuity correction; the tests check that).

Slices with fewer than `min_entries` deals at the stage (or `min_stays` stays), or whose rest is as
small, are not tested at all, so a handful of deals never alarms. The p-values of every comparison
made go through Benjamini-Hochberg (statsmodels `multipletests`, fdr_bh); a finding needs q below
`alpha` and a slice that does worse than the company.

Revenue lost at a stage = (company rate − slice rate) × deals of the slice at the stage × the
average amount of those deals × the company's chance that a deal past the stage is won: the
deals the slice lost beyond the company's rate, valued at what such deals bring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import fisher_exact, norm, rankdata, tiecorrect
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from .funnel import DAY

Array = np.ndarray

CONVERSION, TIME = "conversion", "time"


@dataclass(frozen=True)
class Slice:
    dimension: str  # "team", "owner", "channel", "lead_source", "product", "industry"
    key: str
    label: str
    rows: Array  # deal rows (indices into the cohort) that belong to the slice


@dataclass(frozen=True)
class Comparison:
    kind: str  # CONVERSION or TIME
    dimension: str
    key: str
    label: str
    step: int  # the stage (open step index); conversion is to the next step
    n: int  # deals at the stage (conversion) or completed stays (time) in the slice
    value: float  # slice conversion rate, or slice median days
    company: float  # company conversion rate, or company median days
    rest: float  # the rest of the company: rate or median days
    low: float | None  # Wilson 95% interval of the slice rate (conversion only)
    high: float | None
    p: float
    q: float = 1.0
    revenue_lost: float = 0.0  # conversion only; over the period
    worse: bool = False

    @property
    def more_losses(self) -> float | None:
        """How many more deals the slice loses at the stage than the company, relatively (0.38 = 38% more)."""
        if self.kind != CONVERSION or self.company >= 1:
            return None
        return (1 - self.value) / (1 - self.company) - 1

    @property
    def extra_days(self) -> float:
        return self.value - self.company if self.kind == TIME else 0.0


@dataclass(frozen=True)
class Scan:
    findings: list[Comparison]  # conversion findings by revenue lost, then time findings by extra days × stays
    comparisons: list[Comparison]  # every comparison made, with its q-value
    skipped_small: int  # slice × stage pairs too small to test

    @property
    def tested(self) -> int:
        return len(self.comparisons)


def _proportion_p(x: int, n: int, rest_x: int, rest_n: int) -> float:
    total, successes = n + rest_n, x + rest_x
    expected = np.outer([n, rest_n], [successes, total - successes]) / total
    if expected.min() < 5:
        return float(fisher_exact([[x, n - x], [rest_x, rest_n - rest_x]])[1])
    _z, p = proportions_ztest([x, rest_x], [n, rest_n])
    return float(p)


def mann_whitney_from_ranks(ranks: Array, in_slice: Array, tie_factor: float) -> float:
    """Two-sided asymptotic Mann-Whitney p-value with continuity correction, from precomputed ranks.

    `tie_factor` is scipy.stats.tiecorrect of the same ranks; equal to scipy.stats.mannwhitneyu(
    method="asymptotic", use_continuity=True).
    """
    n1 = int(in_slice.sum())
    n2 = len(ranks) - n1
    if n1 == 0 or n2 == 0:
        return 1.0
    u1 = ranks[in_slice].sum() - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    mu = n1 * n2 / 2
    n = n1 + n2
    sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - (1 - tie_factor) * (n**3 - n) / (n * (n - 1))))
    if sigma == 0:
        return 1.0
    z = (u - mu - 0.5) / sigma
    return float(min(2 * norm.sf(z), 1.0))


def scan(*, furthest: Array, amount: Array, n_open: int, slices: Sequence[Slice],
         stay_deal: Array | None = None, stay_step: Array | None = None, stay_seconds: Array | None = None,
         min_entries: int = 30, min_stays: int = 20, alpha: float = 0.05) -> Scan:
    """Compare every slice with the rest of the company at every open stage; see the module docstring."""
    n_deals = len(furthest)
    comparisons: list[Comparison] = []
    skipped = 0
    reached_all = np.array([(furthest >= i).sum() for i in range(n_open + 1)], dtype=np.int64)
    for i in range(n_open):
        big_n, big_x = int(reached_all[i]), int(reached_all[i + 1])
        if big_n == 0:
            continue
        company = big_x / big_n
        downstream = reached_all[n_open] / big_x if big_x else 0.0
        for piece in slices:
            at_stage = piece.rows[furthest[piece.rows] >= i]
            n = len(at_stage)
            x = int((furthest[at_stage] >= i + 1).sum())
            rest_n, rest_x = big_n - n, big_x - x
            if n < min_entries or rest_n < min_entries:
                skipped += 1
                continue
            if big_x in (0, big_n):
                continue  # no variation at all: nothing to compare
            rate = x / n
            low, high = proportion_confint(x, n, alpha=0.05, method="wilson")
            lost = max(company - rate, 0.0) * n * float(amount[at_stage].mean()) * downstream
            comparisons.append(Comparison(
                kind=CONVERSION, dimension=piece.dimension, key=piece.key, label=piece.label, step=i, n=n,
                value=rate, company=company, rest=rest_x / rest_n, low=float(low), high=float(high),
                p=_proportion_p(x, n, rest_x, rest_n), revenue_lost=lost,
            ))
    if stay_deal is not None and stay_step is not None and stay_seconds is not None:
        comparisons += _time_comparisons(n_deals, n_open, slices, stay_deal, stay_step, stay_seconds, min_stays)
    if not comparisons:
        return Scan([], [], skipped)
    _reject, q, _s, _b = multipletests([c.p for c in comparisons], alpha=alpha, method="fdr_bh")
    rated = []
    for comparison, q_value in zip(comparisons, q, strict=True):
        worse = bool(q_value < alpha) and (
            comparison.value < comparison.rest if comparison.kind == CONVERSION else comparison.value > comparison.rest
        )
        rated.append(_with(comparison, q=float(q_value), worse=worse))
    conversion = sorted((c for c in rated if c.worse and c.kind == CONVERSION),
                        key=lambda c: (-c.revenue_lost, c.q, c.dimension, c.key, c.step))
    slower = sorted((c for c in rated if c.worse and c.kind == TIME),
                    key=lambda c: (-c.extra_days * c.n, c.q, c.dimension, c.key, c.step))
    return Scan(conversion + slower, rated, skipped)


def _with(comparison: Comparison, **changes: object) -> Comparison:
    from dataclasses import replace

    return replace(comparison, **changes)  # type: ignore[arg-type]


def _time_comparisons(n_deals: int, n_open: int, slices: Sequence[Slice], stay_deal: Array, stay_step: Array,
                      stay_seconds: Array, min_stays: int) -> list[Comparison]:
    found = []
    members = []
    for piece in slices:
        mask = np.zeros(n_deals, dtype=bool)
        mask[piece.rows] = True
        members.append(mask)
    for i in range(n_open):
        at = stay_step == i
        days = stay_seconds[at] / DAY
        deals = stay_deal[at]
        if len(days) < 2 * min_stays:
            continue
        ranks = rankdata(days)
        ties = tiecorrect(ranks)
        company = float(np.median(days))
        for piece, mask in zip(slices, members, strict=True):
            in_slice = mask[deals]
            n1 = int(in_slice.sum())
            if n1 < min_stays or len(days) - n1 < min_stays:
                continue
            found.append(Comparison(
                kind=TIME, dimension=piece.dimension, key=piece.key, label=piece.label, step=i, n=n1,
                value=float(np.median(days[in_slice])), company=company, rest=float(np.median(days[~in_slice])),
                low=None, high=None, p=mann_whitney_from_ranks(ranks, in_slice, ties),
            ))
    return found
