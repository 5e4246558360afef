"""Company objectives: what the goals serve. Written by managers and administrators (GOALS_MANAGE)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ConflictError

from ..models import Objective

TITLE_MAX = 200
DESCRIPTION_MAX = 4000


def _text(value: Any, *, field: str, max_length: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("Enter text.")]})
    value = value.strip()
    if "\x00" in value:
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("The text is not valid.")]})
    if required and not value:
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ApplicationError(_("Check the highlighted fields."),
                               fields={field: [_("At most %(n)d characters.") % {"n": max_length}]})
    return value


@transaction.atomic
def objective_create(*, actor: Actor, data: dict[str, Any]) -> Objective:
    """Write a company objective."""
    actor.require(Capability.GOALS_MANAGE)
    title = _text(data.get("title"), field="title", max_length=TITLE_MAX, required=True)
    description = _text(data.get("description"), field="description", max_length=DESCRIPTION_MAX, required=False)
    objective = Objective.objects.create(workspace=actor.workspace, title=title, description=description,
                                         created_by=actor.user)
    audit_record(action="goals.objective.create", actor=actor.user, target=objective, diff={"title": title})
    return objective


@transaction.atomic
def objective_update(*, actor: Actor, objective: Objective, data: dict[str, Any], version: int) -> Objective:
    """Change the keys present in `data` (title, description, is_active); a stale version is a 409."""
    actor.require(Capability.GOALS_MANAGE)
    ensure_same_workspace(actor, objective)
    columns: dict[str, Any] = {}
    if "title" in data and data["title"] is not None:
        columns["title"] = _text(data["title"], field="title", max_length=TITLE_MAX, required=True)
    if "description" in data and data["description"] is not None:
        columns["description"] = _text(data["description"], field="description", max_length=DESCRIPTION_MAX,
                                       required=False)
    if data.get("is_active") is not None:
        columns["is_active"] = bool(data["is_active"])
    updated = Objective.objects.filter(pk=objective.pk, version=version).update(
        **columns, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise ConflictError(current={"version": Objective.objects.filter(pk=objective.pk)
                                     .values_list("version", flat=True).first()})
    audit_record(action="goals.objective.update", actor=actor.user, target=objective,
                 diff={key: str(value) for key, value in columns.items()})
    objective.refresh_from_db()
    return objective
