"""The team tree."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ErrorCode

from ..actor import Actor, ensure_same_workspace, team_subtree_ids
from ..models import Membership, Team
from ..roles import Capability


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Name the team."), fields={"name": [_("This field is required.")]})
    if len(name) > 120:
        raise ApplicationError(_("The name is too long."), fields={"name": [_("At most 120 characters.")]})
    return name


def _save(team: Team) -> None:
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as error:
        raise ApplicationError(
            _("A team with this name already exists."), fields={"name": [_("Choose another name.")]}
        ) from error


@transaction.atomic
def team_create(*, actor: Actor, name: str, parent: Team | None = None) -> Team:
    """Add a team, optionally under a parent team."""
    actor.require(Capability.MANAGE_TEAMS)
    ensure_same_workspace(actor, parent)
    team = Team(workspace=actor.workspace, name=_clean_name(name), parent=parent)
    _save(team)
    audit_record(action="team.create", actor=actor.user, target=team, diff={"name": team.name})
    return team


@transaction.atomic
def team_update(*, actor: Actor, team: Team, name: str | None = None, parent: Team | bool | None = False) -> Team:
    """Rename a team or move it under another parent (`parent=None` makes it a root; False keeps it)."""
    actor.require(Capability.MANAGE_TEAMS)
    ensure_same_workspace(actor, team, parent if isinstance(parent, Team) else None)
    diff: dict[str, list[object]] = {}
    if name is not None and name.strip() != team.name:
        diff["name"] = [team.name, _clean_name(name)]
        team.name = _clean_name(name)
    if parent is not False:
        new_parent = parent if isinstance(parent, Team) else None
        if new_parent is not None and new_parent.pk in team_subtree_ids(
            workspace_id=team.workspace_id, root_id=team.pk
        ):
            raise ApplicationError(
                _("A team cannot sit under itself or one of its own sub-teams."),
                code=ErrorCode.TEAM_CYCLE, fields={"parent": [_("Choose another parent team.")]},
            )
        if team.parent_id != (new_parent.pk if new_parent else None):
            diff["parent"] = [team.parent_id, new_parent.pk if new_parent else None]
            team.parent = new_parent
    if diff:
        _save(team)
        audit_record(action="team.update", actor=actor.user, target=team, diff=diff)
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    """Delete an empty team; sub-teams and members must be moved first."""
    actor.require(Capability.MANAGE_TEAMS)
    ensure_same_workspace(actor, team)
    if team.children.exists() or Membership.objects.filter(team=team, is_active=True).exists():
        raise ApplicationError(
            _("Move this team's members and sub-teams elsewhere before deleting it."), code=ErrorCode.VALIDATION
        )
    audit_record(action="team.delete", actor=actor.user, target=team, diff={"name": team.name})
    team.delete()
