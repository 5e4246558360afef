"""Hand-made sales data for the dashboard tests, and the independent (pandas) sums they are checked against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from conftest import Org
from voronka.channels.models import SalesChannel
from voronka.crm.models import Activity, Deal, Pipeline
from voronka.crm.tests.factories import _team_of, make_deal, make_pipeline

NOW = dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow
TODAY = dt.date(2026, 3, 15)


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=dt.UTC)


@dataclass
class Sales:
    pipeline: Pipeline
    web: SalesChannel
    partners: SalesChannel
    deals: list[Deal]


def make_sales(org: Org) -> Sales:
    """Deals won and lost in March 2026, February 2026 and March 2025 by the reps and the manager."""
    workspace = org.workspace
    pipeline = make_pipeline(workspace, name="B2B")
    web = SalesChannel.unscoped.create(workspace=workspace, name="Web")
    partners = SalesChannel.unscoped.create(workspace=workspace, name="Partners")
    plan: list[tuple[Any, str, int, str, SalesChannel | None]] = [
        (org.rep, "Won", 1000, "2026-03-05", web),
        (org.rep, "Won", 500, "2026-02-10", web),
        (org.rep, "Won", 2000, "2025-03-10", None),
        (org.rep, "Lost", 900, "2026-03-07", web),
        (org.rep, "Lost", 800, "2026-02-12", None),
        (org.rep, "Lost", 700, "2026-02-13", None),
        (org.rep_south, "Won", 3000, "2026-03-12", partners),
        (org.manager, "Won", 4000, "2026-03-02", web),
    ]
    deals = [make_deal(pipeline, owner, stage_name=stage, amount=amount, created_at=at(day), channel=channel,
                       title=f"{stage} {amount}")
             for owner, stage, amount, day, channel in plan]
    deals.append(make_deal(pipeline, org.rep, stage_name="Proposal", amount=700, created_at=at("2026-03-01"),
                           expected_close_date=dt.date(2026, 3, 25), title="Open 700"))
    deals.append(make_deal(pipeline, org.rep_south, stage_name="Lead", amount=300, created_at=at("2026-03-01"),
                           expected_close_date=dt.date(2026, 3, 28), title="Open 300"))
    for owner, kind, day in [(org.rep, "call", "2026-03-03"), (org.rep_south, "meeting", "2026-03-04")]:
        Activity.unscoped.create(workspace=workspace, owner=owner, team=_team_of(workspace, owner), kind=kind,
                                 subject=f"{kind} {day}", done_at=at(day))
    Activity.unscoped.create(workspace=workspace, owner=org.rep, team=_team_of(workspace, org.rep), kind="task",
                             subject="Not done yet")
    return Sales(pipeline=pipeline, web=web, partners=partners, deals=deals)


def deals_frame(org: Org) -> pd.DataFrame:
    """Every deal of the workspace as plain data, for computing the expected numbers independently."""
    rows = Deal.unscoped.filter(workspace=org.workspace).values(
        "pk", "owner_id", "team_id", "channel_id", "status", "amount", "closed_at", "expected_close_date")
    frame = pd.DataFrame(list(rows))
    frame["closed_local"] = pd.to_datetime(frame["closed_at"], utc=True).dt.tz_convert("Europe/Moscow").dt.date
    return frame


def revenue(frame: pd.DataFrame, start: dt.date, end: dt.date) -> Decimal:
    won = frame[(frame.status == "won") & (frame.closed_local >= start) & (frame.closed_local <= end)]
    return Decimal(sum(won.amount, Decimal(0))).quantize(Decimal("0.01"))


def count(frame: pd.DataFrame, status: str, start: dt.date, end: dt.date) -> int:
    return int(((frame.status == status) & (frame.closed_local >= start) & (frame.closed_local <= end)).sum())


def visible(frame: pd.DataFrame, *, owners: set[int] | None = None, teams: set[int] | None = None) -> pd.DataFrame:
    """Rows a viewer sees: their own (owners) and those of their teams."""
    keep = frame.owner_id.isin(owners or set()) | frame.team_id.isin(teams or set())
    return frame[keep]


def test_support_data_is_as_described(org: Org) -> None:
    make_sales(org)
    frame = deals_frame(org)
    assert revenue(frame, dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == Decimal("8000.00")
    assert count(frame, "lost", dt.date(2026, 2, 1), dt.date(2026, 2, 28)) == 2
