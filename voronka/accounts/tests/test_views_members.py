"""The members page: search, paging, role/team changes, (de)activation, invitations, revocation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from voronka.accounts.models import Invitation, Membership
from voronka.accounts.roles import Role
from voronka.accounts.services.invitations import invitation_create
from voronka.accounts.tests.factories import MembershipFactory, UserFactory
from voronka.accounts.tests.test_views_support import audit_actions, snapshot
from voronka.core.scoping import workspace_scope

MEMBERS = "/accounts/members/"


def invite(org, email="new@acme.test", workspace_org=None) -> Invitation:
    owner = workspace_org or org
    with workspace_scope(owner.workspace):
        return invitation_create(actor=owner.actor(owner.admin), email=email, role=Role.REP)


@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_everyone_sees_members(org, login_as, role):
    response = login_as(getattr(org, role)).get(MEMBERS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "rep@acme.test" in html
    assert ('action="/accounts/members/invite/"' in html) is (role in ("admin", "manager"))
    assert (f"/accounts/members/{Membership.unscoped.get(user=org.rep).pk}/edit/" in html) is (role == "admin")


def test_search_and_htmx_partial(org, login_as):
    client = login_as(org.admin)
    html = client.get(MEMBERS, {"q": "south"}).content.decode()
    assert "rep_south@acme.test" in html
    assert "manager@acme.test" not in html
    partial = client.get(MEMBERS, {"q": "south"}, headers={"HX-Request": "true", "HX-Target": "member-table"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="member-table">')
    assert "<nav" not in body and "rep_south@acme.test" in body


def test_pagination_25_per_page(org, login_as):
    for n in range(30):
        MembershipFactory(
            workspace=org.workspace, user=UserFactory(email=f"zz{n:02d}@acme.test", full_name=f"Zz {n:02d}")
        )
    client = login_as(org.admin)
    first = client.get(MEMBERS).content.decode()
    second = client.get(MEMBERS, {"page": 2}).content.decode()
    assert first.count("data-membership-id=") == 25
    assert second.count("data-membership-id=") == 35 - 25
    assert client.get(MEMBERS, {"page": "junk"}).status_code == 200


def test_list_query_count_does_not_grow(org, login_as, django_assert_max_num_queries):
    for n in range(40):
        MembershipFactory(workspace=org.workspace, user=UserFactory(email=f"q{n}@acme.test"), team=org.north)
    for n in range(5):
        invite(org, email=f"inv{n}@acme.test")
    client = login_as(org.admin)
    client.get("/")  # the first request stores the current workspace in the session
    with django_assert_max_num_queries(10):
        assert client.get(MEMBERS).status_code == 200


def test_names_are_escaped(org, login_as):
    org.rep.full_name = "<script>alert(1)</script>"
    org.rep.save()
    html = login_as(org.admin).get(MEMBERS).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


class TestEdit:
    def test_admin_changes_role_and_team(self, org, login_as):
        membership = Membership.unscoped.get(user=org.rep)
        client = login_as(org.admin)
        assert client.get(f"{MEMBERS}{membership.pk}/edit/").status_code == 200
        response = client.post(f"{MEMBERS}{membership.pk}/edit/", {"role": "manager", "team": org.south.pk})
        assert response.status_code == 302
        membership.refresh_from_db()
        assert (membership.role, membership.team_id) == ("manager", org.south.pk)
        assert audit_actions(action="member.update") == ["member.update"]

    @pytest.mark.parametrize("data", [{"role": "emperor"}, {"role": "rep", "team": "x"}, {}])
    def test_bad_input_is_a_form_error(self, org, login_as, data):
        membership = Membership.unscoped.get(user=org.rep)
        before = snapshot()
        response = login_as(org.admin).post(f"{MEMBERS}{membership.pk}/edit/", data)
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode()
        assert snapshot() == before

    def test_foreign_team_is_refused(self, org, other_org, login_as):
        membership = Membership.unscoped.get(user=org.rep)
        before = snapshot()
        response = login_as(org.admin).post(
            f"{MEMBERS}{membership.pk}/edit/", {"role": "rep", "team": other_org.north.pk}
        )
        assert response.status_code == 400
        assert snapshot() == before

    def test_last_admin_cannot_step_down(self, org, login_as):
        membership = Membership.unscoped.get(user=org.admin)
        before = snapshot()
        response = login_as(org.admin).post(f"{MEMBERS}{membership.pk}/edit/", {"role": "rep"})
        assert response.status_code == 400
        assert "at least one administrator" in response.content.decode()
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
    def test_others_may_not(self, org, login_as, role):
        membership = Membership.unscoped.get(user=org.rep)
        client = login_as(getattr(org, role))
        before = snapshot()
        assert client.get(f"{MEMBERS}{membership.pk}/edit/").status_code == 403
        assert client.post(f"{MEMBERS}{membership.pk}/edit/", {"role": "admin"}).status_code == 403
        assert client.post(f"{MEMBERS}{membership.pk}/deactivate/").status_code == 403
        assert snapshot() == before


class TestActivation:
    def test_deactivate_asks_then_cuts_access(self, org, login_as):
        membership = Membership.unscoped.get(user=org.rep)
        rep_client = Client()
        rep_client.force_login(org.rep)
        assert rep_client.get(MEMBERS).status_code == 200
        admin = login_as(org.admin)
        assert admin.get(f"{MEMBERS}{membership.pk}/deactivate/").status_code == 200
        membership.refresh_from_db()
        assert membership.is_active
        assert admin.post(f"{MEMBERS}{membership.pk}/deactivate/").status_code == 302
        membership.refresh_from_db()
        assert not membership.is_active
        # The rep's very next request has no workspace any more.
        page = rep_client.get(MEMBERS)
        assert "You are not in a workspace yet" in page.content.decode()
        assert "rep_south@acme.test" not in page.content.decode()

    def test_reactivate(self, org, login_as):
        membership = Membership.unscoped.get(user=org.rep)
        Membership.unscoped.filter(pk=membership.pk).update(is_active=False)
        client = login_as(org.admin)
        assert "Reactivate" in client.get(MEMBERS).content.decode()
        assert client.post(f"{MEMBERS}{membership.pk}/reactivate/").status_code == 302
        membership.refresh_from_db()
        assert membership.is_active

    def test_last_admin_cannot_deactivate_themselves(self, org, login_as):
        membership = Membership.unscoped.get(user=org.admin)
        before = snapshot()
        response = login_as(org.admin).post(f"{MEMBERS}{membership.pk}/deactivate/")
        assert response.status_code == 400
        assert snapshot() == before


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "edit/"),
        ("post", "edit/"),
        ("get", "deactivate/"),
        ("post", "deactivate/"),
        ("post", "reactivate/"),
    ],
)
def test_another_workspaces_member_is_404_and_unchanged(org, other_org, login_as, method, path):
    foreign = Membership.unscoped.get(user=other_org.rep)
    before = snapshot()
    response = getattr(login_as(org.admin), method)(f"{MEMBERS}{foreign.pk}/{path}", {"role": "admin"})
    assert response.status_code == 404
    assert snapshot() == before


class TestInvitations:
    def test_admin_invites_and_an_email_goes_out(self, org, login_as, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = login_as(org.admin).post(
                "/accounts/members/invite/", {"email": "New@Acme.test", "role": "manager", "team": org.north.pk}
            )
        assert response.status_code == 302
        invitation = Invitation.unscoped.get(email="new@acme.test")
        assert (invitation.role, invitation.team_id) == ("manager", org.north.pk)
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@acme.test"]
        assert "new@acme.test" in login_as(org.admin).get(MEMBERS).content.decode()

    def test_manager_may_not_invite_an_admin(self, org, login_as):
        before = snapshot()
        response = login_as(org.manager).post("/accounts/members/invite/", {"email": "x@acme.test", "role": "admin"})
        assert response.status_code == 400  # not a choice offered to managers
        assert "is-invalid" in response.content.decode()
        assert snapshot() == before

    @pytest.mark.parametrize(
        "data",
        [
            {"email": "nope", "role": "rep"},
            {"email": "rep@acme.test", "role": "rep"},
            {"email": "a@acme.test", "role": "rep", "team": "9999999"},
        ],
    )
    def test_bad_input_is_a_form_error(self, org, login_as, data):
        before = snapshot()
        response = login_as(org.admin).post("/accounts/members/invite/", data)
        assert response.status_code == 400
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["rep", "marketer"])
    def test_reps_and_marketers_may_not_invite(self, org, login_as, role):
        before = snapshot()
        response = login_as(getattr(org, role)).post(
            "/accounts/members/invite/", {"email": "x@acme.test", "role": "rep"}
        )
        assert response.status_code == 403
        assert snapshot() == before

    def test_revoke_asks_then_revokes(self, org, login_as):
        invitation = invite(org)
        client = login_as(org.admin)
        assert client.get(f"/accounts/members/invitations/{invitation.pk}/revoke/").status_code == 200
        assert client.post(f"/accounts/members/invitations/{invitation.pk}/revoke/").status_code == 302
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None

    def test_revoking_another_workspaces_invitation_is_404(self, org, other_org, login_as):
        foreign = invite(other_org, workspace_org=other_org)
        before = snapshot()
        client = login_as(org.admin)
        assert client.get(f"/accounts/members/invitations/{foreign.pk}/revoke/").status_code == 404
        assert client.post(f"/accounts/members/invitations/{foreign.pk}/revoke/").status_code == 404
        assert snapshot() == before

    def test_invitation_emails_are_escaped(self, org, login_as):
        invite(org, email='"<script>"@acme.test')
        html = login_as(org.admin).get(MEMBERS).content.decode()
        assert "<script>" not in html.split("<main", 1)[1]


def test_member_posts_need_csrf(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    membership = Membership.unscoped.get(user=org.rep)
    invitation = invite(org)
    before = snapshot()
    assert client.post(f"{MEMBERS}{membership.pk}/edit/", {"role": "manager"}).status_code == 403
    assert client.post(f"{MEMBERS}{membership.pk}/deactivate/").status_code == 403
    assert client.post("/accounts/members/invite/", {"email": "a@acme.test", "role": "rep"}).status_code == 403
    assert client.post(f"/accounts/members/invitations/{invitation.pk}/revoke/").status_code == 403
    assert snapshot() == before
