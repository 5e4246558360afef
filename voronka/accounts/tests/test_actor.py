"""The actor: role → visibility, the team subtree, and who gets no actor at all."""

from __future__ import annotations

import pytest

from voronka.accounts.actor import actor_for, default_workspace_id, team_subtree_ids
from voronka.accounts.models import Membership, Team, Workspace
from voronka.accounts.roles import Capability, Role
from voronka.accounts.tests.factories import MembershipFactory, TeamFactory, UserFactory, WorkspaceFactory
from voronka.core.errors import PermissionDeniedError
from voronka.core.scoping import workspace_scope
from voronka.core.visibility import VisibilityScope, visible_q


def _visible_member_user_ids(org, user) -> set[int]:  # type: ignore[no-untyped-def]
    """Users whose memberships `user` may see, through visible_q on real Membership rows."""
    viewer = org.actor(user).viewer
    with workspace_scope(org.workspace):
        rows = Membership.objects.filter(visible_q(viewer, owner_field="user", team_field="team"))
        return set(rows.values_list("user_id", flat=True))


def test_admin_sees_all(org, other_org):
    actor = org.actor(org.admin)
    assert actor.viewer.scope is VisibilityScope.ALL
    assert actor.viewer.team_ids == frozenset()
    assert actor.is_admin is True
    assert actor.role == Role.ADMIN
    assert _visible_member_user_ids(org, org.admin) == {
        org.admin.pk, org.manager.pk, org.rep.pk, org.rep_south.pk, org.marketer.pk
    }


def test_manager_sees_the_team_subtree_and_own(org, other_org):
    actor = org.actor(org.manager)
    assert actor.viewer.scope is VisibilityScope.TEAM
    assert actor.viewer.team_ids == frozenset({org.sales.pk, org.north.pk, org.south.pk})
    assert _visible_member_user_ids(org, org.manager) == {org.manager.pk, org.rep.pk, org.rep_south.pk}


def test_manager_of_a_leaf_team_does_not_see_sibling_teams(org):
    with workspace_scope(org.workspace):
        Membership.objects.filter(user=org.manager).update(team=org.north)
    actor = org.actor(org.manager)
    assert actor.viewer.team_ids == frozenset({org.north.pk})
    assert _visible_member_user_ids(org, org.manager) == {org.manager.pk, org.rep.pk}


def test_rep_sees_own_only_by_default(org):
    actor = org.actor(org.rep)
    assert actor.viewer.scope is VisibilityScope.OWN
    assert actor.viewer.team_ids == frozenset()
    assert _visible_member_user_ids(org, org.rep) == {org.rep.pk}


def test_rep_sees_own_team_but_not_sub_teams_when_the_workspace_allows(org):
    # given a second rep in North and a rep in a team below North
    north_east = TeamFactory(workspace=org.workspace, name="North-East", parent=org.north)
    teammate = UserFactory(email="teammate@acme.test")
    MembershipFactory(workspace=org.workspace, user=teammate, role=Role.REP, team=org.north)
    below = UserFactory(email="below@acme.test")
    MembershipFactory(workspace=org.workspace, user=below, role=Role.REP, team=north_east)
    Workspace.objects.filter(pk=org.workspace.pk).update(reps_see_team=True)
    # when the rep's actor is built
    actor = org.actor(org.rep)
    # then the rep sees the North team only
    assert actor.viewer.scope is VisibilityScope.TEAM
    assert actor.viewer.team_ids == frozenset({org.north.pk})
    assert _visible_member_user_ids(org, org.rep) == {org.rep.pk, teammate.pk}


def test_rep_without_a_team_sees_own_even_when_the_workspace_allows_teams(org):
    Workspace.objects.filter(pk=org.workspace.pk).update(reps_see_team=True)
    Membership.unscoped.filter(user=org.rep).update(team=None)
    actor = org.actor(org.rep)
    assert actor.viewer.scope is VisibilityScope.OWN
    assert actor.viewer.team_ids == frozenset()
    assert _visible_member_user_ids(org, org.rep) == {org.rep.pk}


def test_marketer_sees_all(org):
    actor = org.actor(org.marketer)
    assert actor.viewer.scope is VisibilityScope.ALL
    assert _visible_member_user_ids(org, org.marketer) == {
        org.admin.pk, org.manager.pk, org.rep.pk, org.rep_south.pk, org.marketer.pk
    }


def test_viewer_carries_the_user_and_workspace(org):
    viewer = org.actor(org.rep).viewer
    assert (viewer.user_id, viewer.workspace_id) == (org.rep.pk, org.workspace.pk)


def test_team_subtree_of_a_root_is_the_whole_tree(org, other_org):
    assert team_subtree_ids(workspace_id=org.workspace.pk, root_id=org.sales.pk) == {
        org.sales.pk, org.north.pk, org.south.pk
    }
    assert team_subtree_ids(workspace_id=org.workspace.pk, root_id=org.north.pk) == {org.north.pk}
    assert team_subtree_ids(workspace_id=org.workspace.pk, root_id=None) == frozenset()


