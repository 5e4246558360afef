"""Creating and configuring workspaces."""

from __future__ import annotations

import zoneinfo

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ErrorCode
from voronka.core.events import publish_on_commit
from voronka.core.money import CURRENCIES
from voronka.core.scoping import workspace_scope

from ..actor import Actor
from ..events import WorkspaceCreated
from ..models import Membership, User, Workspace
from ..roles import Capability, Role

LANGUAGES = ("en", "ru")


def _validate(*, currency: str, time_zone: str, language: str) -> None:
    fields: dict[str, list[str]] = {}
    if currency not in CURRENCIES:
        fields["currency"] = [_("Unknown currency.")]
    if time_zone not in zoneinfo.available_timezones():
        fields["time_zone"] = [_("Unknown time zone.")]
    if language not in LANGUAGES:
        fields["language"] = [_("Choose English or Russian.")]
    if fields:
        raise ApplicationError(_("Check the highlighted fields."), code=ErrorCode.VALIDATION, fields=fields)


def _check_name_length(name: str) -> None:
    # The column holds 120 characters; PostgreSQL would refuse a longer value with a 500.
    if len(name) > 120:
        raise ApplicationError(_("The name is too long."), fields={"name": [_("At most 120 characters.")]})


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def workspace_create(
    *, name: str, owner: User, currency: str = "RUB", time_zone: str = "Europe/Moscow", language: str = "ru",
    slug: str | None = None,
) -> Workspace:
    """Create a workspace with `owner` as its first administrator."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("Name the workspace."), fields={"name": [_("This field is required.")]})
    _check_name_length(name)
    _validate(currency=currency, time_zone=time_zone, language=language)
    if slug is not None and (not slug or len(slug) > 60 or Workspace.objects.filter(slug=slug).exists()):
        raise ApplicationError(_("Choose another address."), fields={"slug": [_("This address is taken or invalid.")]})
    workspace = Workspace.objects.create(
        name=name, slug=slug or _unique_slug(name), currency=currency, time_zone=time_zone, language=language
    )
    with workspace_scope(workspace):
        membership = Membership.objects.create(workspace=workspace, user=owner, role=Role.ADMIN)
        audit_record(action="workspace.create", actor=owner, target=workspace, workspace_id=workspace.pk)
        audit_record(action="member.role", actor=owner, target=membership, diff={"role": [None, Role.ADMIN]})
    publish_on_commit(WorkspaceCreated(workspace_id=workspace.pk, owner_id=owner.pk))
    return workspace


@transaction.atomic
def workspace_update(
    *, actor: Actor, name: str | None = None, currency: str | None = None, time_zone: str | None = None,
    language: str | None = None, reps_see_team: bool | None = None,
) -> Workspace:
    """Change the workspace's settings (admins only)."""
    actor.require(Capability.MANAGE_WORKSPACE)
    workspace = Workspace.objects.select_for_update().get(pk=actor.workspace.pk)
    changes = {
        key: value
        for key, value in {
            "name": name.strip() if name is not None else None, "currency": currency, "time_zone": time_zone,
            "language": language, "reps_see_team": reps_see_team,
        }.items()
        if value is not None and getattr(workspace, key) != value
    }
    if "name" in changes and not changes["name"]:
        raise ApplicationError(_("Name the workspace."), fields={"name": [_("This field is required.")]})
    if "name" in changes:
        _check_name_length(str(changes["name"]))
    _validate(
        currency=str(changes.get("currency", workspace.currency)),
        time_zone=str(changes.get("time_zone", workspace.time_zone)),
        language=str(changes.get("language", workspace.language)),
    )
    diff = {key: [getattr(workspace, key), value] for key, value in changes.items()}
    for key, value in changes.items():
        setattr(workspace, key, value)
    if changes:
        workspace.save(update_fields=[*changes, "updated_at"])
        audit_record(
            action="workspace.update", actor=actor.user, target=workspace, diff=diff, workspace_id=workspace.pk
        )
    return workspace
