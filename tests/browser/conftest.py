"""Playwright against Debian's chromium and pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# The sync Playwright API runs an event loop in this thread; Django's ORM would refuse to run here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    # Without these chromium keeps calling home, which floods a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: apt-get install -y chromium"
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests cannot run in CI: {reason}")
    print(f"\nSkipping browser tests: {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@dataclass
class People:
    admin_email: str
    rep_email: str
    password: str


@pytest.fixture
def people(transactional_db: None) -> People:
    """A workspace with a team tree, an admin and a rep, committed so the live server sees them."""
    from voronka.accounts.roles import Role
    from voronka.accounts.tests.factories import (
        PASSWORD,
        MembershipFactory,
        TeamFactory,
        UserFactory,
        WorkspaceFactory,
    )

    workspace = WorkspaceFactory(name="Acme Co", slug="acme-co")
    sales = TeamFactory(workspace=workspace, name="Sales")
    north = TeamFactory(workspace=workspace, name="North", parent=sales)
    TeamFactory(workspace=workspace, name="South", parent=sales)
    admin = UserFactory(email="admin@acme.test", full_name="Anna Admin")
    MembershipFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    for n, name in enumerate(["Ivan Petrov", "Maria Ivanova", "John Smith", "Olga Sidorova"]):
        rep = UserFactory(email=f"rep{n}@acme.test", full_name=name)
        MembershipFactory(workspace=workspace, user=rep, role=Role.REP, team=north)
    return People(admin_email="admin@acme.test", rep_email="rep0@acme.test", password=PASSWORD)


@pytest.fixture
def csp_violations(page: Any) -> Iterator[list[str]]:
    """Console messages in which chromium reports a Content Security Policy refusal."""
    found: list[str] = []
    page.set_default_timeout(10_000)
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    yield found


@pytest.fixture
def log_in(page: Any, live_server: Any) -> Callable[[str, str], None]:
    def _log_in(email: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_email", email)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return _log_in
