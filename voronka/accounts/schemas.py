"""accounts API shapes. Create/Update schemas list only what a client may set (SECURITY.md R5)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from voronka.core.api import Text

from .models import Membership
from .roles import Role


class WorkspaceRead(Schema):
    id: int
    name: str
    slug: str
    currency: str
    time_zone: str
    language: str
    reps_see_team: bool


class WorkspaceUpdate(Schema):
    name: Text | None = Field(None, max_length=120)
    currency: Text | None = Field(None, max_length=3)
    time_zone: Text | None = Field(None, max_length=64)
    language: Text | None = Field(None, max_length=8)
    reps_see_team: bool | None = None


class MeRead(Schema):
    id: int
    email: str
    full_name: str
    workspace: WorkspaceRead
    role: Role
    capabilities: list[str]


class TeamRead(Schema):
    id: int
    name: str
    parent_id: int | None


class TeamCreate(Schema):
    name: Text = Field(..., max_length=120)
    parent_id: int | None = None


class TeamUpdate(Schema):
    """Omit a field to keep it; `parent_id: null` makes the team a root."""

    name: Text | None = Field(None, max_length=120)
    parent_id: int | None = None


class MemberRead(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    role: Role
    team_id: int | None
    is_active: bool

    @staticmethod
    def resolve_email(obj: Membership) -> str:
        return obj.user.email

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return obj.user.full_name


class MemberFilters(Schema):
    search: Text = Field("", max_length=100, description="Part of an email or a name.")
    include_inactive: bool = False


class MemberUpdate(Schema):
    """Omit a field to keep it; `team_id: null` takes the member out of their team."""

    role: Role | None = None
    team_id: int | None = None


class InvitationRead(Schema):
    id: int
    email: str
    role: Role
    team_id: int | None
    invited_by_id: int | None
    expires_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None
    created_at: dt.datetime


class InvitationCreate(Schema):
    email: Text = Field(..., max_length=254)
    role: Role = Role.REP
    team_id: int | None = None


class TokenRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreate(Schema):
    name: Text = Field(..., max_length=100)


class TokenCreated(TokenRead):
    secret: str | None = Field(
        None, description="The token itself, shown only in this answer (null when an idempotent retry replays it)."
    )
