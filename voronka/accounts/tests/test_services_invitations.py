"""Invitations: who may invite whom, one email after commit, a signed single-use expiring link."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from voronka.accounts.models import Invitation, Membership, User
from voronka.accounts.roles import Role
from voronka.accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_token,
)
from voronka.accounts.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from voronka.core.errors import ApplicationError, ErrorCode, PermissionDeniedError
from voronka.core.models import AuditEntry

NEW_PASSWORD = "a sturdy new passphrase 42"


def _invite(org, *, by=None, email="new@acme.test", role=Role.REP, team=None) -> Invitation:  # type: ignore[no-untyped-def]
    return invitation_create(actor=org.actor(by or org.admin), email=email, role=role, team=team)


def _state() -> tuple[int, int, int, int]:
    return (Invitation.unscoped.count(), Membership.unscoped.count(), User.objects.count(), AuditEntry.objects.count())


def test_admin_invites_and_one_email_goes_out_after_commit(org, scoped, mailoutbox, django_capture_on_commit_callbacks):
    # when the admin invites someone inside a transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = _invite(org, email="  New.Person@Acme.TEST ", role=Role.MANAGER, team=org.sales)
        # then no email leaves before the commit
        assert mailoutbox == []
    # and exactly one leaves after it
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@acme.test"]
    assert message.subject == "You are invited to Acme Co on Voronka"
    # the link carries a signed token (timestamped, so compare what it names, not its text)
    link = re.search(rf"Accept: {re.escape(settings.SITE_URL)}/accounts/invitations/([^/\s]+)/\n", message.body)
    assert link is not None, message.body
    assert invitation_from_token(link.group(1)).pk == invitation.pk
    row = Invitation.objects.values_list("email", "role", "team_id", "invited_by_id", "accepted_at").get()
    assert row == ("new.person@acme.test", "manager", org.sales.pk, org.admin.pk, None)
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    assert list(AuditEntry.objects.values_list("action", "actor_id", "target_id", "diff")) == [
        ("invitation.create", org.admin.pk, str(invitation.pk), {"email": "new.person@acme.test", "role": "manager"}),
    ]


def test_rolled_back_invitation_sends_nothing(org, scoped, mailoutbox, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _invite(org)
        raise RuntimeError("the surrounding request failed")
    assert callbacks == []
    assert mailoutbox == []
    assert Invitation.unscoped.count() == 0


@pytest.mark.parametrize("role", [Role.REP, Role.MARKETER])
def test_manager_may_invite_reps_and_marketers(org, scoped, role):
    invitation = _invite(org, by=org.manager, role=role)
    assert invitation.role == role


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_manager_may_not_invite_admins_or_managers(org, scoped, mailoutbox, django_capture_on_commit_callbacks, role):
    before = _state()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError) as caught:
        _invite(org, by=org.manager, role=role)
    assert (caught.value.code, caught.value.status, list(caught.value.fields)) == ("permission_denied", 403, ["role"])
    assert _state() == before
    assert mailoutbox == []


@pytest.mark.parametrize("inviter", ["rep", "marketer"])
def test_reps_and_marketers_may_not_invite(org, scoped, mailoutbox, django_capture_on_commit_callbacks, inviter):
    before = _state()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDeniedError):
        _invite(org, by=getattr(org, inviter))
    assert _state() == before
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"email": "not an email"}, "validation_error", "email"),
        ({"email": ""}, "validation_error", "email"),
        ({"role": "owner"}, "validation_error", "role"),
        ({"email": "REP@acme.test"}, "already_member", "email"),
    ],
)
def test_bad_invitations_are_field_errors(org, scoped, kwargs, code, field):
    before = _state()
    with pytest.raises(ApplicationError) as caught:
        _invite(org, **kwargs)
    assert (caught.value.code, list(caught.value.fields)) == (code, [field])
    assert _state() == before


def test_a_member_of_another_workspace_may_be_invited(org, other_org, scoped):
    invitation = _invite(org, email=other_org.rep.email)
    assert invitation.email == "rep@globex.test"


def test_accept_as_a_new_user_creates_the_account_and_membership(org, scoped):
    invitation = _invite(org, role=Role.REP, team=org.south)
    membership = invitation_accept(token=invitation_token(invitation), full_name=" New Person ", password=NEW_PASSWORD)
    user = User.objects.get(email="new@acme.test")
    assert user.check_password(NEW_PASSWORD)
    assert user.full_name == "New Person"
    assert (membership.workspace_id, membership.user_id, membership.role, membership.team_id, membership.is_active) == (
        org.workspace.pk, user.pk, "rep", org.south.pk, True
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == user.pk
    assert invitation.accepted_at is not None
    assert AuditEntry.objects.filter(action="invitation.accept").values_list("actor_id", "diff").get() == (
        user.pk, {"role": "rep", "team": org.south.pk}
    )
    assert org.actor(user).viewer.user_id == user.pk


def test_accept_as_a_logged_in_user_of_another_workspace(org, other_org, scoped):
    invitation = _invite(org, email="REP@globex.test", role=Role.MARKETER)
    membership = invitation_accept(token=invitation_token(invitation), user=other_org.rep)
    assert (membership.user_id, membership.role) == (other_org.rep.pk, "marketer")
    assert Membership.unscoped.filter(user=other_org.rep).count() == 2


def test_accept_reactivates_a_former_member_with_the_new_role(org, scoped):
    Membership.unscoped.filter(user=org.rep).update(is_active=False)
    invitation = _invite(org, email="rep@acme.test", role=Role.MARKETER)
    membership = invitation_accept(token=invitation_token(invitation), user=org.rep)
    assert Membership.unscoped.filter(user=org.rep).values_list("pk", "role", "team_id", "is_active").get() == (
        membership.pk, "marketer", None, True
    )


def test_accept_refuses_the_wrong_user_an_existing_account_and_a_weak_password(org, other_org, scoped):
    invitation = _invite(org)
    token = invitation_token(invitation)
    before = _state()
    with pytest.raises(ApplicationError) as wrong_user:
        invitation_accept(token=token, user=other_org.rep)
    assert (wrong_user.value.code, wrong_user.value.status) == ("invitation_invalid", 403)
    with pytest.raises(ApplicationError) as weak:
        invitation_accept(token=token, full_name="New", password="123")
    assert (weak.value.code, list(weak.value.fields)) == ("validation_error", ["password"])
    UserFactory(email="new@acme.test")
    with pytest.raises(ApplicationError) as existing:
        invitation_accept(token=token, password=NEW_PASSWORD)
    assert existing.value.code == "login_required"
    assert _state() == (before[0], before[1], before[2] + 1, before[3])
    assert Invitation.unscoped.get().accepted_at is None


def test_two_acceptances_of_the_same_token_make_one_membership(org, scoped):
    invitation = _invite(org)
    token = invitation_token(invitation)
    invitation_accept(token=token, password=NEW_PASSWORD)
    user = User.objects.get(email="new@acme.test")
    for kwargs in ({"password": NEW_PASSWORD}, {"user": user}):
        with pytest.raises(ApplicationError) as caught:
            invitation_accept(token=token, **kwargs)
        assert (caught.value.code, caught.value.status) == ("invitation_used", 410)
    assert Membership.unscoped.filter(user=user).count() == 1
    assert AuditEntry.objects.filter(action="invitation.accept").count() == 1


def test_expired_by_date_is_refused(org, scoped):
    invitation = _invite(org)
    Invitation.unscoped.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ApplicationError) as caught:
        invitation_accept(token=invitation_token(invitation), password=NEW_PASSWORD)
    assert (caught.value.code, caught.value.status) == ("invitation_expired", 410)
    assert not User.objects.filter(email="new@acme.test").exists()


def test_expired_signature_is_refused(org, scoped, settings):
    invitation = _invite(org)
    # a link signed eight days ago (the signature's own age check, whatever the row says)
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        old_token = invitation_token(invitation)
    with pytest.raises(ApplicationError) as caught:
        invitation_from_token(old_token)
    assert caught.value.code == ErrorCode.INVITATION_EXPIRED
    assert Membership.unscoped.count() == 5


def test_tampered_tokens_are_invalid(org, other_org, scoped):
    invitation = _invite(org)
    token = invitation_token(invitation)
    other = invitation_token(_invite(org, email="second@acme.test"))
    payload, stamp, signature = token.rsplit(":", 2)
    tampered = [
        f"{payload}:{stamp}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}",
        f"{other.rsplit(':', 2)[0]}:{stamp}:{signature}",  # another invitation's payload, this signature
        token[:-1],
        "garbage",
        "",
    ]
    for bad in tampered:
        with pytest.raises(ApplicationError) as caught:
            invitation_accept(token=bad, password=NEW_PASSWORD)
        assert (caught.value.code, caught.value.status) == ("invitation_invalid", 404), bad
    assert Membership.unscoped.count() == 10
    assert not User.objects.filter(email="new@acme.test").exists()


def test_a_token_naming_another_workspace_is_invalid(org, scoped):
    invitation = _invite(org)
    elsewhere = WorkspaceFactory()
    forged = Invitation(pk=invitation.pk, workspace_id=elsewhere.pk)
    with pytest.raises(ApplicationError) as caught:
        invitation_from_token(invitation_token(forged))
    assert caught.value.code == ErrorCode.INVITATION_INVALID


def test_revoke(org, scoped):
    invitation = _invite(org, by=org.manager)
    invitation_revoke(actor=org.actor(org.manager), invitation=invitation)
    revoked_at = Invitation.unscoped.get().revoked_at
    assert revoked_at is not None
    # a second revoke changes nothing
    invitation_revoke(actor=org.actor(org.admin), invitation=invitation)
    assert Invitation.unscoped.get().revoked_at == revoked_at
    assert list(AuditEntry.objects.filter(action="invitation.revoke").values_list("actor_id", "target_id")) == [
        (org.manager.pk, str(invitation.pk))
    ]
    with pytest.raises(ApplicationError) as caught:
        invitation_accept(token=invitation_token(invitation), password=NEW_PASSWORD)
    assert caught.value.code == ErrorCode.INVITATION_INVALID
    assert not User.objects.filter(email="new@acme.test").exists()


def test_rep_may_not_revoke(org, scoped):
    invitation = _invite(org)
    with pytest.raises(PermissionDeniedError):
        invitation_revoke(actor=org.actor(org.rep), invitation=invitation)
    assert Invitation.unscoped.get().revoked_at is None


def test_an_accepted_invitation_is_not_revoked(org, scoped):
    invitation = _invite(org)
    invitation_accept(token=invitation_token(invitation), password=NEW_PASSWORD)
    invitation.refresh_from_db()
    invitation_revoke(actor=org.actor(org.admin), invitation=invitation)
    assert Invitation.unscoped.get().revoked_at is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_make_one_membership():
    # given an invitation committed to the database (no test transaction around it)
    workspace = WorkspaceFactory()
    admin = UserFactory(email="boss@example.test")
    MembershipFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    invited = UserFactory(email="twice@example.test")
    invitation = Invitation.unscoped.create(
        workspace=workspace, email="twice@example.test", role=Role.REP, invited_by=admin,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    token = invitation_token(invitation)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            barrier.wait(timeout=10)
            invitation_accept(token=token, user=invited)
            outcomes.append("ok")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    # when two requests redeem it at the same moment
    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then one wins and the other is told the link was used
    assert sorted(outcomes) == ["invitation_used", "ok"]
    assert Membership.unscoped.filter(user=invited, workspace=workspace).count() == 1
    assert AuditEntry.objects.filter(action="invitation.accept").count() == 1
