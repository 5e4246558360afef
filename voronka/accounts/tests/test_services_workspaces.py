"""workspace_create / workspace_update: validation with fields, audit rows, admin-only updates."""

from __future__ import annotations

import pytest

from voronka.accounts.models import Membership, Workspace
from voronka.accounts.roles import Role
from voronka.accounts.services.workspaces import workspace_create, workspace_update
from voronka.accounts.tests.factories import UserFactory
from voronka.core.errors import ApplicationError, ErrorCode, PermissionDeniedError
from voronka.core.models import AuditEntry


def _workspace_state(workspace_id: int) -> dict:
    return Workspace.objects.filter(pk=workspace_id).values(
        "name", "slug", "currency", "time_zone", "language", "reps_see_team"
    ).get()


def test_create_makes_the_owner_its_admin_and_audits(db):
    # given a user
    owner = UserFactory(email="owner@example.test")
    # when they create a workspace
    workspace = workspace_create(name="  Рога и Копыта  ", owner=owner, currency="USD", time_zone="Asia/Vladivostok",
                                 language="en")
    # then it exists with its settings and the owner is its only, active admin
    assert _workspace_state(workspace.pk) == {
        "name": "Рога и Копыта", "slug": "workspace", "currency": "USD", "time_zone": "Asia/Vladivostok",
        "language": "en", "reps_see_team": False,
    }
    members = list(Membership.unscoped.filter(workspace=workspace).values_list("user_id", "role", "is_active"))
    assert members == [(owner.pk, Role.ADMIN, True)]
    membership = Membership.unscoped.get(workspace=workspace)
    rows = list(
        AuditEntry.objects.order_by("id").values_list("action", "actor_id", "workspace_id", "target_type", "target_id",
                                                      "diff")
    )
    assert rows == [
        ("workspace.create", owner.pk, workspace.pk, "accounts.workspace", str(workspace.pk), {}),
        ("member.role", owner.pk, workspace.pk, "accounts.membership", str(membership.pk), {"role": [None, "admin"]}),
    ]


def test_create_makes_unique_slugs(db):
    owner = UserFactory()
    first = workspace_create(name="Acme Corp", owner=owner)
    second = workspace_create(name="Acme Corp", owner=owner)
    third = workspace_create(name="Acme Corp", owner=owner)
    assert (first.slug, second.slug, third.slug) == ("acme-corp", "acme-corp-2", "acme-corp-3")
    assert (first.currency, first.time_zone, first.language) == ("RUB", "Europe/Moscow", "ru")


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 121}, {"name"}),
        ({"currency": "XXX"}, {"currency"}),
        ({"currency": "usd"}, {"currency"}),
        ({"time_zone": "Mars/Olympus"}, {"time_zone"}),
        ({"language": "de"}, {"language"}),
        ({"currency": "XXX", "time_zone": "Nowhere", "language": "fr"}, {"currency", "time_zone", "language"}),
        ({"slug": ""}, {"slug"}),
        ({"slug": "taken"}, {"slug"}),
    ],
)
def test_create_refuses_bad_input_with_field_errors_and_creates_nothing(db, kwargs, fields):
    owner = UserFactory()
    Workspace.objects.create(name="Taken", slug="taken")
    arguments = {"name": "Good", "owner": owner, **kwargs}
    with pytest.raises(ApplicationError) as caught:
        workspace_create(**arguments)
    assert caught.value.code == ErrorCode.VALIDATION
    assert set(caught.value.fields) == fields
    assert Workspace.objects.count() == 1
    assert Membership.unscoped.count() == 0
    assert AuditEntry.objects.count() == 0


def test_create_with_a_free_slug_uses_it(db):
    workspace = workspace_create(name="Good", owner=UserFactory(), slug="my-team")
    assert workspace.slug == "my-team"


def test_admin_updates_settings_and_the_change_is_audited(org):
    # when the admin changes two settings and repeats a third unchanged
    workspace = workspace_update(actor=org.actor(org.admin), currency="USD", reps_see_team=True, language="en")
    # then only the changes are saved and audited
    assert _workspace_state(org.workspace.pk) == {
        "name": "Acme Co", "slug": "acme-co", "currency": "USD", "time_zone": "Europe/Moscow", "language": "en",
        "reps_see_team": True,
    }
    assert (workspace.currency, workspace.reps_see_team) == ("USD", True)
    rows = list(AuditEntry.objects.values_list("action", "actor_id", "workspace_id", "target_id", "diff"))
    assert rows == [
        ("workspace.update", org.admin.pk, org.workspace.pk, str(org.workspace.pk),
         {"currency": ["RUB", "USD"], "reps_see_team": [False, True]}),
    ]


def test_update_without_changes_writes_nothing(org):
    workspace_update(actor=org.actor(org.admin), name=" Acme Co ", currency="RUB")
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        ({"name": "  "}, {"name"}),
        ({"name": "y" * 121}, {"name"}),
        ({"currency": "ZZZ"}, {"currency"}),
        ({"time_zone": "Europe/Atlantis"}, {"time_zone"}),
        ({"language": "xx", "currency": "USD"}, {"language"}),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(org, kwargs, fields):
    before = _workspace_state(org.workspace.pk)
    with pytest.raises(ApplicationError) as caught:
        workspace_update(actor=org.actor(org.admin), **kwargs)
    assert caught.value.code == ErrorCode.VALIDATION
    assert set(caught.value.fields) == fields
    assert _workspace_state(org.workspace.pk) == before
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_admins_update(org, role):
    before = _workspace_state(org.workspace.pk)
    with pytest.raises(PermissionDeniedError):
        workspace_update(actor=org.actor(getattr(org, role)), name="Hacked", reps_see_team=True)
    assert _workspace_state(org.workspace.pk) == before
    assert AuditEntry.objects.count() == 0
