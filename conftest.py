"""Shared fixtures: a workspace with one member per role, a second workspace, logged-in clients."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any

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


@dataclass
class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd); Django's SMTP backend sends to it."""

    messages: list[Message]

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in (m.get("To") or "")]


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    received: list[Message] = []

    class Collect(MessageHandler):
        def handle_message(self, message: Message) -> None:
            received.append(message)

    with socket.socket() as probe:  # aiosmtpd's start-up check cannot use port 0; take a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield SmtpSink(received)
    finally:
        controller.stop()
