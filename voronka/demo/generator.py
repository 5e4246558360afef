"""The deterministic demo company. Later issues add CRM data, goals, campaigns… to it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from voronka.accounts.models import Membership, Team, User, Workspace
from voronka.accounts.roles import Role
from voronka.core.scoping import workspace_scope

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 — printed on purpose; the demo workspace only
DEMO_LOGINS = [
    ("admin@voronka.test", "Анна Администраторова", Role.ADMIN, None),
    ("manager@voronka.test", "Михаил Руководов", Role.MANAGER, "Продажи"),
    ("rep@voronka.test", "Ольга Продажина", Role.REP, "Москва"),
    ("marketer@voronka.test", "Мария Маркетова", Role.MARKETER, None),
]
# Sales at the root; regional teams below it.
DEMO_TEAMS = [("Продажи", None), ("Москва", "Продажи"), ("Санкт-Петербург", "Продажи"), ("Онлайн", "Продажи")]


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    created: bool


@transaction.atomic
def demo_load(*, scale: int = 1) -> DemoResult:
    """Create the demo workspace once; a second call leaves existing data alone."""
    workspace, created = Workspace.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={"name": "Воронка Демо", "currency": "RUB", "time_zone": "Europe/Moscow", "language": "ru"},
    )
    with workspace_scope(workspace):
        teams: dict[str, Team] = {}
        for name, parent in DEMO_TEAMS:
            teams[name], _ = Team.objects.get_or_create(
                workspace=workspace, name=name, defaults={"parent": teams.get(parent) if parent else None}
            )
        for email, full_name, role, team_name in DEMO_LOGINS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
            Membership.objects.get_or_create(
                workspace=workspace, user=user,
                defaults={"role": role, "team": teams.get(team_name) if team_name else None},
            )
    return DemoResult(workspace=workspace, created=created)
