"""The demo company: idempotent, four logins with password "demo", each in its role, printed by the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from voronka.accounts.models import Membership, Team, User, Workspace
from voronka.demo.generator import DEMO_LOGINS, demo_load

EXPECTED_ROLES = {
    "admin@voronka.test": ("admin", None),
    "manager@voronka.test": ("manager", "Продажи"),
    "rep@voronka.test": ("rep", "Москва"),
    "marketer@voronka.test": ("marketer", None),
}


def test_demo_load_twice_creates_one_company(db):
    # when the demo is loaded twice
    first = demo_load()
    second = demo_load()
    # then there is one workspace, four users and four memberships
    assert (first.created, second.created) == (True, False)
    assert first.workspace.pk == second.workspace.pk
    assert list(Workspace.objects.values_list("slug", "name", "currency", "time_zone", "language")) == [
        ("demo", "Воронка Демо", "RUB", "Europe/Moscow", "ru")
    ]
    assert set(User.objects.values_list("email", flat=True)) == set(EXPECTED_ROLES)
    rows = Membership.unscoped.select_related("user", "team").filter(is_active=True)
    assert {m.user.email: (m.role, m.team.name if m.team else None) for m in rows} == EXPECTED_ROLES
    assert Membership.unscoped.count() == 4
    assert set(Membership.unscoped.values_list("workspace_id", flat=True)) == {first.workspace.pk}
    teams = dict(Team.unscoped.values_list("name", "parent__name"))
    assert teams == {"Продажи": None, "Москва": "Продажи", "Санкт-Петербург": "Продажи", "Онлайн": "Продажи"}


@pytest.mark.parametrize("email", list(EXPECTED_ROLES))
def test_each_demo_login_authenticates_with_password_demo(db, email):
    demo_load()
    user = authenticate(username=email, password="demo")
    assert user is not None
    assert user.email == email
    assert authenticate(username=email, password="wrong") is None


def test_manager_sees_the_regional_teams(db):
    from voronka.accounts.actor import actor_for

    workspace = demo_load().workspace
    manager = actor_for(user=User.objects.get(email="manager@voronka.test"), workspace_id=workspace.pk)
    assert manager is not None
    assert set(Team.unscoped.filter(pk__in=manager.viewer.team_ids).values_list("name", flat=True)) == {
        "Продажи", "Москва", "Санкт-Петербург", "Онлайн"
    }


def test_the_command_prints_the_logins(db):
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "Demo workspace 'Воронка Демо' created." in text
    assert "password for each: demo" in text
    for email, _name, role, _team in DEMO_LOGINS:
        assert f"  {role:<9} {email}" in text
    again = StringIO()
    call_command("demo", "--quiet-logins", stdout=again)
    assert again.getvalue() == "Demo workspace 'Воронка Демо' already present.\n"
    assert Workspace.objects.count() == 1


def test_the_command_refuses_a_scale_below_one(db):
    err = StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("demo", "--scale", "0", stderr=err)
    assert caught.value.code == 2
    assert "--scale must be at least 1" in err.getvalue()
    assert Workspace.objects.count() == 0
