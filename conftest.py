"""Shared fixtures: a workspace with one member per role, a second workspace, logged-in clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from voronka.accounts.actor import Actor, actor_for
from voronka.accounts.models import Membership, Team, User, Workspace
from voronka.accounts.roles import Role
from voronka.accounts.services.tokens import api_token_issue_for
from voronka.accounts.tests.factories import PASSWORD, MembershipFactory, TeamFactory, UserFactory, WorkspaceFactory
from voronka.core.scoping import workspace_scope


@dataclass
class Org:
    """A workspace with a team tree (Sales → North, South) and one member per role."""

    workspace: Workspace
    sales: Team
    north: Team
    south: Team
    admin: User
    manager: User  # manages Sales (sees North and South)
    rep: User  # in North
    rep_south: User  # in South
    marketer: User

    def actor(self, user: User) -> Actor:
        actor = actor_for(user=user, workspace_id=self.workspace.pk)
        assert actor is not None
        return actor


def make_org(prefix: str) -> Org:
    workspace = WorkspaceFactory(name=f"{prefix} Co", slug=f"{prefix.lower()}-co")
    sales = TeamFactory(workspace=workspace, name="Sales")
    north = TeamFactory(workspace=workspace, name="North", parent=sales)
    south = TeamFactory(workspace=workspace, name="South", parent=sales)
    people = {}
    for key, role, team in [
        ("admin", Role.ADMIN, None),
        ("manager", Role.MANAGER, sales),
        ("rep", Role.REP, north),
        ("rep_south", Role.REP, south),
        ("marketer", Role.MARKETER, None),
    ]:
        user = UserFactory(email=f"{key}@{prefix.lower()}.test")
        MembershipFactory(workspace=workspace, user=user, role=role, team=team)
        people[key] = user
    return Org(workspace=workspace, sales=sales, north=north, south=south, **people)


@pytest.fixture
def org(db: None) -> Org:
    return make_org("Acme")


@pytest.fixture
def other_org(db: None) -> Org:
    return make_org("Globex")


@pytest.fixture
def scoped(org: Org) -> Iterator[Workspace]:
    """Activate org's workspace for code that calls scoped managers directly."""
    with workspace_scope(org.workspace):
        yield org.workspace


@pytest.fixture
def login_as(client: Client) -> Callable[[User], Client]:
    def _login(user: User) -> Client:
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def bearer() -> Callable[[User, Workspace], dict[str, str]]:
    """Headers with a fresh API token for user in workspace."""

    def _headers(user: User, workspace: Workspace) -> dict[str, str]:
        _token, secret = api_token_issue_for(user=user, workspace=workspace, name="test")
        return {"Authorization": f"Bearer {secret}"}

    return _headers


__all__ = ["PASSWORD", "Membership", "Org"]
