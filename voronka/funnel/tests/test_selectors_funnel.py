"""The funnel read from the database equals an independent pandas computation on the demo company's rows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from voronka.accounts.actor import Actor
from voronka.crm.models import Deal, Stage, StageTransition
from voronka.funnel.params import parse_period, parse_slice
from voronka.funnel.selectors.funnel import funnel_analyze

from .conftest import Demo

pytestmark = pytest.mark.django_db
DAY = 86_400


def _visible(frame: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    viewer = actor.viewer
    if viewer.scope == "all":
        return frame
    mine = frame["owner_id"] == viewer.user_id
    if viewer.scope == "team":
        mine |= frame["team_id"].isin(viewer.team_ids)
    return frame[mine]


def _pandas_funnel(demo: Demo, actor: Actor, pipeline_name: str, period_value: str) -> dict:
    """Everything the funnel reports, computed again from plain ORM rows with pandas."""
    pipeline = demo.pipeline(pipeline_name)
    _value, period = parse_period(period_value, time_zone="Europe/Moscow")
    start, end = period.bounds_utc("Europe/Moscow")
    columns = ["id", "created_at", "status", "amount", "stage_id", "lost_reason_id", "closed_at", "owner_id", "team_id"]
    deals = pd.DataFrame(list(Deal.unscoped.filter(pipeline=pipeline).values(*columns)), columns=columns)
    for column in ("created_at", "closed_at"):
        deals[column] = pd.to_datetime(deals[column], utc=True)
    deals = _visible(deals, actor)
    deals = deals[(deals["created_at"] >= start) & (deals["created_at"] < end)].set_index("id")
    move_columns = ["deal_id", "to_stage_id", "at", "id"]
    moves = pd.DataFrame(list(StageTransition.unscoped.filter(deal_id__in=list(deals.index)).values(*move_columns)),
                         columns=move_columns).sort_values(["deal_id", "at", "id"])
    moves["at"] = pd.to_datetime(moves["at"], utc=True)
    stages = pd.DataFrame(list(Stage.unscoped.filter(pipeline=pipeline).values("id", "order", "kind", "name")))
    open_stages = stages[stages["kind"] == "open"].sort_values(["order", "id"]).reset_index(drop=True)
    n_open = len(open_stages)
    position = {row.id: i for i, row in open_stages.iterrows()}
    moves["pos"] = moves["to_stage_id"].map(position)
    furthest = moves.groupby("deal_id")["pos"].max().reindex(deals.index)
    furthest = pd.concat([furthest, deals["stage_id"].map(position)], axis=1).max(axis=1).fillna(0)
    furthest = furthest.clip(lower=0, upper=n_open - 1)
    furthest[deals["status"] == "won"] = n_open
    reached = [int((furthest >= i).sum()) for i in range(n_open + 1)]
    lost = deals["status"] == "lost"
    lost_here = [int(((furthest == i) & lost).sum()) for i in range(n_open + 1)]
    lost_amount = [float(deals["amount"][(furthest == i) & lost].astype(float).sum()) for i in range(n_open + 1)]
    moves["next_at"] = moves.groupby("deal_id")["at"].shift(-1)
    done = moves.dropna(subset=["next_at"])
    done = done[done["pos"].notna()]
    days = (done["next_at"] - done["at"]).dt.total_seconds() / DAY
    times = [days[done["pos"] == i] for i in range(n_open)]
    reasons = (deals[lost].assign(step=furthest[lost]).groupby(["step", "lost_reason_id"]).size()
               if lost.any() else pd.Series(dtype=int))
    won = deals[deals["status"] == "won"]
    cycle = ((won["closed_at"] - won["created_at"]).dt.total_seconds() / DAY).mean() if len(won) else None
    months = deals["created_at"].dt.tz_convert(ZoneInfo("Europe/Moscow")).dt.strftime("%Y-%m")
    cohort = {month: [int((furthest[months == month] >= i).sum()) for i in range(n_open + 1)]
              for month in sorted(months.unique())}
    return {"reached": reached, "lost_here": lost_here, "lost_amount": lost_amount, "times": times,
            "reasons": reasons, "won": len(won), "cycle": cycle, "cohort": cohort, "deals": len(deals),
            "won_amount": float(won["amount"].astype(float).sum()), "lost": int(lost.sum())}


@pytest.mark.parametrize("email", ["admin@voronka.test", "manager@voronka.test", "rep@voronka.test"])
@pytest.mark.parametrize("pipeline_name", ["Продажи B2B", "Интернет-магазин"])
@pytest.mark.parametrize("period_value", ["this-year", "last-year", "last-quarter"])
def test_funnel_equals_pandas_on_the_demo_company(demo: Demo, email: str, pipeline_name: str,
                                                  period_value: str) -> None:
    # Given the demo company and one of its people
    actor = demo.actor(email)
    value, period = parse_period(period_value, time_zone=demo.workspace.time_zone)
    # When the funnel is computed
    report = funnel_analyze(actor=actor, pipeline=demo.pipeline(pipeline_name), period_param=value, period=period)
    result = report.result
    # Then every figure equals pandas on the same rows, limited to what the person sees
    expected = _pandas_funnel(demo, actor, pipeline_name, period_value)
    assert result.deals == expected["deals"]
    assert [s.reached for s in result.steps] == expected["reached"]
    assert [s.lost_here for s in result.steps] == expected["lost_here"]
    assert [s.lost_amount for s in result.steps] == pytest.approx(expected["lost_amount"], abs=0.01)
    assert (result.won, result.lost) == (expected["won"], expected["lost"])
    assert result.won_amount == pytest.approx(expected["won_amount"], abs=0.01)
    for step, days in zip(result.steps, expected["times"], strict=False):
        assert step.time is not None and step.time.count == len(days)
        if len(days):
            assert step.time.median_days == pytest.approx(float(days.median()), abs=1e-6)
            assert step.time.p75_days == pytest.approx(float(days.quantile(0.75)), abs=1e-6)
            assert step.time.p90_days == pytest.approx(float(days.quantile(0.9)), abs=1e-6)
    for step in result.steps:
        for reason, count in step.lost_reasons:
            assert expected["reasons"][(step.index, reason)] == count
    assert sum(n for s in result.steps for _r, n in s.lost_reasons) == expected["lost"]
    if expected["cycle"] is not None:
        assert result.velocity.cycle_days == pytest.approx(expected["cycle"], abs=1e-4)
    got = {row.label: row.reached for row in result.cohorts if row.created}
    assert got == expected["cohort"]


def test_the_demo_funnel_has_real_dynamics(demo: Demo) -> None:
    actor = demo.actor("admin@voronka.test")
    value, period = parse_period("last-year", time_zone=demo.workspace.time_zone)
    result = funnel_analyze(actor=actor, pipeline=demo.pipeline(), period_param=value, period=period).result
    reached = [s.reached for s in result.steps]
    assert reached == sorted(reached, reverse=True) and reached[-1] > 0
    assert all(s.conversion is not None and 0 < s.conversion < 1 for s in result.steps[:-1])
    assert all(s.conversion_low <= s.conversion <= s.conversion_high for s in result.steps[:-1])  # type: ignore[operator]


def test_a_slice_narrows_the_cohort(demo: Demo) -> None:
    actor = demo.actor("admin@voronka.test")
    value, period = parse_period("this-year", time_zone=demo.workspace.time_zone)
    pipeline = demo.pipeline()
    team = actor.workspace and Deal.unscoped.filter(pipeline=pipeline).exclude(team=None).values_list(
        "team_id", flat=True).first()
    ref = parse_slice(f"team:{team}")
    report = funnel_analyze(actor=actor, pipeline=pipeline, period_param=value, period=period, ref=ref)
    start, end = period.bounds_utc("Europe/Moscow")
    expected = Deal.unscoped.filter(pipeline=pipeline, team_id=team, created_at__gte=start, created_at__lt=end).count()
    assert report.result.deals == expected > 0


def test_queries_do_not_grow_with_the_data(demo: Demo) -> None:
    actor = demo.actor("manager@voronka.test")
    value, period = parse_period("this-year", time_zone=demo.workspace.time_zone)
    pipeline = demo.pipeline()
    with CaptureQueriesContext(connection) as queries:
        report = funnel_analyze(actor=actor, pipeline=pipeline, period_param=value, period=period)
    assert report.result.deals > 100
    assert len(queries) == 4, [q["sql"][:80] for q in queries.captured_queries]  # stages, deals, moves, reasons
    assert np.isfinite(report.result.velocity.per_day or 0)
