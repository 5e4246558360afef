"""What companies, contacts, deals and activities share: owner changes, deletion, versioned writes, cleaning.

The cleaning helpers raise ApplicationError with the field name, so every entity's service
reports bad input the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.models import Membership, User
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ConflictError, PermissionDeniedError

from ..models import Activity, Company, Contact, Deal, OwnedRecord
from .tags import tags_set
from .timeline import timeline_add

R = TypeVar("R", bound=OwnedRecord)

# --- cleaning ------------------------------------------------------------------------------------


def _storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value: Any, *, field: str, max_length: int, required: bool = False) -> str:
    """Trimmed text that every database can store; '' for None."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("Enter text.")]})
    value = value.strip()
    if not _storable(value):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("The text is not valid.")]})
    if required and not value:
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ApplicationError(_("Check the highlighted fields."),
                               fields={field: [_("At most %(n)d characters.") % {"n": max_length}]})
    return value


def clean_choice(value: Any, *, field: str, choices: list[str]) -> str:
    """One of `choices`, or '' for empty."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or value not in choices:
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("Not a valid choice.")]})
    return value


def clean_decimal(value: Any, *, field: str, max_digits: int, places: int = 2, allow_none: bool = True,
                  minimum: Decimal | None = Decimal("0")) -> Decimal | None:
    """A Decimal rounded to `places` that fits `max_digits`; None (when allowed) for empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("This field is required.")]})
    if isinstance(value, bool):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("Enter a number.")]})
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace(",", "."))
        if not number.is_finite():
            raise InvalidOperation
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("Enter a number.")]}) from None
    if minimum is not None and number < minimum:
        raise ApplicationError(_("Check the highlighted fields."),
                               fields={field: [_("Must be at least %(n)s.") % {"n": minimum}]})
    if abs(number) >= Decimal(10) ** (max_digits - places):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("The number is too large.")]})
    return number


def clean_datetime(value: Any, *, field: str, time_zone: str) -> dt.datetime | None:
    """An aware datetime; a naive one is read in the workspace time zone; ISO strings are parsed."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ApplicationError(_("Check the highlighted fields."),
                                   fields={field: [_("Enter a date and time.")]}) from None
    if not isinstance(value, dt.datetime):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("Enter a date and time.")]})
    if timezone.is_naive(value):
        from zoneinfo import ZoneInfo

        value = value.replace(tzinfo=ZoneInfo(time_zone))
    if not (1900 <= value.year <= 2200):
        raise ApplicationError(_("Check the highlighted fields."), fields={field: [_("The date is out of range.")]})
    return value


# --- owners ---------------------------------------------------------------------------------------


def owner_membership(*, workspace_id: int, owner: User | None, field: str = "owner_id") -> Membership:
    """The active membership of `owner` in the workspace, else a field error (never says whether the user exists)."""
    membership = None
    if owner is not None and owner.is_active:
        membership = Membership.objects.filter(workspace_id=workspace_id, user_id=owner.pk, is_active=True).first()
    if membership is None:
        raise ApplicationError(_("Choose an active member of this workspace."),
                               fields={field: [_("Not an active member of this workspace.")]})
    return membership


def owner_resolve(*, actor: Actor, owner_id: Any, field: str = "owner_id") -> User:
    """A user id from a request → an active member of the actor's workspace, else a field error."""
    try:
        pk = int(owner_id)
    except (TypeError, ValueError):
        pk = 0
    user = User.objects.filter(pk=pk).first() if pk > 0 else None
    return owner_membership(workspace_id=actor.workspace.pk, owner=user, field=field).user


def owner_for_create(*, actor: Actor, data: dict[str, Any]) -> tuple[User, int | None]:
    """The owner and team of a new record: the actor unless data names another owner (needs CRM_ASSIGN)."""
    owner = data.get("owner")
    if owner is None and data.get("owner_id") is not None:
        owner = owner_resolve(actor=actor, owner_id=data["owner_id"])
    if owner is None or owner.pk == actor.user.pk:
        return actor.user, actor.membership.team_id
    actor.require(Capability.CRM_ASSIGN)
    membership = owner_membership(workspace_id=actor.workspace.pk, owner=owner)
    return owner, membership.team_id


def wanted_owner(*, actor: Actor, data: dict[str, Any]) -> User | None:
    """The owner an update asks for (`owner` or `owner_id`), None when it does not ask."""
    if "owner" in data and data["owner"] is not None:
        return data["owner"]  # type: ignore[no-any-return]
    if "owner_id" in data and data["owner_id"] is not None:
        return owner_resolve(actor=actor, owner_id=data["owner_id"])
    if ("owner" in data or "owner_id" in data):
        raise ApplicationError(_("Choose an active member of this workspace."),
                               fields={"owner_id": [_("A record must have an owner.")]})
    return None


def _edit_capability(record: Any) -> Capability:
    return Capability.CRM_EDIT_DEALS if isinstance(record, Deal | Activity) else Capability.CRM_EDIT_CONTACTS


def owner_change(*, actor: Actor, record: OwnedRecord, owner: User) -> dict[str, Any]:
    """Check an owner change and return the columns to write ({} when nothing changes)."""
    actor.require(_edit_capability(record))
    if record.owner_id == owner.pk:
        return {}
    if not actor.can(Capability.CRM_ASSIGN):
        # Without CRM_ASSIGN the only owner change allowed is a no-op (taking what you already own).
        raise PermissionDeniedError(_("You may not give records to another owner."))
    membership = owner_membership(workspace_id=record.workspace_id, owner=owner)
    return {"owner_id": owner.pk, "team_id": membership.team_id}


