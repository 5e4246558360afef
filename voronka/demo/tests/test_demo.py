"""The demo company's people: idempotent, 18 logins with password "demo", each in its role, printed by the command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from voronka.accounts.models import Membership, Team, User, Workspace
from voronka.core.models import AuditEntry
from voronka.demo.generator import DEMO_LOGINS, demo_load

EXPECTED_ROLES = {
    "admin@voronka.test": ("admin", None),
    "manager@voronka.test": ("manager", "Продажи"),
    "rep@voronka.test": ("rep", "Москва"),
    "marketer@voronka.test": ("marketer", None),
    **{f"rep{n:02d}@voronka.test": ("rep", "Москва") for n in range(2, 6)},
    **{f"rep{n:02d}@voronka.test": ("rep", "Санкт-Петербург") for n in range(6, 11)},
    **{f"rep{n:02d}@voronka.test": ("rep", "Онлайн") for n in range(11, 16)},
}
SMALL = 0.02  # a sliver of the company: enough rows to exercise the loader, fast


def test_demo_load_twice_creates_one_company(db):
    # when the demo is loaded twice
    first = demo_load(fraction=SMALL)
    second = demo_load(fraction=SMALL)
    # then there is one workspace, 18 users and 18 memberships, and the data was written once
    assert (first.created, second.created) == (True, False)
    assert (first.chunks_loaded, second.chunks_loaded) == (1, 0)
    assert first.workspace.pk == second.workspace.pk
    assert list(Workspace.objects.values_list("slug", "name", "currency", "time_zone", "language")) == [
        ("demo", "Воронка Демо", "RUB", "Europe/Moscow", "ru")
    ]
    assert set(User.objects.values_list("email", flat=True)) == set(EXPECTED_ROLES)
    rows = Membership.unscoped.select_related("user", "team").filter(is_active=True)
    assert {m.user.email: (m.role, m.team.name if m.team else None) for m in rows} == EXPECTED_ROLES
    assert Membership.unscoped.count() == 18
    assert set(Membership.unscoped.values_list("workspace_id", flat=True)) == {first.workspace.pk}
    teams = dict(Team.unscoped.values_list("name", "parent__name"))
    assert teams == {"Продажи": None, "Москва": "Продажи", "Санкт-Петербург": "Продажи", "Онлайн": "Продажи"}
    assert list(AuditEntry.objects.filter(action="demo.chunk_loaded").values_list("diff__chunk", flat=True)) == [0]


@pytest.mark.parametrize("email", [*(e for e, *_ in DEMO_LOGINS), "rep02@voronka.test", "rep15@voronka.test"])
def test_each_demo_login_authenticates_with_password_demo(db, email):
    demo_load(fraction=SMALL)
    user = authenticate(username=email, password="demo")
    assert user is not None
    assert user.email == email
    assert authenticate(username=email, password="wrong") is None


def test_manager_sees_the_regional_teams(db):
    from voronka.accounts.actor import actor_for

    workspace = demo_load(fraction=SMALL).workspace
    manager = actor_for(user=User.objects.get(email="manager@voronka.test"), workspace_id=workspace.pk)
    assert manager is not None
    assert set(Team.unscoped.filter(pk__in=manager.viewer.team_ids).values_list("name", flat=True)) == {
        "Продажи", "Москва", "Санкт-Петербург", "Онлайн"
    }


def test_the_command_prints_the_logins_and_progress(db):
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "chunk 1 (1/1): 6000 deals, " in text
    assert "Demo workspace 'Воронка Демо' created." in text
    assert "password for each: demo" in text
    for email, _name, role, _team in DEMO_LOGINS:
        assert f"  {role:<9} {email}" in text
    assert "  rep       rep02@voronka.test … rep15@voronka.test (more reps)" in text
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
