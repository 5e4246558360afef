"""One cohort of deals followed through a pipeline's stages, from plain arrays.

The cohort is every deal created in the period, followed to today, so deals that were lost or are
still open count and nothing is survivor-biased. A deal counts at every stage up to the furthest
it reached: a deal that skipped a stage passed it, a deal that moved back keeps the stages it had
reached. Won deals reach the won step; every other deal stops at its furthest open stage, where it
is either lost or still open. Hence at each step `reached = reached at the next step + lost here +
open here`: the Sankey balances and the cumulative conversion never rises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from statsmodels.stats.proportion import proportion_confint

DAY = 86_400.0
OPEN, WON, LOST = 0, 1, 2
STATUS_CODES = {"open": OPEN, "won": WON, "lost": LOST}
SMALL_COHORT = 30

Array = np.ndarray


@dataclass(frozen=True)
class StageSpec:
    id: int
    name: str
    kind: str  # "open", "won" or "lost"
    order: int = 0
    probability: int = 0
    stalled_after_days: int | None = None


@dataclass
class Cohort:
    """One row per deal."""

    created: Array  # epoch seconds
    status: Array  # OPEN, WON, LOST
    amount: Array  # float, workspace currency
    stage: Array  # current stage id
    closed: Array  # epoch seconds, -1 while open
    lost_reason: Array  # id, -1 for none

    @property
    def size(self) -> int:
        return len(self.created)

    @classmethod
    def empty(cls) -> Cohort:
        ints = np.zeros(0, dtype=np.int64)
        return cls(ints, ints, np.zeros(0), ints, ints, ints)

    def take(self, rows: Array) -> Cohort:
        return Cohort(self.created[rows], self.status[rows], self.amount[rows], self.stage[rows],
                      self.closed[rows], self.lost_reason[rows])


@dataclass
class Moves:
    """Stage entries, creation included: one row per transition, sorted by (deal row, time)."""

    deal: Array  # row in the Cohort
    stage: Array  # stage id entered
    at: Array  # epoch seconds

    @classmethod
    def empty(cls) -> Moves:
        ints = np.zeros(0, dtype=np.int64)
        return cls(ints, ints, ints)

    def sorted(self) -> Moves:
        order = np.lexsort((self.at, self.deal))
        return Moves(self.deal[order], self.stage[order], self.at[order])


class Steps:
    """The funnel's steps: the open stages in order, then one won step for every won-kind stage."""

    def __init__(self, stages: Sequence[StageSpec]) -> None:
        ordered = sorted(stages, key=lambda s: (s.order, s.id))
        self.open = [s for s in ordered if s.kind == "open"]
        self.won_stages = [s for s in ordered if s.kind == "won"]
        self.n_open = len(self.open)
        self.won = self.n_open  # index of the won step
        self.count = self.n_open + 1
        index = {s.id: i for i, s in enumerate(self.open)}
        index.update({s.id: self.won for s in self.won_stages})
        self._keys = np.array(sorted(index), dtype=np.int64)
        self._values = np.array([index[k] for k in sorted(index)], dtype=np.int64)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.open] + [self.won_stages[0].name if self.won_stages else "Won"]

    def of(self, stage_ids: Array) -> Array:
        """The step of each stage id; -1 for lost stages and ids of other pipelines."""
        stage_ids = np.asarray(stage_ids, dtype=np.int64)
        if not len(self._keys) or not len(stage_ids):
            return np.full(len(stage_ids), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._keys, stage_ids), len(self._keys) - 1)
        return np.where(self._keys[pos] == stage_ids, self._values[pos], -1)


def furthest_step(cohort: Cohort, moves: Moves, steps: Steps) -> Array:
    """How far each deal got: the won step for won deals, else its furthest open stage (at least the first)."""
    furthest = np.zeros(cohort.size, dtype=np.int64)
    if len(moves.deal):
        np.maximum.at(furthest, moves.deal, steps.of(moves.stage))
    furthest = np.maximum(furthest, steps.of(cohort.stage))
    # Only a deal that is won now counts as won (won, reopened and lost again stops where it stopped).
    last_open = max(steps.n_open - 1, 0)
    furthest = np.where(cohort.status == WON, steps.won, np.minimum(furthest, last_open))
    return furthest


