"""Roles, teams and activation of a workspace's members."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ErrorCode

from ..actor import Actor, ensure_same_workspace
from ..models import Membership, Team
from ..roles import Capability, Role


def _would_leave_no_admin(membership: Membership, *, new_role: str | None, deactivate: bool) -> bool:
    if membership.role != Role.ADMIN or not membership.is_active:
        return False
    if not deactivate and new_role in (None, Role.ADMIN):
        return False
    others = (
        Membership.objects.select_for_update()
        .filter(role=Role.ADMIN, is_active=True)
        .exclude(pk=membership.pk)
    )
    return not others.exists()


@transaction.atomic
def membership_update(
    *, actor: Actor, membership: Membership, role: str | None = None, team: Team | bool | None = False
) -> Membership:
    """Change a member's role or team; the workspace always keeps one active admin."""
    actor.require(Capability.MANAGE_MEMBERS)
    ensure_same_workspace(actor, membership, team if isinstance(team, Team) else None)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    diff: dict[str, list[object]] = {}
    if role is not None and role != membership.role:
        if role not in Role.values:
            raise ApplicationError(_("Unknown role."), fields={"role": [_("Choose a role from the list.")]})
        if _would_leave_no_admin(membership, new_role=role, deactivate=False):
            raise ApplicationError(_("A workspace needs at least one administrator."), code=ErrorCode.LAST_ADMIN)
        diff["role"] = [membership.role, role]
        membership.role = role
    if team is not False:
        new_team_id = team.pk if isinstance(team, Team) else None
        if new_team_id != membership.team_id:
            diff["team"] = [membership.team_id, new_team_id]
            membership.team_id = new_team_id
    if diff:
        membership.save(update_fields=["role", "team", "updated_at"])
        audit_record(action="member.update", actor=actor.user, target=membership, diff=diff)
    return membership


@transaction.atomic
def membership_set_active(*, actor: Actor, membership: Membership, active: bool) -> Membership:
    """Deactivate (or restore) a member; a deactivated member loses access at the next request."""
    actor.require(Capability.MANAGE_MEMBERS)
    ensure_same_workspace(actor, membership)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_active == active:
        return membership
    if not active and _would_leave_no_admin(membership, new_role=None, deactivate=True):
        raise ApplicationError(_("A workspace needs at least one administrator."), code=ErrorCode.LAST_ADMIN)
    membership.is_active = active
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(
        action="member.activate" if active else "member.deactivate", actor=actor.user, target=membership,
        diff={"is_active": [not active, active]},
    )
    return membership
