"""Activities: calls, meetings, emails, tasks and notes, linked to a deal, contact or company.

`data` keys: kind, subject, body, due_at, outcome, deal / contact / company (objects the caller
resolved as visible) or deal_id / contact_id / company_id (resolved here through access),
owner (User) or owner_id, custom (dict). Other keys are ignored. A note is done when written.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError

from .. import access
from ..models import Activity, ActivityKind, CustomEntity
from .custom_fields import custom_values_clean
from .records import (
    clean_choice,
    clean_datetime,
    clean_text,
    owner_change,
    owner_changed,
    owner_for_create,
    record_delete,
    timeline_for,
    versioned_update,
    wanted_owner,
)

BODY_MAX = 20_000
_LINKS: dict[str, Any] = {
    "deal": access.access_deal,
    "contact": access.access_contact,
    "company": access.access_company,
}


def _links(*, actor: Actor, data: dict[str, Any], partial: bool) -> dict[str, int | None]:
    """`<link>_id` columns for the links present in `data`; invisible or foreign ids are 404."""
    columns: dict[str, int | None] = {}
    for name, resolve in _LINKS.items():
        if data.get(name) is not None:
            obj = data[name]
            ensure_same_workspace(actor, obj)
            columns[f"{name}_id"] = obj.pk
        elif data.get(f"{name}_id") not in (None, ""):
            columns[f"{name}_id"] = resolve(actor=actor, **{f"{name}_id": data[f"{name}_id"]}).pk
        elif not partial or name in data or f"{name}_id" in data:
            columns[f"{name}_id"] = None
    return columns


def _clean(*, actor: Actor, data: dict[str, Any], partial: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or key in data

    if given("kind"):
        kind = clean_choice(data.get("kind") or ActivityKind.TASK, field="kind", choices=ActivityKind.values)
        columns["kind"] = kind
    if given("subject"):
        columns["subject"] = clean_text(data.get("subject"), field="subject", max_length=200, required=True)
    if given("body"):
        columns["body"] = clean_text(data.get("body"), field="body", max_length=BODY_MAX)
    if given("outcome"):
        columns["outcome"] = clean_text(data.get("outcome"), field="outcome", max_length=200)
    if given("due_at"):
        columns["due_at"] = clean_datetime(data.get("due_at"), field="due_at", time_zone=actor.workspace.time_zone)
    columns.update(_links(actor=actor, data=data, partial=partial))
    return columns


@transaction.atomic
def activity_create(*, actor: Actor, data: dict[str, Any]) -> Activity:
    """Log or plan an activity; notes are done at once and show on the linked timelines."""
    actor.require(Capability.CRM_EDIT_DEALS)
    columns = _clean(actor=actor, data=data, partial=False)
    owner, team_id = owner_for_create(actor=actor, data=data)
    custom = custom_values_clean(workspace_id=actor.workspace.pk, entity=CustomEntity.ACTIVITY,
                                 values=data.get("custom"))
    is_note = columns["kind"] == ActivityKind.NOTE
    activity = Activity.objects.create(
        workspace=actor.workspace, owner=owner, team_id=team_id, custom=custom,
        done_at=timezone.now() if is_note else None, **columns,
    )
    if is_note:
        timeline_for(record=activity, kind="note", actor=actor,
                     data={"subject": activity.subject, "body": activity.body[:1000]})
    else:
        timeline_for(record=activity, kind="activity_planned", actor=actor,
                     data={"kind": activity.kind, "subject": activity.subject,
                           "due_at": activity.due_at.isoformat() if activity.due_at else None})
    return activity


@transaction.atomic
def activity_update(*, actor: Actor, activity: Activity, data: dict[str, Any], version: int) -> Activity:
    """Change the keys present in `data`; a stale `version` is refused with ConflictError (409)."""
    actor.require(Capability.CRM_EDIT_DEALS)
    ensure_same_workspace(actor, activity)
    columns = _clean(actor=actor, data=data, partial=True)
    if columns.get("kind") == ActivityKind.NOTE and activity.done_at is None:
        columns["done_at"] = timezone.now()
    if "custom" in data:
        columns["custom"] = custom_values_clean(workspace_id=actor.workspace.pk, entity=CustomEntity.ACTIVITY,
                                                values=data["custom"], current=activity.custom)
    owner = wanted_owner(actor=actor, data=data)
    owner_columns = owner_change(actor=actor, record=activity, owner=owner) if owner is not None else {}
    before_owner = (activity.owner_id, activity.team_id)
    versioned_update(actor=actor, record=activity, version=version, changes={**columns, **owner_columns})
    activity.refresh_from_db()
    if owner_columns:
        owner_changed(actor=actor, record=activity, before=before_owner, changes=owner_columns)
    return activity


@transaction.atomic
def activity_complete(*, actor: Actor, activity: Activity, outcome: str = "") -> Activity:
    """Mark an activity done now with an outcome; the linked deal/contact/company timeline says so."""
    actor.require(Capability.CRM_EDIT_DEALS)
    ensure_same_workspace(actor, activity)
    outcome = clean_text(outcome, field="outcome", max_length=200)
    done_at = timezone.now()
    # Only an open activity completes: completing twice neither moves done_at nor doubles the timeline.
    updated = Activity.objects.filter(pk=activity.pk, done_at__isnull=True).update(
        done_at=done_at, outcome=outcome, updated_at=done_at, version=F("version") + 1,
    )
    activity.refresh_from_db()
    if not updated:
        raise ApplicationError(_("This activity is already done."), code="already_done")
    timeline_for(record=activity, kind="activity_done", actor=actor,
                 data={"kind": activity.kind, "subject": activity.subject, "outcome": outcome})
    return activity


def activity_delete(*, actor: Actor, activity: Activity) -> None:
    """Delete an activity (CRM_DELETE, or the owner's own activity)."""
    record_delete(actor=actor, record=activity)