@dataclass(frozen=True)
class Stays:
    """Completed stays in open stages: who, which step, how long; and how many stays are still running."""

    deal: Array
    step: Array
    seconds: Array
    running: Array  # per step: open deals still in that stage (not part of the quantiles)


def stays(cohort: Cohort, moves: Moves, steps: Steps) -> Stays:
    """Each entry into an open stage ends at the deal's next transition; the last entry of an open deal runs on."""
    step = steps.of(moves.stage)
    running = np.zeros(max(steps.n_open, 1), dtype=np.int64)
    if not len(moves.deal):
        ints = np.zeros(0, dtype=np.int64)
        return Stays(ints, ints, np.zeros(0), running[: steps.n_open])
    same_deal = moves.deal[1:] == moves.deal[:-1]
    done = np.flatnonzero(same_deal)
    keep = done[(step[done] >= 0) & (step[done] < steps.n_open)]
    seconds = (moves.at[keep + 1] - moves.at[keep]).astype(np.float64)
    last = np.append(~same_deal, True)
    current = last & (step >= 0) & (step < steps.n_open) & (cohort.status[moves.deal] == OPEN)
    if steps.n_open:
        running = np.bincount(step[current], minlength=steps.n_open)
    return Stays(moves.deal[keep], step[keep], seconds, running[: steps.n_open])


def moved_back_deals(moves: Moves, steps: Steps) -> int:
    """Deals that at least once went to an earlier open stage than the one they were in."""
    if len(moves.deal) < 2:
        return 0
    step = steps.of(moves.stage)
    back = (moves.deal[1:] == moves.deal[:-1]) & (step[1:] >= 0) & (step[:-1] >= 0) & (step[1:] < step[:-1])
    return len(np.unique(moves.deal[1:][back]))


@dataclass(frozen=True)
class TimeInStage:
    count: int
    running: int
    median_days: float | None
    p75_days: float | None
    p90_days: float | None


def time_in_stage(seconds: Array, running: int = 0) -> TimeInStage:
    if not len(seconds):
        return TimeInStage(0, running, None, None, None)
    median, p75, p90 = np.percentile(seconds / DAY, [50, 75, 90])
    return TimeInStage(len(seconds), running, float(median), float(p75), float(p90))


@dataclass(frozen=True)
class Step:
    index: int
    stage_id: int | None  # None for the won step
    name: str
    is_won: bool
    reached: int
    reached_amount: float
    entered_directly: int
    skipped: int  # reached without entering (the deal jumped over it)
    lost_here: int
    lost_amount: float
    open_here: int
    conversion: float | None  # to the next step
    conversion_low: float | None  # Wilson 95% interval
    conversion_high: float | None
    cumulative: float | None  # reached / reached at the first step
    time: TimeInStage | None
    lost_reasons: list[tuple[int, int]] = field(default_factory=list)  # (reason id or -1, deals), most first


@dataclass(frozen=True)
class Velocity:
    """Sales velocity = opportunities × win rate × average won deal ÷ cycle length (revenue per day)."""

    opportunities: int
    won: int
    lost: int
    win_rate: float | None  # won ÷ (won + lost)
    average_won: float | None
    cycle_days: float | None  # mean days from creation to won
    per_day: float | None


@dataclass(frozen=True)
class CohortRow:
    label: str
    created: int
    reached: list[int]  # per step, the won step last
    won: int
    lost: int
    open: int

    def share(self, step: int) -> float | None:
        return self.reached[step] / self.created if self.created else None


@dataclass(frozen=True)
class FunnelResult:
    steps: list[Step]
    deals: int
    won: int
    lost: int
    open: int
    won_amount: float
    velocity: Velocity
    cohorts: list[CohortRow]
    moved_back: int
    skipped_deals: int
    notices: list[str]

    @property
    def overall_conversion(self) -> float | None:
        return self.won / self.deals if self.deals else None

    def sankey(self) -> tuple[list[str], list[tuple[int, int, int]]]:
        """Nodes (steps, then "lost", then "open") and links (source, target, deals) of the flow diagram."""
        names = [step.name for step in self.steps]
        lost_node, open_node = len(names), len(names) + 1
        links: list[tuple[int, int, int]] = []
        for step in self.steps[:-1]:
            following = self.steps[step.index + 1].reached
            if following:
                links.append((step.index, step.index + 1, following))
            if step.lost_here:
                links.append((step.index, lost_node, step.lost_here))
            if step.open_here:
                links.append((step.index, open_node, step.open_here))
        return [*names, "lost", "open"], links


