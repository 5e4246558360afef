"""Invitations: a signed, expiring, single-use link that makes someone a member."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ErrorCode
from voronka.core.scoping import workspace_scope

from ..actor import Actor, ensure_same_workspace
from ..models import Invitation, Membership, Team, User, normalize_email
from ..roles import MANAGER_INVITABLE_ROLES, Capability, Role

_SALT = "voronka.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "w": invitation.workspace_id}, salt=_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation-accept", args=[invitation_token(invitation)])


@transaction.atomic
def invitation_create(*, actor: Actor, email: str, role: str, team: Team | None = None) -> Invitation:
    """Invite `email` with `role`; managers may invite reps and marketers only."""
    actor.require(Capability.INVITE_MEMBERS)
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError as error:
        raise ApplicationError(_("Enter a valid email address."), fields={"email": [_("Invalid email.")]}) from error
    if role not in Role.values:
        raise ApplicationError(_("Unknown role."), fields={"role": [_("Choose a role from the list.")]})
    ensure_same_workspace(actor, team)
    if not actor.can(Capability.MANAGE_MEMBERS) and role not in MANAGER_INVITABLE_ROLES:
        raise ApplicationError(
            _("You may invite sales reps and marketers only."), code=ErrorCode.PERMISSION_DENIED, status=403,
            fields={"role": [_("Choose another role.")]},
        )
    if Membership.objects.filter(user__email__iexact=email, is_active=True).exists():
        raise ApplicationError(_("This person is already a member."), code=ErrorCode.ALREADY_MEMBER,
                               fields={"email": [_("Already a member.")]})
    invitation = Invitation.objects.create(
        workspace=actor.workspace, email=email, role=role, team=team, invited_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(seconds=settings.INVITATION_MAX_AGE_SECONDS),
    )
    audit_record(action="invitation.create", actor=actor.user, target=invitation, diff={"email": email, "role": role})
    url = invitation_url(invitation)
    workspace_name = actor.workspace.name
    inviter = actor.user.display_name
    transaction.on_commit(
        lambda: send_mail(
            subject=_("You are invited to %(workspace)s on Voronka") % {"workspace": workspace_name},
            message=_("%(inviter)s invites you to join %(workspace)s on Voronka.\n\nAccept: %(url)s\n\n"
                      "The link works once and expires in 7 days.")
            % {"inviter": inviter, "workspace": workspace_name, "url": url},
            from_email=None, recipient_list=[email],
        )
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    actor.require(Capability.INVITE_MEMBERS)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(action="invitation.revoke", actor=actor.user, target=invitation)
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names; a bad, expired, revoked or used link is an ApplicationError."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.INVITATION_MAX_AGE_SECONDS)
    except signing.SignatureExpired as error:
        raise ApplicationError(_("This invitation has expired. Ask for a new one."),
                               code=ErrorCode.INVITATION_EXPIRED, status=410) from error
    except signing.BadSignature as error:
        raise ApplicationError(_("This invitation link is not valid."), code=ErrorCode.INVITATION_INVALID,
                               status=404) from error
    invitation = (
        Invitation.unscoped.select_related("workspace").filter(pk=data.get("i"), workspace_id=data.get("w")).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise ApplicationError(_("This invitation link is not valid."), code=ErrorCode.INVITATION_INVALID, status=404)
    if invitation.accepted_at is not None:
        raise ApplicationError(_("This invitation has already been used."), code=ErrorCode.INVITATION_USED, status=410)
    if invitation.expires_at <= timezone.now():
        raise ApplicationError(_("This invitation has expired. Ask for a new one."),
                               code=ErrorCode.INVITATION_EXPIRED, status=410)
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str = ""
) -> Membership:
    """Redeem an invitation once: as the logged-in `user`, or by creating the invited account."""
    invitation = invitation_from_token(token)
    # Lock the row so two clicks on the same link cannot both redeem it.
    invitation = Invitation.unscoped.select_for_update().select_related("workspace").get(pk=invitation.pk)
    # Re-check under the lock: a concurrent accept or revoke may have won the race.
    invitation = invitation_from_token(token)
    if user is None:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None:
            raise ApplicationError(_("You already have an account: log in first, then open the link again."),
                                   code="login_required", status=400)
        try:
            validate_password(password, User(email=invitation.email, full_name=full_name))
        except ValidationError as error:
            raise ApplicationError(
                _("Choose a stronger password."), fields={"password": list(error.messages)}
            ) from error
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip()[:150])
    elif normalize_email(user.email) != invitation.email:
        raise ApplicationError(_("This invitation was sent to another email address."),
                               code=ErrorCode.INVITATION_INVALID, status=403)
    with workspace_scope(invitation.workspace):
        membership, created = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role, "team": invitation.team}
        )
        if not created:
            if membership.is_active:
                raise ApplicationError(_("You are already a member of this workspace."), code=ErrorCode.ALREADY_MEMBER)
            membership.is_active, membership.role, membership.team = True, invitation.role, invitation.team
            membership.save(update_fields=["is_active", "role", "team", "updated_at"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_record(action="invitation.accept", actor=user, target=invitation,
                     diff={"role": invitation.role, "team": invitation.team_id})
    return membership
