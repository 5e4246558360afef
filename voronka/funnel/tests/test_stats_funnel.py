"""The pure funnel maths: a hand-worked cohort, odd data (skips, moves back, empty, one stage) and pandas."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from voronka.funnel.stats.funnel import LOST, OPEN, WON, Cohort, Moves, StageSpec, analyze

DAY = 86_400
LEAD, QUAL, PROP, WON_ID, LOST_ID = 1, 2, 3, 4, 5
STAGES = [
    StageSpec(LEAD, "Lead", "open", 0), StageSpec(QUAL, "Qualified", "open", 1),
    StageSpec(PROP, "Proposal", "open", 2), StageSpec(WON_ID, "Won", "won", 3), StageSpec(LOST_ID, "Lost", "lost", 4),
]


def _hand_worked() -> tuple[Cohort, Moves]:
    """A: Lead→Qualified→Proposal→Won; B: Lead→Lost; C: Lead→Proposal→Lost (skips Qualified);
    D: Lead→Qualified→Lead (moved back, open); E: created in Qualified (skips Lead, open)."""
    moves = [
        (0, LEAD, 0), (0, QUAL, 2 * DAY), (0, PROP, 5 * DAY), (0, WON_ID, 9 * DAY),
        (1, LEAD, 0), (1, LOST_ID, 1 * DAY),
        (2, LEAD, 0), (2, PROP, 4 * DAY), (2, LOST_ID, 10 * DAY),
        (3, LEAD, 0), (3, QUAL, 3 * DAY), (3, LEAD, 4 * DAY),
        (4, QUAL, 0),
    ]
    deal, stage, at = (np.array(column, dtype=np.int64) for column in zip(*moves, strict=True))
    cohort = Cohort(
        created=np.zeros(5, dtype=np.int64), status=np.array([WON, LOST, LOST, OPEN, OPEN]),
        amount=np.array([100.0, 200.0, 300.0, 400.0, 500.0]), stage=np.array([WON_ID, LOST_ID, LOST_ID, LEAD, QUAL]),
        closed=np.array([9 * DAY, DAY, 10 * DAY, -1, -1]), lost_reason=np.array([-1, 7, 8, -1, -1]),
    )
    return cohort, Moves(deal, stage, at)


def test_hand_worked_cohort() -> None:
    cohort, moves = _hand_worked()
    result = analyze(cohort, moves, STAGES)
    lead, qualified, proposal, won = result.steps
    assert [s.name for s in result.steps] == ["Lead", "Qualified", "Proposal", "Won"]
    assert [s.reached for s in result.steps] == [5, 4, 2, 1]
    assert [s.lost_here for s in result.steps] == [1, 0, 1, 0]
    assert [s.open_here for s in result.steps] == [0, 2, 0, 0]
    assert [s.entered_directly for s in result.steps] == [4, 3, 2, 1]
    assert [s.skipped for s in result.steps] == [1, 1, 0, 0]
    assert [s.reached_amount for s in result.steps] == [1500.0, 1300.0, 400.0, 100.0]
    assert [s.lost_amount for s in result.steps] == [200.0, 0.0, 300.0, 0.0]
    assert lead.conversion == pytest.approx(4 / 5)
    assert qualified.conversion == pytest.approx(2 / 4)
    assert proposal.conversion == pytest.approx(1 / 2)
    assert won.conversion is None and won.time is None
    assert [s.cumulative for s in result.steps] == pytest.approx([1, 0.8, 0.4, 0.2])
    low, high = proportion_confint(2, 4, method="wilson")
    assert (qualified.conversion_low, qualified.conversion_high) == pytest.approx((low, high))
    assert lead.lost_reasons == [(7, 1)] and proposal.lost_reasons == [(8, 1)]
    # Completed stays: Lead 2, 1, 4, 3 days and D's second Lead stay is still running; Qualified 3 (A), 1 (D).
    assert lead.time is not None and lead.time.count == 4 and lead.time.running == 1
    assert lead.time.median_days == pytest.approx(2.5)
    assert lead.time.p90_days == pytest.approx(np.percentile([2, 1, 4, 3], 90))
    assert qualified.time is not None and qualified.time.count == 2 and qualified.time.running == 1
    assert proposal.time is not None and proposal.time.count == 2
    assert proposal.time.median_days == pytest.approx(5.0)
    assert (result.deals, result.won, result.lost, result.open) == (5, 1, 2, 2)
    assert result.moved_back == 1 and result.skipped_deals == 2
    assert {"skipped_stages", "moved_back", "small_sample"} <= set(result.notices)
    # Velocity: 5 opportunities × 1/3 win rate × 100 ÷ 9 days
    assert result.velocity.win_rate == pytest.approx(1 / 3)
    assert result.velocity.per_day == pytest.approx(5 * (1 / 3) * 100 / 9)


def test_sankey_balances() -> None:
    cohort, moves = _hand_worked()
    result = analyze(cohort, moves, STAGES)
    nodes, links = result.sankey()
    assert nodes == ["Lead", "Qualified", "Proposal", "Won", "lost", "open"]
    assert sorted(links) == sorted([(0, 1, 4), (0, 4, 1), (1, 2, 2), (1, 5, 2), (2, 3, 1), (2, 4, 1)])
    for step in result.steps[:-1]:
        outflow = sum(value for source, _target, value in links if source == step.index)
        assert outflow == step.reached


def test_no_deals_is_an_empty_funnel_not_an_error() -> None:
    result = analyze(Cohort.empty(), Moves.empty(), STAGES, months=[("2026-01", 0, DAY)])
    assert [s.reached for s in result.steps] == [0, 0, 0, 0]
    assert all(s.conversion is None and s.cumulative is None for s in result.steps)
    assert result.velocity.per_day is None and result.overall_conversion is None
    assert result.cohorts[0].created == 0 and result.cohorts[0].share(0) is None
    assert "no_deals" in result.notices


def test_one_stage_pipeline_and_no_stages_at_all() -> None:
    one = [StageSpec(10, "Only", "open", 0)]
    cohort = Cohort(created=np.zeros(2, dtype=np.int64), status=np.array([OPEN, LOST]), amount=np.ones(2),
                    stage=np.array([10, 10]), closed=np.array([-1, 5]), lost_reason=np.array([-1, -1]))
    result = analyze(cohort, Moves(np.array([0, 1]), np.array([10, 10]), np.array([0, 0])), one)
    assert [s.reached for s in result.steps] == [2, 0]
    assert {"one_stage", "no_won_stage"} <= set(result.notices)
    bare = analyze(cohort, Moves.empty(), [])
    assert "no_open_stages" in bare.notices
    assert len(bare.steps) == 1


def test_cohort_rows_by_creation_month() -> None:
    cohort, moves = _hand_worked()
    cohort.created[:] = [0, 0, 40 * DAY, 40 * DAY, 40 * DAY]
    result = analyze(cohort, moves, STAGES, months=[("m1", 0, 31 * DAY), ("m2", 31 * DAY, 62 * DAY)])
    first, second = result.cohorts
    assert (first.created, first.reached, first.won, first.lost, first.open) == (2, [2, 1, 1, 1], 1, 1, 0)
    assert (second.created, second.reached, second.won, second.lost, second.open) == (3, [3, 3, 1, 0], 0, 1, 2)


def test_reached_matches_an_independent_pandas_computation() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    rows = []
    for deal in range(n):
        t = 0
        stage = LEAD
        rows.append((deal, stage, t))
        for _ in range(rng.integers(0, 5)):
            t += int(rng.integers(1, 10 * DAY))
            stage = int(rng.choice([LEAD, QUAL, PROP, WON_ID, LOST_ID]))
            rows.append((deal, stage, t))
            if stage in (WON_ID, LOST_ID):
                break
    frame = pd.DataFrame(rows, columns=["deal", "stage", "at"])
    last = frame.groupby("deal")["stage"].last()
    status = np.select([last == WON_ID, last == LOST_ID], [WON, LOST], OPEN)
    cohort = Cohort(created=np.zeros(n, dtype=np.int64), status=status, amount=np.ones(n), stage=last.to_numpy(),
                    closed=np.where(status == OPEN, -1, 1), lost_reason=np.full(n, -1))
    result = analyze(cohort, Moves(*(frame[c].to_numpy() for c in ("deal", "stage", "at"))), STAGES)
    # pandas: furthest open order per deal (won deals: past the last), counted at or above each step
    order = {LEAD: 0, QUAL: 1, PROP: 2}
    frame["order"] = frame["stage"].map(order)
    furthest = frame.groupby("deal")["order"].max().fillna(0).clip(lower=0)
    furthest = furthest.where(pd.Series(status, index=furthest.index) != WON, 3)
    expected = [int((furthest >= i).sum()) for i in range(4)]
    assert [s.reached for s in result.steps] == expected
    # time in stage: completed stays in open stages, pandas diff within each deal
    frame["next_at"] = frame.groupby("deal")["at"].shift(-1)
    done = frame.dropna(subset=["next_at"])
    for step, stage_id in enumerate([LEAD, QUAL, PROP]):
        days = ((done["next_at"] - done["at"])[done["stage"] == stage_id] / DAY).to_numpy()
        time = result.steps[step].time
        assert time is not None and time.count == len(days)
        assert time.median_days == pytest.approx(float(np.median(days)))
        assert time.p75_days == pytest.approx(float(pd.Series(days).quantile(0.75)))


def test_the_stats_package_does_not_import_django() -> None:
    package = Path(__file__).resolve().parent.parent / "stats"
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.startswith(("django", "voronka")) for name in names), path
