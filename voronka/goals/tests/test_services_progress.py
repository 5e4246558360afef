"""Goal progress with hand-worked numbers: actual, linear and seasonal pace, run rate, pipeline, status."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import Org
from voronka.goals.models import PaceMethod
from voronka.goals.services.numbers import Numbers
from voronka.goals.services.progress import goal_actual_series, goal_progress
from voronka.goals.stats.pace import Status
from voronka.metrics.selectors import scope_for

from .factories import at, goal, lost, open_deal, won

NOW = at("2026-11-15", 18)  # day 46 of the 92 days of 2026-Q4

pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def north_quarter(org: Org) -> Org:
    """North won 200,000 (10 Oct) + 100,000 (15 Nov, 23:30); South won 50,000; past Q4s: 2025 100k by
    15 Nov of 400k, 2024 100k of 200k, 2023 nothing; an open North deal of 200,000 at 50 % due 10 Dec."""
    ws = org.workspace
    won(ws, org.rep, "2026-10-10", 200_000)
    won(ws, org.rep, "2026-11-15", 100_000, hour=23, minute=30)
    won(ws, org.rep, "2026-11-16", 70_000, hour=0, minute=30)  # tomorrow: not yet
    won(ws, org.rep_south, "2026-10-12", 50_000)
    lost(ws, org.rep, "2026-10-20", 999_999)
    won(ws, org.rep, "2025-10-15", 100_000)
    won(ws, org.rep, "2025-12-10", 300_000)
    won(ws, org.rep, "2024-11-01", 100_000)
    won(ws, org.rep, "2024-12-01", 100_000)
    open_deal(ws, org.rep, 200_000, expected="2026-12-10")
    open_deal(ws, org.rep, 500_000, expected="2027-01-15")  # after the period
    open_deal(ws, org.rep, 300_000, expected="2026-11-01")  # overdue: not counted
    open_deal(ws, org.rep_south, 400_000, expected="2026-12-01")  # another team
    return org


def _progress(org: Org, user, **goal_kwargs):  # type: ignore[no-untyped-def]
    numbers = Numbers(scope_for(org.actor(user), now=NOW))
    subject = goal(org.workspace, scope="team", team=org.north, target="900000", **goal_kwargs)
    return goal_progress(goal=subject, numbers=numbers, now=NOW), numbers


def test_seasonal_pace_run_rate_pipeline_and_status(north_quarter: Org) -> None:
    # given North's quarter and a seasonal goal of 900,000, seen by the Sales manager on 15 Nov
    progress, _numbers = _progress(north_quarter, north_quarter.manager, pace=PaceMethod.SEASONAL)
    # then every number is the hand-worked one
    assert (progress.elapsed_days, progress.total_days) == (46, 92)
    assert progress.actual == Decimal("300000.00")
    assert progress.attainment == pytest.approx(1 / 3)
    assert progress.expected_linear == Decimal("450000.00")  # 900,000 × 46/92
    assert progress.expected_seasonal == Decimal("300000.00")  # 900,000 × (100k + 100k) / (400k + 200k)
    assert progress.expected == Decimal("300000.00")
    assert progress.pace_used == PaceMethod.SEASONAL
    assert progress.run_rate == Decimal("900000.00")  # 300,000 ÷ ⅓
    assert progress.weighted_pipeline == Decimal("100000.00")  # 200,000 × 50 %
    assert progress.pipeline == Decimal("400000.00")
    assert progress.forecast == Decimal("900000.00")  # max(900,000, 400,000)
    assert progress.status == Status.ON_TRACK


def test_linear_pace_gives_a_lower_run_rate_and_off_track(north_quarter: Org) -> None:
    progress, _numbers = _progress(north_quarter, north_quarter.admin, pace=PaceMethod.LINEAR)
    assert progress.expected == Decimal("450000.00")
    assert progress.run_rate == Decimal("600000.00")  # 300,000 ÷ ½
    assert progress.forecast == Decimal("600000.00")
    assert progress.forecast_attainment == pytest.approx(2 / 3)
    assert progress.status == Status.OFF_TRACK  # below 90 % of 900,000


def test_without_past_years_the_seasonal_pace_falls_back_to_linear(org: Org) -> None:
    won(org.workspace, org.rep, "2026-10-10", 300_000)
    progress, _numbers = _progress(org, org.admin, pace=PaceMethod.SEASONAL)
    assert progress.expected_seasonal is None
    assert progress.pace_used == PaceMethod.LINEAR
    assert progress.expected == Decimal("450000.00")
    assert "linear" in progress.pace_note
    assert progress.forecast == Decimal("600000.00")
    assert progress.status == Status.OFF_TRACK


def test_at_risk_between_90_and_100_percent(org: Org) -> None:
    won(org.workspace, org.rep, "2026-10-10", 420_000)  # run rate 840,000 = 93 % of 900,000
    progress, _numbers = _progress(org, org.admin, pace=PaceMethod.LINEAR)
    assert progress.forecast == Decimal("840000.00")
    assert progress.status == Status.AT_RISK


def test_not_started_and_ended(org: Org) -> None:
    won(org.workspace, org.rep, "2026-07-10", 1_000_000)
    future, _ = _progress(org, org.admin, start="2027-01-01", end="2027-03-31")
    assert future.status == Status.NOT_STARTED
    past, _ = _progress(org, org.admin, start="2026-07-01", end="2026-09-30")
    assert (past.actual, past.forecast, past.status) == (Decimal("1000000.00"), Decimal("1000000.00"),
                                                         Status.ON_TRACK)


def test_a_ratio_goal_forecasts_the_value_so_far(org: Org) -> None:
    won(org.workspace, org.rep, "2026-10-10", 100)
    lost(org.workspace, org.rep, "2026-10-11")
    lost(org.workspace, org.rep, "2026-10-12")
    lost(org.workspace, org.rep, "2026-10-13")
    numbers = Numbers(scope_for(org.actor(org.admin), now=NOW))
    subject = goal(org.workspace, metric="win_rate", scope="rep", user=org.rep, team=org.north, target="0.3")
    progress = goal_progress(goal=subject, numbers=numbers, now=NOW)
    assert progress.actual == Decimal("0.25")
    assert (progress.expected, progress.forecast) == (Decimal("0.3"), Decimal("0.25"))
    assert not progress.additive
    assert progress.status == Status.OFF_TRACK  # 0.25 < 0.27


def test_lower_is_better_metric(org: Org) -> None:
    for day in ("2026-10-05", "2026-10-06", "2026-11-01"):
        lost(org.workspace, org.rep, day)
    numbers = Numbers(scope_for(org.actor(org.admin), now=NOW))
    subject = goal(org.workspace, metric="deals_lost", target="7", pace=PaceMethod.LINEAR)
    progress = goal_progress(goal=subject, numbers=numbers, now=NOW)
    assert progress.actual == 3
    assert progress.run_rate == Decimal("6.00")
    assert progress.status == Status.ON_TRACK
    subject.target = Decimal("5.6")
    assert goal_progress(goal=subject, numbers=numbers, now=NOW).status == Status.AT_RISK  # 6 ≤ 5.6 × 1.1
    subject.target = Decimal("5")
    assert goal_progress(goal=subject, numbers=numbers, now=NOW).status == Status.OFF_TRACK


def test_cumulative_series_for_the_chart(north_quarter: Org) -> None:
    numbers = Numbers(scope_for(north_quarter.actor(north_quarter.admin), now=NOW))
    subject = goal(north_quarter.workspace, scope="team", team=north_quarter.north)
    series = goal_actual_series(goal=subject, numbers=numbers, now=NOW)
    assert len(series) == 46
    assert series[8][1] == Decimal(0)  # 9 Oct
    assert series[9][1] == Decimal("200000.00")  # 10 Oct
    assert series[-1] == (series[-1][0], Decimal("300000.00"))
    assert str(series[-1][0]) == "2026-11-15"


def test_rep_sees_own_goal_numbers_only_from_own_rows(north_quarter: Org) -> None:
    numbers = Numbers(scope_for(north_quarter.actor(north_quarter.rep), now=NOW))
    subject = goal(north_quarter.workspace, scope="rep", user=north_quarter.rep, team=north_quarter.north,
                   pace=PaceMethod.LINEAR)
    progress = goal_progress(goal=subject, numbers=numbers, now=NOW)
    assert progress.actual == Decimal("300000.00")


def test_goals_of_one_metric_and_period_share_queries(north_quarter: Org) -> None:
    numbers = Numbers(scope_for(north_quarter.actor(north_quarter.admin), now=NOW))
    ws = north_quarter.workspace
    goals = [goal(ws, scope="team", team=north_quarter.north), goal(ws, scope="team", team=north_quarter.south),
             goal(ws), goal(ws, scope="rep", user=north_quarter.rep, team=north_quarter.north)]
    results = [goal_progress(goal=g, numbers=numbers, now=NOW) for g in goals]
    assert [r.actual for r in results] == [Decimal("300000.00"), Decimal("50000.00"), Decimal("350000.00"),
                                           Decimal("300000.00")]
    assert numbers.queries == 5  # actual, three past years, weighted pipeline