def test_team_subtree_never_crosses_workspaces(org, other_org):
    # a root id from another workspace has no children here
    assert team_subtree_ids(workspace_id=org.workspace.pk, root_id=other_org.sales.pk) == {other_org.sales.pk}


def test_team_cycles_do_not_loop_forever(org):
    # given a corrupted tree: Sales → South → Sales, and North pointing at itself
    Team.unscoped.filter(pk=org.sales.pk).update(parent=org.south)
    Team.unscoped.filter(pk=org.north.pk).update(parent=org.north)
    # when the subtree is walked, then it terminates with each team once
    assert team_subtree_ids(workspace_id=org.workspace.pk, root_id=org.sales.pk) == {org.sales.pk, org.south.pk}
    assert team_subtree_ids(workspace_id=org.workspace.pk, root_id=org.south.pk) == {org.sales.pk, org.south.pk}
    assert team_subtree_ids(workspace_id=org.workspace.pk, root_id=org.north.pk) == {org.north.pk}
    assert org.actor(org.manager).viewer.team_ids == frozenset({org.sales.pk, org.south.pk})


def test_no_actor_for_an_inactive_user_membership_or_workspace(org, other_org):
    # a user of another workspace
    assert actor_for(user=other_org.rep, workspace_id=org.workspace.pk) is None
    # an inactive membership
    Membership.unscoped.filter(user=org.rep).update(is_active=False)
    assert actor_for(user=org.rep, workspace_id=org.workspace.pk) is None
    # an inactive user
    org.manager.is_active = False
    org.manager.save(update_fields=["is_active"])
    assert actor_for(user=org.manager, workspace_id=org.workspace.pk) is None
    # an inactive workspace
    Workspace.objects.filter(pk=org.workspace.pk).update(is_active=False)
    assert actor_for(user=org.admin, workspace_id=org.workspace.pk) is None


def test_default_workspace_is_the_oldest_active_membership(org):
    second = WorkspaceFactory()
    MembershipFactory(workspace=second, user=org.rep, role=Role.ADMIN)
    assert default_workspace_id(org.rep) == org.workspace.pk
    Membership.unscoped.filter(user=org.rep, workspace=org.workspace).update(is_active=False)
    assert default_workspace_id(org.rep) == second.pk
    Workspace.objects.filter(pk=second.pk).update(is_active=False)
    assert default_workspace_id(org.rep) is None


# Everyone reads the numbers (each limited to the rows they may see).
NUMBERS = (Capability.METRICS_VIEW, Capability.ANALYTICS_VIEW, Capability.GOALS_VIEW, Capability.FUNNEL_VIEW)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", set(Capability)),
        ("manager", {Capability.VIEW_WORKSPACE, Capability.VIEW_MEMBERS, Capability.VIEW_TEAMS,
                     Capability.MANAGE_OWN_TOKENS, Capability.INVITE_MEMBERS, Capability.CRM_VIEW,
                     Capability.CRM_EDIT_CONTACTS, Capability.CRM_EXPORT, Capability.CRM_EDIT_DEALS,
                     Capability.CRM_ASSIGN, Capability.CRM_DELETE, Capability.CRM_IMPORT, Capability.CRM_MERGE,
                     *NUMBERS, Capability.DASHBOARDS_SHARE, Capability.REPORTS_SCHEDULE, Capability.GOALS_MANAGE,
                     Capability.ALERTS_MANAGE, Capability.FUNNEL_MANAGE}),
        ("rep", {Capability.VIEW_WORKSPACE, Capability.VIEW_MEMBERS, Capability.VIEW_TEAMS,
                 Capability.MANAGE_OWN_TOKENS, Capability.CRM_VIEW, Capability.CRM_EDIT_CONTACTS,
                 Capability.CRM_EXPORT, Capability.CRM_EDIT_DEALS, *NUMBERS}),
        ("marketer", {Capability.VIEW_WORKSPACE, Capability.VIEW_MEMBERS, Capability.VIEW_TEAMS,
                      Capability.MANAGE_OWN_TOKENS, Capability.CRM_VIEW, Capability.CRM_EDIT_CONTACTS,
                      Capability.CRM_EXPORT, Capability.CRM_IMPORT, *NUMBERS, Capability.REPORTS_SCHEDULE}),
    ],
)
def test_capabilities_per_role(org, role, allowed):
    actor = org.actor(getattr(org, role))
    assert {cap for cap in Capability if actor.can(cap)} == allowed
    for cap in set(Capability) - allowed:
        with pytest.raises(PermissionDeniedError):
            actor.require(cap)
    for cap in allowed:
        actor.require(cap)
