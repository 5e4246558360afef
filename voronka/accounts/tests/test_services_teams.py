"""team_create / team_update / team_delete: names, the tree without cycles, audits, capability."""

from __future__ import annotations

import pytest

from voronka.accounts.models import Membership, Team
from voronka.accounts.services.teams import team_create, team_delete, team_update
from voronka.core.errors import ApplicationError, ErrorCode, PermissionDeniedError
from voronka.core.models import AuditEntry


def _tree(org) -> set[tuple[int, str, int | None]]:  # type: ignore[no-untyped-def]
    return set(Team.unscoped.filter(workspace=org.workspace).values_list("id", "name", "parent_id"))


def _audits() -> list[tuple]:
    rows = AuditEntry.objects.order_by("id")
    return list(rows.values_list("action", "actor_id", "workspace_id", "target_id", "diff"))


def test_create_a_root_and_a_child_team(org, scoped):
    actor = org.actor(org.admin)
    west = team_create(actor=actor, name="  West ")
    west_one = team_create(actor=actor, name="West 1", parent=west)
    assert Team.objects.filter(pk=west.pk).values_list("name", "parent_id").get() == ("West", None)
    assert Team.objects.filter(pk=west_one.pk).values_list("name", "parent_id").get() == ("West 1", west.pk)
    assert _audits() == [
        ("team.create", org.admin.pk, org.workspace.pk, str(west.pk), {"name": "West"}),
        ("team.create", org.admin.pk, org.workspace.pk, str(west_one.pk), {"name": "West 1"}),
    ]


def test_same_name_in_another_workspace_is_fine(org, other_org, scoped):
    team = team_create(actor=other_org.actor(other_org.admin), name="West")
    assert team.workspace_id == other_org.workspace.pk
    team_create(actor=org.actor(org.admin), name="West")
    assert Team.unscoped.filter(name="West").count() == 2


@pytest.mark.parametrize(("name", "field"), [("Sales", "name"), ("", "name"), ("   ", "name"), ("n" * 121, "name")])
def test_create_refuses_a_bad_or_duplicate_name(org, scoped, name, field):
    before = _tree(org)
    with pytest.raises(ApplicationError) as caught:
        team_create(actor=org.actor(org.admin), name=name)
    assert caught.value.code == ErrorCode.VALIDATION
    assert list(caught.value.fields) == [field]
    assert _tree(org) == before
    assert _audits() == []


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_admins_manage_teams(org, scoped, role):
    actor = org.actor(getattr(org, role))
    empty = Team.unscoped.create(workspace=org.workspace, name="Empty")
    before = _tree(org)
    with pytest.raises(PermissionDeniedError):
        team_create(actor=actor, name="New")
    with pytest.raises(PermissionDeniedError):
        team_update(actor=actor, team=org.north, name="Renamed", parent=None)
    with pytest.raises(PermissionDeniedError):
        team_delete(actor=actor, team=empty)
    assert _tree(org) == before
    assert _audits() == []


def test_rename_and_move(org, scoped):
    actor = org.actor(org.admin)
    team_update(actor=actor, team=org.south, name="South-West", parent=org.north)
    assert Team.objects.filter(pk=org.south.pk).values_list("name", "parent_id").get() == ("South-West", org.north.pk)
    team_update(actor=actor, team=org.south, parent=None)
    assert Team.objects.get(pk=org.south.pk).parent_id is None
    assert _audits() == [
        ("team.update", org.admin.pk, org.workspace.pk, str(org.south.pk),
         {"name": ["South", "South-West"], "parent": [org.sales.pk, org.north.pk]}),
        ("team.update", org.admin.pk, org.workspace.pk, str(org.south.pk), {"parent": [org.north.pk, None]}),
    ]


def test_update_without_changes_writes_nothing(org, scoped):
    team_update(actor=org.actor(org.admin), team=org.north, name=" North ", parent=org.sales)
    team_update(actor=org.actor(org.admin), team=org.north)
    assert _audits() == []


@pytest.mark.parametrize(("team", "parent"), [("sales", "north"), ("sales", "south"), ("sales", "sales"),
                                              ("north", "north")])
def test_cycles_are_refused(org, scoped, team, parent):
    before = _tree(org)
    with pytest.raises(ApplicationError) as caught:
        team_update(actor=org.actor(org.admin), team=getattr(org, team), parent=getattr(org, parent))
    assert caught.value.code == ErrorCode.TEAM_CYCLE
    assert list(caught.value.fields) == ["parent"]
    assert _tree(org) == before
    assert _audits() == []


def test_deeper_cycle_is_refused(org, scoped):
    actor = org.actor(org.admin)
    deep = team_create(actor=actor, name="Deep", parent=org.north)
    before = _tree(org)
    with pytest.raises(ApplicationError) as caught:
        team_update(actor=actor, team=org.sales, parent=deep)
    assert caught.value.code == ErrorCode.TEAM_CYCLE
    assert _tree(org) == before


def test_rename_to_an_existing_name_is_a_field_error(org, scoped):
    before = _tree(org)
    with pytest.raises(ApplicationError) as caught:
        team_update(actor=org.actor(org.admin), team=org.north, name="South")
    assert caught.value.code == ErrorCode.VALIDATION
    assert list(caught.value.fields) == ["name"]
    assert _tree(org) == before
    assert _audits() == []


def test_delete_an_empty_team(org, scoped):
    empty = team_create(actor=org.actor(org.admin), name="Empty", parent=org.north)
    empty_id = empty.pk
    team_delete(actor=org.actor(org.admin), team=empty)
    assert not Team.unscoped.filter(pk=empty_id).exists()
    assert _audits()[-1] == ("team.delete", org.admin.pk, org.workspace.pk, str(empty_id), {"name": "Empty"})


@pytest.mark.parametrize("team", ["sales", "north"])  # Sales has sub-teams; North has a member
def test_delete_refused_with_members_or_sub_teams(org, scoped, team):
    before = _tree(org)
    with pytest.raises(ApplicationError) as caught:
        team_delete(actor=org.actor(org.admin), team=getattr(org, team))
    assert caught.value.code == ErrorCode.VALIDATION
    assert _tree(org) == before
    assert Membership.objects.filter(team=org.north).count() == 1
    assert _audits() == []


def test_delete_a_team_with_only_former_members_detaches_them(org, scoped):
    Membership.objects.filter(user=org.rep_south).update(is_active=False)
    south_id = org.south.pk
    team_delete(actor=org.actor(org.admin), team=org.south)
    assert not Team.unscoped.filter(pk=south_id).exists()
    assert Membership.objects.get(user=org.rep_south).team_id is None
