"""Services refuse to link rows across workspaces even if a caller skipped access.py."""

import pytest

from voronka.accounts.models import Invitation, Membership, Team
from voronka.accounts.services.invitations import invitation_create
from voronka.accounts.services.members import membership_update
from voronka.accounts.services.teams import team_create, team_update
from voronka.core.errors import ApplicationError, NotFoundError
from voronka.core.scoping import workspace_scope


def test_team_create_under_a_foreign_parent_is_not_found(org, other_org):
    with workspace_scope(org.workspace):
        before = Team.objects.count()
        with pytest.raises(NotFoundError):
            team_create(actor=org.actor(org.admin), name="Sneaky", parent=other_org.sales)
        assert Team.objects.count() == before


def test_team_update_of_a_foreign_team_is_not_found(org, other_org):
    with workspace_scope(org.workspace), pytest.raises(NotFoundError):
        team_update(actor=org.actor(org.admin), team=other_org.north, name="Renamed")
    other_org.north.refresh_from_db()
    assert other_org.north.name == "North"


def test_membership_update_to_a_foreign_team_is_not_found(org, other_org):
    with workspace_scope(org.workspace):
        membership = Membership.objects.get(user=org.rep)
        with pytest.raises(NotFoundError):
            membership_update(actor=org.actor(org.admin), membership=membership, team=other_org.south)
        membership.refresh_from_db()
        assert membership.team_id == org.north.pk


def test_invitation_to_a_foreign_team_is_not_found(org, other_org):
    with workspace_scope(org.workspace):
        with pytest.raises(NotFoundError):
            invitation_create(actor=org.actor(org.admin), email="new@x.test", role="rep", team=other_org.north)
        assert not Invitation.objects.exists()


def test_team_names_are_unique_ignoring_case(org):
    with workspace_scope(org.workspace):
        with pytest.raises(ApplicationError) as raised:
            team_create(actor=org.actor(org.admin), name="north")
        assert "name" in raised.value.fields
        assert Team.objects.filter(name__iexact="north").count() == 1