def _cumulative_from_end(counts: Array) -> Array:
    return np.cumsum(counts[::-1])[::-1]


def _wilson(successes: Array, trials: Array) -> tuple[Array, Array]:
    low = np.full(len(trials), np.nan)
    high = np.full(len(trials), np.nan)
    ok = trials > 0
    if ok.any():
        low[ok], high[ok] = proportion_confint(successes[ok], trials[ok], alpha=0.05, method="wilson")
    return low, high


def _maybe(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _distinct_pairs(rows: Array, steps: Array, width: int) -> tuple[Array, Array]:
    """Distinct (row, step) pairs, via one integer key per pair (np.unique on 2-D rows is far slower)."""
    keys = np.unique(rows.astype(np.int64) * width + steps)
    return keys // width, keys % width


def _entered(cohort: Cohort, moves: Moves, steps: Steps, furthest: Array) -> Array:
    """Deals per step that actually entered it (a transition into it, or sitting in it without one)."""
    rows = np.concatenate([moves.deal, np.arange(cohort.size)]).astype(np.int64)
    step = np.concatenate([steps.of(moves.stage), steps.of(cohort.stage)])
    keep = step >= 0
    rows, step = rows[keep], step[keep]
    keep = step <= furthest[rows]
    _rows, entered_steps = _distinct_pairs(rows[keep], step[keep], steps.count)
    return np.bincount(entered_steps, minlength=steps.count)[: steps.count]


def _lost_reasons(cohort: Cohort, furthest: Array, n_steps: int) -> list[list[tuple[int, int]]]:
    lost = cohort.status == LOST
    reasons: list[list[tuple[int, int]]] = [[] for _ in range(n_steps)]
    if not lost.any():
        return reasons
    ids, index = np.unique(cohort.lost_reason[lost], return_inverse=True)
    keys, counts = np.unique(furthest[lost] * len(ids) + index, return_counts=True)
    for key, count in zip(keys.tolist(), counts.tolist(), strict=True):
        reasons[key // len(ids)].append((int(ids[key % len(ids)]), count))
    for entries in reasons:
        entries.sort(key=lambda item: (-item[1], item[0]))
    return reasons


def velocity(cohort: Cohort) -> Velocity:
    won = cohort.status == WON
    n_won, n_lost = int(won.sum()), int((cohort.status == LOST).sum())
    decided = n_won + n_lost
    win_rate = n_won / decided if decided else None
    average = float(cohort.amount[won].mean()) if n_won else None
    cycle = float(((cohort.closed[won] - cohort.created[won]) / DAY).mean()) if n_won else None
    per_day = None
    if win_rate is not None and average is not None and cycle:
        per_day = cohort.size * win_rate * average / cycle
    return Velocity(cohort.size, n_won, n_lost, win_rate, average, cycle, per_day)


def cohort_rows(cohort: Cohort, furthest: Array, n_steps: int,
                months: Sequence[tuple[str, int, int]]) -> list[CohortRow]:
    """Conversion by creation month: `months` are (label, first second, end second) in the workspace zone."""
    rows = []
    for label, start, end in months:
        inside = (cohort.created >= start) & (cohort.created < end)
        reached = _cumulative_from_end(np.bincount(furthest[inside], minlength=n_steps)[:n_steps])
        status = cohort.status[inside]
        rows.append(CohortRow(label, int(inside.sum()), [int(x) for x in reached], int((status == WON).sum()),
                              int((status == LOST).sum()), int((status == OPEN).sum())))
    return rows


def analyze(cohort: Cohort, moves: Moves, stages: Sequence[StageSpec],
            months: Sequence[tuple[str, int, int]] = ()) -> FunnelResult:
    """The funnel of one cohort; never raises on empty, tiny or odd data, it says so in `notices`."""
    steps = Steps(stages)
    notices: list[str] = []
    if cohort.size == 0:
        notices.append("no_deals")
    elif cohort.size < SMALL_COHORT:
        notices.append("small_sample")
    if steps.n_open == 0:
        notices.append("no_open_stages")
    elif steps.n_open == 1:
        notices.append("one_stage")
    if not steps.won_stages:
        notices.append("no_won_stage")
    furthest = furthest_step(cohort, moves, steps)
    n_steps = steps.count
    per_step = np.bincount(furthest, minlength=n_steps)[:n_steps]
    reached = _cumulative_from_end(per_step)
    amount_per_step = np.bincount(furthest, weights=cohort.amount, minlength=n_steps)[:n_steps]
    reached_amount = _cumulative_from_end(amount_per_step)
    is_lost, is_open = cohort.status == LOST, cohort.status == OPEN
    lost_here = np.bincount(furthest[is_lost], minlength=n_steps)[:n_steps]
    lost_amount = np.bincount(furthest[is_lost], weights=cohort.amount[is_lost], minlength=n_steps)[:n_steps]
    open_here = np.bincount(furthest[is_open], minlength=n_steps)[:n_steps]
    entered = _entered(cohort, moves, steps, furthest)
    skipped = np.maximum(reached - entered, 0)
    nxt = np.append(reached[1:], 0)
    trials = reached[:-1]
    low, high = _wilson(nxt[:-1], trials)
    the_stays = stays(cohort, moves, steps)
    reasons = _lost_reasons(cohort, furthest, n_steps)
    names = steps.names
    result_steps = []
    for i in range(n_steps):
        is_won = i == steps.won
        conversion = low_i = high_i = None
        if not is_won and reached[i]:
            conversion = float(nxt[i] / reached[i])
            low_i, high_i = _maybe(low[i]), _maybe(high[i])
        time = None
        if not is_won:
            time = time_in_stage(the_stays.seconds[the_stays.step == i], int(the_stays.running[i]))
        result_steps.append(Step(
            index=i, stage_id=None if is_won else steps.open[i].id, name=names[i], is_won=is_won,
            reached=int(reached[i]), reached_amount=float(reached_amount[i]), entered_directly=int(entered[i]),
            skipped=int(skipped[i]), lost_here=int(lost_here[i]), lost_amount=float(lost_amount[i]),
            open_here=int(open_here[i]), conversion=conversion, conversion_low=low_i, conversion_high=high_i,
            cumulative=float(reached[i] / reached[0]) if reached[0] else None, time=time,
            lost_reasons=reasons[i],
        ))
    skipped_deals = _skipped_deals(cohort, moves, steps, furthest)
    if skipped_deals:
        notices.append("skipped_stages")
    back = moved_back_deals(moves, steps)
    if back:
        notices.append("moved_back")
    won_mask = cohort.status == WON
    return FunnelResult(
        steps=result_steps, deals=cohort.size, won=int(won_mask.sum()), lost=int(is_lost.sum()),
        open=int(is_open.sum()), won_amount=float(cohort.amount[won_mask].sum()), velocity=velocity(cohort),
        cohorts=cohort_rows(cohort, furthest, n_steps, months), moved_back=back, skipped_deals=skipped_deals,
        notices=notices,
    )


def _skipped_deals(cohort: Cohort, moves: Moves, steps: Steps, furthest: Array) -> int:
    """Deals that reached a step without entering every open stage before it."""
    if cohort.size == 0 or steps.n_open == 0 or not len(moves.deal):
        return 0
    step = steps.of(moves.stage)
    keep = (step >= 0) & (step < steps.n_open)
    rows, _steps = _distinct_pairs(moves.deal[keep], step[keep], steps.count)
    distinct = np.bincount(rows, minlength=cohort.size)[: cohort.size]
    # A deal with its furthest open stage at f (or won: all n_open) should have entered f + 1 open stages.
    needed = np.where(furthest >= steps.n_open, steps.n_open, furthest + 1)
    has_moves = np.zeros(cohort.size, dtype=bool)
    has_moves[moves.deal] = True
    return int(((distinct < needed) & has_moves).sum())
