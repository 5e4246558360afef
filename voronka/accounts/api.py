"""accounts endpoints: the current user, workspace, teams, members, tokens."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeRead(Schema):
    id: int
    email: str
    full_name: str
    workspace_id: int
    role: str


@router.get("/me", response=MeRead)
def me_api(request: HttpRequest) -> MeRead:
    actor = request.actor  # type: ignore[attr-defined]
    return MeRead(id=actor.user.pk, email=actor.user.email, full_name=actor.user.full_name,
                  workspace_id=actor.workspace.pk, role=actor.role)
