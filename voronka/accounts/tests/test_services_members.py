"""membership_update / membership_set_active: roles, teams, the last admin, audits, capability."""

from __future__ import annotations

import pytest

from voronka.accounts.actor import actor_for
from voronka.accounts.models import Membership
from voronka.accounts.roles import Role
from voronka.accounts.services.members import membership_set_active, membership_update
from voronka.accounts.tests.factories import MembershipFactory, UserFactory
from voronka.core.errors import ApplicationError, ErrorCode, PermissionDeniedError
from voronka.core.models import AuditEntry


def _members(org) -> set[tuple[int, str, int | None, bool]]:  # type: ignore[no-untyped-def]
    rows = Membership.unscoped.filter(workspace=org.workspace)
    return set(rows.values_list("user_id", "role", "team_id", "is_active"))


def _audits() -> list[tuple]:
    rows = AuditEntry.objects.order_by("id")
    return list(rows.values_list("action", "actor_id", "workspace_id", "target_id", "diff"))


def _membership(org, user) -> Membership:  # type: ignore[no-untyped-def]
    return Membership.unscoped.get(workspace=org.workspace, user=user)


def test_admin_changes_role_and_team(org, scoped):
    membership = _membership(org, org.rep)
    updated = membership_update(actor=org.actor(org.admin), membership=membership, role=Role.MANAGER, team=org.south)
    assert (updated.role, updated.team_id) == (Role.MANAGER, org.south.pk)
    assert Membership.objects.filter(pk=membership.pk).values_list("role", "team_id").get() == ("manager", org.south.pk)
    assert _audits() == [
        ("member.update", org.admin.pk, org.workspace.pk, str(membership.pk),
         {"role": ["rep", "manager"], "team": [org.north.pk, org.south.pk]}),
    ]
    # and the new manager now sees the South subtree
    assert org.actor(org.rep).viewer.team_ids == frozenset({org.south.pk})


def test_team_none_removes_the_team_and_false_keeps_it(org, scoped):
    membership = _membership(org, org.rep)
    membership_update(actor=org.actor(org.admin), membership=membership, role=Role.MARKETER)
    assert Membership.objects.get(pk=membership.pk).team_id == org.north.pk
    membership_update(actor=org.actor(org.admin), membership=membership, team=None)
    assert Membership.objects.get(pk=membership.pk).team_id is None
    assert [row[0] for row in _audits()] == ["member.update", "member.update"]
    assert _audits()[1][4] == {"team": [org.north.pk, None]}


def test_update_without_changes_writes_nothing(org, scoped):
    membership_update(actor=org.actor(org.admin), membership=_membership(org, org.rep), role=Role.REP, team=org.north)
    assert _audits() == []


def test_unknown_role_is_a_field_error(org, scoped):
    before = _members(org)
    with pytest.raises(ApplicationError) as caught:
        membership_update(actor=org.actor(org.admin), membership=_membership(org, org.rep), role="owner")
    assert caught.value.code == ErrorCode.VALIDATION
    assert list(caught.value.fields) == ["role"]
    assert _members(org) == before
    assert _audits() == []


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_admins_manage_members(org, scoped, role):
    actor = org.actor(getattr(org, role))
    before = _members(org)
    with pytest.raises(PermissionDeniedError):
        membership_update(actor=actor, membership=_membership(org, org.rep_south), role=Role.ADMIN)
    with pytest.raises(PermissionDeniedError):
        membership_set_active(actor=actor, membership=_membership(org, org.rep_south), active=False)
    assert _members(org) == before
    assert _audits() == []


def test_the_last_admin_cannot_be_demoted_or_deactivated(org, scoped):
    before = _members(org)
    admin = _membership(org, org.admin)
    with pytest.raises(ApplicationError) as demoted:
        membership_update(actor=org.actor(org.admin), membership=admin, role=Role.REP)
    with pytest.raises(ApplicationError) as deactivated:
        membership_set_active(actor=org.actor(org.admin), membership=admin, active=False)
    assert demoted.value.code == ErrorCode.LAST_ADMIN
    assert deactivated.value.code == ErrorCode.LAST_ADMIN
    assert _members(org) == before
    assert _audits() == []


def test_an_inactive_second_admin_does_not_count(org, scoped):
    MembershipFactory(workspace=org.workspace, user=UserFactory(), role=Role.ADMIN, is_active=False)
    with pytest.raises(ApplicationError) as caught:
        membership_update(actor=org.actor(org.admin), membership=_membership(org, org.admin), role=Role.MANAGER)
    assert caught.value.code == ErrorCode.LAST_ADMIN
    assert _membership(org, org.admin).role == Role.ADMIN


def test_an_admin_of_another_workspace_does_not_count(org, other_org, scoped):
    with pytest.raises(ApplicationError) as caught:
        membership_set_active(actor=org.actor(org.admin), membership=_membership(org, org.admin), active=False)
    assert caught.value.code == ErrorCode.LAST_ADMIN


def test_with_a_second_active_admin_the_first_may_step_down(org, scoped):
    second = UserFactory(email="second@acme.test")
    MembershipFactory(workspace=org.workspace, user=second, role=Role.ADMIN)
    membership_update(actor=org.actor(org.admin), membership=_membership(org, org.admin), role=Role.MANAGER)
    assert _membership(org, org.admin).role == Role.MANAGER
    # and now the second admin is the last one
    with pytest.raises(ApplicationError) as caught:
        membership_set_active(actor=org.actor(second), membership=_membership(org, second), active=False)
    assert caught.value.code == ErrorCode.LAST_ADMIN


def test_deactivate_and_restore_a_member(org, scoped):
    membership = _membership(org, org.rep)
    membership_set_active(actor=org.actor(org.admin), membership=membership, active=False)
    assert Membership.objects.get(pk=membership.pk).is_active is False
    assert actor_for(user=org.rep, workspace_id=org.workspace.pk) is None
    # setting the same state again changes and audits nothing
    membership_set_active(actor=org.actor(org.admin), membership=membership, active=False)
    membership_set_active(actor=org.actor(org.admin), membership=membership, active=True)
    assert Membership.objects.get(pk=membership.pk).is_active is True
    assert actor_for(user=org.rep, workspace_id=org.workspace.pk) is not None
    assert _audits() == [
        ("member.deactivate", org.admin.pk, org.workspace.pk, str(membership.pk), {"is_active": [True, False]}),
        ("member.activate", org.admin.pk, org.workspace.pk, str(membership.pk), {"is_active": [False, True]}),
    ]


def test_a_stale_membership_object_is_re_read_under_lock(org, scoped):
    # given a membership object read before someone else changed the row
    stale = _membership(org, org.rep)
    Membership.objects.filter(pk=stale.pk).update(role=Role.MARKETER)
    # when the role is set to what the row already holds, nothing is written
    membership_update(actor=org.actor(org.admin), membership=stale, role=Role.MARKETER)
    assert _audits() == []
