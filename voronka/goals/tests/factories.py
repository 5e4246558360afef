"""Arrange helpers for goals tests: deals won on a given local day, goals and rules written directly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from voronka.accounts.models import User, Workspace
from voronka.crm.models import Deal, Pipeline
from voronka.crm.tests.factories import make_deal, make_pipeline

from ..models import AlertKind, AlertRule, Goal, Objective

MOSCOW = ZoneInfo("Europe/Moscow")


def at(day: str, hour: int = 12, minute: int = 0) -> dt.datetime:
    """An aware moment on a local (Moscow) day."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=MOSCOW)


def pipeline_of(workspace: Workspace) -> Pipeline:
    return Pipeline.unscoped.filter(workspace=workspace).first() or make_pipeline(workspace)


def won(workspace: Workspace, owner: User | None, day: str, amount: Decimal | int | str, **kwargs: Any) -> Deal:
    return make_deal(pipeline_of(workspace), owner=owner, stage_name="Won", amount=amount, created_at=at(day, **kwargs))


def lost(workspace: Workspace, owner: User | None, day: str, amount: Decimal | int | str = 0) -> Deal:
    return make_deal(pipeline_of(workspace), owner=owner, stage_name="Lost", amount=amount, created_at=at(day))


def open_deal(workspace: Workspace, owner: User | None, amount: Decimal | int | str, *, stage: str = "Proposal",
              expected: str | None = None, created: str = "2026-10-01") -> Deal:
    return make_deal(pipeline_of(workspace), owner=owner, stage_name=stage, amount=amount, created_at=at(created),
                     expected_close_date=dt.date.fromisoformat(expected) if expected else None)


def objective(workspace: Workspace, title: str = "Grow revenue", **kwargs: Any) -> Objective:
    return Objective.unscoped.create(workspace=workspace, title=title, **kwargs)


def goal(workspace: Workspace, *, metric: str = "revenue", scope: str = "company", target: str | int = "900000",
         start: str = "2026-10-01", end: str = "2026-12-31", kind: str = "quarter", **kwargs: Any) -> Goal:
    return Goal.unscoped.create(
        workspace=workspace, metric_key=metric, scope=scope, target=Decimal(str(target)), period_kind=kind,
        period_start=dt.date.fromisoformat(start), period_end=dt.date.fromisoformat(end), **kwargs)


def rule(workspace: Workspace, owner: User, *, kind: str = AlertKind.THRESHOLD, recipients: list[User] | None = None,
         **kwargs: Any) -> AlertRule:
    kwargs.setdefault("name", "Revenue watch")
    kwargs.setdefault("metric_key", "revenue")
    if kind == AlertKind.THRESHOLD:
        kwargs.setdefault("threshold", Decimal("1000"))
    created = AlertRule.unscoped.create(workspace=workspace, owner=owner, kind=kind, **kwargs)
    created.recipients.set(recipients if recipients is not None else [owner])
    return created
