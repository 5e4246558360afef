"""Plain builders for CRM rows in tests (direct ORM writes, no business rules): arrange, don't act."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from voronka.accounts.models import Membership, User, Workspace
from voronka.crm.models import (
    Company,
    Contact,
    ContactPoint,
    Deal,
    Pipeline,
    PointKind,
    Stage,
    StageKind,
    StageTransition,
)
from voronka.crm.normalize import name_key

_seq = itertools.count(1)

STANDARD_STAGES = [
    ("Lead", 10, StageKind.OPEN, 14),
    ("Qualified", 25, StageKind.OPEN, 14),
    ("Proposal", 50, StageKind.OPEN, 21),
    ("Negotiation", 75, StageKind.OPEN, 14),
    ("Won", 100, StageKind.WON, None),
    ("Lost", 0, StageKind.LOST, None),
]


def _team_of(workspace: Workspace, user: User | None) -> Any:
    if user is None:
        return None
    membership = Membership.unscoped.filter(workspace=workspace, user=user).first()
    return membership.team if membership else None


def make_pipeline(workspace: Workspace, name: str = "Sales", **kwargs: Any) -> Pipeline:
    pipeline = Pipeline.unscoped.create(workspace=workspace, name=name, **kwargs)
    for order, (stage_name, probability, kind, stalled) in enumerate(STANDARD_STAGES):
        Stage.unscoped.create(workspace=workspace, pipeline=pipeline, name=stage_name, order=order,
                              probability=probability, kind=kind, stalled_after_days=stalled)
    return pipeline


def stage(pipeline: Pipeline, name: str) -> Stage:
    return Stage.unscoped.get(pipeline=pipeline, name=name)


def make_company(workspace: Workspace, owner: User | None = None, name: str | None = None, **kwargs: Any) -> Company:
    name = name or f"Company {next(_seq)}"
    return Company.unscoped.create(workspace=workspace, owner=owner, team=_team_of(workspace, owner), name=name,
                                   name_key=name_key(name), **kwargs)


def make_contact(workspace: Workspace, owner: User | None = None, email: str = "", phone: str = "",
                 **kwargs: Any) -> Contact:
    kwargs.setdefault("full_name", f"Contact {next(_seq)}")
    contact = Contact.unscoped.create(workspace=workspace, owner=owner, team=_team_of(workspace, owner),
                                      email=email, phone=phone, **kwargs)
    if email:
        ContactPoint.unscoped.create(workspace=workspace, contact=contact, kind=PointKind.EMAIL, value=email,
                                     is_primary=True)
    if phone:
        ContactPoint.unscoped.create(workspace=workspace, contact=contact, kind=PointKind.PHONE, value=phone,
                                     is_primary=True)
    return contact


def make_deal(pipeline: Pipeline, owner: User | None = None, stage_name: str = "Lead",
              amount: Decimal | int | str = 1000, **kwargs: Any) -> Deal:
    workspace = pipeline.workspace
    at = kwargs.pop("created_at", None) or timezone.now()
    to_stage = stage(pipeline, stage_name)
    status = {StageKind.WON: "won", StageKind.LOST: "lost"}.get(to_stage.kind, "open")
    deal = Deal.unscoped.create(
        workspace=workspace, pipeline=pipeline, stage=to_stage, owner=owner, team=_team_of(workspace, owner),
        title=kwargs.pop("title", f"Deal {next(_seq)}"), amount=Decimal(str(amount)), status=status,
        stage_entered_at=at, created_at=at, closed_at=at if status != "open" else None, **kwargs,
    )
    StageTransition.unscoped.create(workspace=workspace, deal=deal, from_stage=None, to_stage=to_stage, at=at,
                                    actor=owner)
    return deal