def owner_changed(*, actor: Actor, record: OwnedRecord, before: tuple[int | None, int | None],
                  changes: dict[str, Any]) -> None:
    """Audit and timeline for an owner change already written."""
    diff = {"owner": [before[0], changes["owner_id"]], "team": [before[1], changes["team_id"]]}
    audit_record(action="crm.owner", actor=actor.user, target=record, diff=diff)
    timeline_for(record=record, kind="owner_changed", actor=actor, data={
        "from": before[0], "to": changes["owner_id"], "model": record._meta.model_name,
    })


def timeline_for(*, record: OwnedRecord, kind: str, actor: Actor, data: dict[str, Any]) -> None:
    """A timeline entry on the record itself, or for an activity on what it is linked to."""
    links: dict[str, Any] = {}
    if isinstance(record, Activity):
        # Id-only instances: the entry needs the keys, not the rows.
        links = {
            "deal": Deal(pk=record.deal_id) if record.deal_id else None,
            "contact": Contact(pk=record.contact_id) if record.contact_id else None,
            "company": Company(pk=record.company_id) if record.company_id else None,
        }
        if not any(links.values()):
            return
        data = {"activity_id": record.pk, **data}
    elif isinstance(record, Deal):
        links = {"deal": record}
    elif isinstance(record, Contact):
        links = {"contact": record}
    elif isinstance(record, Company):
        links = {"company": record}
    timeline_add(kind=kind, workspace_id=record.workspace_id, actor=actor.user, data=data, **links)


@transaction.atomic
def record_set_owner(*, actor: Actor, record: R, owner: User) -> R:
    """Give a company, contact, deal or activity to another member; the team follows the new owner."""
    ensure_same_workspace(actor, record)
    changes = owner_change(actor=actor, record=record, owner=owner)
    if not changes:
        return record
    before = (record.owner_id, record.team_id)
    type(record).objects.filter(pk=record.pk).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    owner_changed(actor=actor, record=record, before=before, changes=changes)
    record.refresh_from_db()
    return record


# --- versioned writes -------------------------------------------------------------------------------


def versioned_update(*, actor: Actor, record: R, version: Any, changes: dict[str, Any]) -> None:
    """Write `changes` only if the row still has `version`, bumping it; else ConflictError with the current row."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ApplicationError(_("Check the highlighted fields."),
                               fields={"version": [_("Send the version you edited.")]}) from None
    model = type(record)
    updated = model.objects.filter(pk=record.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        current = model.objects.filter(pk=record.pk).first()
        raise ConflictError(current=record_snapshot(current) if current is not None else None)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def record_snapshot(record: models.Model) -> dict[str, Any]:
    """A JSON-safe dict of the record as stored (for 409 answers): columns, owner, tags, emails and phones."""
    snapshot: dict[str, Any] = {}
    for field in record._meta.concrete_fields:
        if field.name in ("workspace", "name_key"):
            continue
        snapshot[field.attname] = _json_value(getattr(record, field.attname))
    snapshot["id"] = record.pk
    owner_id = getattr(record, "owner_id", None)
    if owner_id is not None:
        owner = User.objects.filter(pk=owner_id).first()
        snapshot["owner"] = {"id": owner_id, "name": owner.display_name if owner else ""}
    elif hasattr(record, "owner_id"):
        snapshot["owner"] = None
    if hasattr(record, "tags"):
        snapshot["tags"] = sorted(record.tags.values_list("name", flat=True))
    if isinstance(record, Contact):
        points = list(record.points.order_by("-is_primary", "id").values_list("kind", "value"))
        snapshot["emails"] = [value for kind, value in points if kind == "email"]
        snapshot["phones"] = [value for kind, value in points if kind == "phone"]
    return snapshot


# --- deletion -----------------------------------------------------------------------------------------


@transaction.atomic
def record_delete(*, actor: Actor, record: OwnedRecord) -> None:
    """Delete a company, contact, deal or activity (CRM_DELETE; reps may delete their own activities)."""
    ensure_same_workspace(actor, record)
    own_activity = (
        isinstance(record, Activity) and record.owner_id == actor.user.pk and actor.can(Capability.CRM_EDIT_DEALS)
    )
    if not own_activity:
        actor.require(Capability.CRM_DELETE)
    audit_record(action="crm.delete", actor=actor.user, target=record,
                 diff={"model": record._meta.model_name, "name": str(record)[:200], "owner": record.owner_id})
    try:
        with transaction.atomic():
            record.delete()
    except ProtectedError as error:
        raise ApplicationError(_("This record is still in use and cannot be deleted.")) from error


Tagged = TypeVar("Tagged", Company, Contact)


def record_update_finish(
    *, actor: Actor, record: Tagged, data: dict[str, Any], changed: list[str], owner_columns: dict[str, Any],
    before_owner: tuple[int | None, int | None],
) -> Tagged:
    """The common end of a company or contact update: tags, owner history, audit and timeline."""
    if "tags" in data:
        tags_set(record=record, names=data["tags"] or [])
        changed.append("tags")
    record.refresh_from_db()
    if owner_columns:
        owner_changed(actor=actor, record=record, before=before_owner, changes=owner_columns)
    if changed:
        audit_record(action="crm.update", actor=actor.user, target=record, diff={"fields": changed})
        timeline_for(record=record, kind="updated", actor=actor, data={"fields": changed})
    return record
