"""Contacts: create, update (optimistic locking), delete; emails and phones as unique ContactPoints.

`data` keys: first_name, last_name, full_name, emails (list; the first is primary) or email,
phones (list) or phone, position, company (a Company the caller resolved) or company_id,
city, age_band, gender, lead_source, owner (User) or owner_id, custom (dict), tags (list).
Other keys are ignored (no mass assignment). An update changes only the keys present.

Emails and phones are unique per workspace. The database constraint is the rule (R22): a
pre-check gives a friendly answer in the common case, and a concurrent insert that slips past
it hits the constraint and gets the same `duplicate_contact` error.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, NotFoundError

from ..access import visible_companies, visible_contacts
from ..models import AgeBand, Company, Contact, ContactPoint, CustomEntity, Gender, PointKind
from ..normalize import normalize_email, normalize_phone
from .custom_fields import custom_values_clean
from .records import (
    clean_choice,
    clean_text,
    owner_change,
    owner_for_create,
    record_delete,
    record_update_finish,
    timeline_for,
    versioned_update,
    wanted_owner,
)
from .tags import tags_set

DUPLICATE_CONTACT = "duplicate_contact"
POINTS_MAX = 10
TEXT_FIELDS = {"first_name": 100, "last_name": 100, "position": 120, "city": 100, "lead_source": 100}
_FIELD_OF_KIND = {PointKind.EMAIL: "emails", PointKind.PHONE: "phones"}


def _as_list(data: dict[str, Any], plural: str, singular: str) -> list[Any] | None:
    """The values given for emails/phones, None when the data does not mention them."""
    if plural in data:
        value = data[plural]
    elif singular in data:
        value = [data[singular]] if data[singular] not in (None, "") else []
    else:
        return None
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple):
        raise ApplicationError(_("Check the highlighted fields."), fields={plural: [_("Give a list.")]})
    return list(value)


def _clean_points(values: list[Any], kind: str) -> list[str]:
    field = _FIELD_OF_KIND[kind]  # type: ignore[index]
    cleaned: list[str] = []
    for raw in values:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        text = clean_text(raw, field=field, max_length=254)
        value = normalize_email(text) if kind == PointKind.EMAIL else normalize_phone(text)
        if not value:
            message = (_("“%(value)s” is not an email address.") if kind == PointKind.EMAIL
                       else _("“%(value)s” is not a phone number."))
            raise ApplicationError(_("Check the highlighted fields."),
                                   fields={field: [message % {"value": text[:60]}]})
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > POINTS_MAX:
        raise ApplicationError(_("Check the highlighted fields."),
                               fields={field: [_("At most %(n)d.") % {"n": POINTS_MAX}]})
    return cleaned


def _company(*, actor: Actor, data: dict[str, Any]) -> Company | None:
    if data.get("company") is not None:
        company: Company = data["company"]
        ensure_same_workspace(actor, company)
        if not visible_companies(actor).filter(pk=company.pk).exists():
            raise NotFoundError()
        return company
    company_id = data.get("company_id")
    if company_id is None or company_id == "":
        return None
    from ..access import access_company

    return access_company(actor=actor, company_id=company_id)


def _clean(*, actor: Actor, data: dict[str, Any], partial: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or key in data

    for field, max_length in TEXT_FIELDS.items():
        if given(field):
            columns[field] = clean_text(data.get(field), field=field, max_length=max_length)
    if given("full_name"):
        columns["full_name"] = clean_text(data.get("full_name"), field="full_name", max_length=200)
    if given("age_band"):
        columns["age_band"] = clean_choice(data.get("age_band"), field="age_band", choices=AgeBand.values)
    if given("gender"):
        columns["gender"] = clean_choice(data.get("gender"), field="gender", choices=Gender.values)
    if not partial or "company" in data or "company_id" in data:
        company = _company(actor=actor, data=data)
        columns["company_id"] = company.pk if company is not None else None
    return columns


def _full_name(*, explicit: str, first: str, last: str, emails: list[str], phones: list[str]) -> str:
    name = explicit or " ".join(part for part in (first, last) if part)
    name = name or (emails[0] if emails else "") or (phones[0] if phones else "")
    if not name:
        raise ApplicationError(_("Give the contact a name, an email or a phone."),
                               fields={"full_name": [_("This field is required.")]})
    return name[:200]


def _duplicate_error(*, actor: Actor, kind: str, value: str, existing_id: int | None) -> ApplicationError:
    field = _FIELD_OF_KIND[kind]  # type: ignore[index]
    message = (_("Another contact already has the email %(value)s.") if kind == PointKind.EMAIL
               else _("Another contact already has the phone %(value)s."))
    extra: dict[str, Any] = {}
    # Say which contact only when the actor may see it; otherwise the id would leak a record.
    if existing_id is not None and visible_contacts(actor).filter(pk=existing_id).exists():
        extra["existing_id"] = existing_id
    return ApplicationError(message % {"value": value}, code=DUPLICATE_CONTACT, status=422,
                            fields={field: [message % {"value": value}]}, extra=extra)


def _taken(*, workspace_id: int, points: list[tuple[str, str]], contact_id: int | None) -> tuple[str, str, int] | None:
    """The first (kind, value, contact id) among `points` that belongs to another contact."""
    if not points:
        return None
    from django.db.models import Q

    condition = Q()
    for kind, value in points:
        condition |= Q(kind=kind, value=value)
    queryset = ContactPoint.objects.filter(workspace_id=workspace_id).filter(condition)
    if contact_id is not None:
        queryset = queryset.exclude(contact_id=contact_id)
    found = {(kind, value): owner for kind, value, owner in queryset.values_list("kind", "value", "contact_id")}
    for point in points:
        if point in found:
            return point[0], point[1], found[point]
    return None


def _store_points(*, actor: Actor, contact: Contact, kind: str, values: list[str]) -> None:
    """Replace the contact's points of `kind` with `values` (first primary); duplicates → duplicate_contact."""
    points = [(kind, value) for value in values]
    clash = _taken(workspace_id=actor.workspace.pk, points=points, contact_id=contact.pk)
    if clash is not None:
        raise _duplicate_error(actor=actor, kind=clash[0], value=clash[1], existing_id=clash[2])
    try:
        with transaction.atomic():
            ContactPoint.objects.filter(contact=contact, kind=kind).delete()
            ContactPoint.objects.bulk_create([
                ContactPoint(workspace_id=contact.workspace_id, contact=contact, kind=kind, value=value,
                             is_primary=index == 0)
                for index, value in enumerate(values)
            ])
    except IntegrityError as error:
        # Someone stored one of these values between the check and the insert.
        clash = _taken(workspace_id=actor.workspace.pk, points=points, contact_id=contact.pk)
        kind_, value = (clash[0], clash[1]) if clash else points[0]
        raise _duplicate_error(actor=actor, kind=kind_, value=value,
                               existing_id=clash[2] if clash else None) from error


@transaction.atomic
def contact_create(*, actor: Actor, data: dict[str, Any]) -> Contact:
    """Add a contact owned by the actor (or, with CRM_ASSIGN, by another member)."""
    actor.require(Capability.CRM_EDIT_CONTACTS)
    columns = _clean(actor=actor, data=data, partial=False)
    emails = _clean_points(_as_list(data, "emails", "email") or [], PointKind.EMAIL)
    phones = _clean_points(_as_list(data, "phones", "phone") or [], PointKind.PHONE)
    columns["full_name"] = _full_name(explicit=columns["full_name"], first=columns["first_name"],
                                      last=columns["last_name"], emails=emails, phones=phones)
    owner, team_id = owner_for_create(actor=actor, data=data)
    custom = custom_values_clean(workspace_id=actor.workspace.pk, entity=CustomEntity.CONTACT,
                                 values=data.get("custom"))
    contact = Contact.objects.create(
        workspace=actor.workspace, owner=owner, team_id=team_id, custom=custom,
        email=emails[0] if emails else "", phone=phones[0] if phones else "", **columns,
    )
    if emails:
        _store_points(actor=actor, contact=contact, kind=PointKind.EMAIL, values=emails)
    if phones:
        _store_points(actor=actor, contact=contact, kind=PointKind.PHONE, values=phones)
    if data.get("tags"):
        tags_set(record=contact, names=data["tags"])
    audit_record(action="crm.create", actor=actor.user, target=contact, diff={"name": contact.full_name})
    timeline_for(record=contact, kind="created", actor=actor, data={"name": contact.full_name})
    return contact


@transaction.atomic
def contact_update(*, actor: Actor, contact: Contact, data: dict[str, Any], version: int) -> Contact:
    """Change the keys present in `data`; a stale `version` is refused with ConflictError (409)."""
    actor.require(Capability.CRM_EDIT_CONTACTS)
    ensure_same_workspace(actor, contact)
    columns = _clean(actor=actor, data=data, partial=True)
    built_name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    name_cleared = "full_name" in columns and not columns["full_name"]
    name_follows = "full_name" not in columns and contact.full_name == built_name and (
        "first_name" in columns or "last_name" in columns)
    if name_cleared or name_follows:
        # The name follows first/last when it was built from them, or when it is cleared.
        columns["full_name"] = _full_name(
            explicit="", first=columns.get("first_name", contact.first_name),
            last=columns.get("last_name", contact.last_name),
            emails=[contact.email] if contact.email else [], phones=[contact.phone] if contact.phone else [],
        )
    emails = _as_list(data, "emails", "email")
    phones = _as_list(data, "phones", "phone")
    cleaned_emails = _clean_points(emails, PointKind.EMAIL) if emails is not None else None
    cleaned_phones = _clean_points(phones, PointKind.PHONE) if phones is not None else None
    if cleaned_emails is not None:
        columns["email"] = cleaned_emails[0] if cleaned_emails else ""
    if cleaned_phones is not None:
        columns["phone"] = cleaned_phones[0] if cleaned_phones else ""
    if "custom" in data:
        columns["custom"] = custom_values_clean(workspace_id=actor.workspace.pk, entity=CustomEntity.CONTACT,
                                                values=data["custom"], current=contact.custom)
    owner = wanted_owner(actor=actor, data=data)
    owner_columns = owner_change(actor=actor, record=contact, owner=owner) if owner is not None else {}
    before_owner = (contact.owner_id, contact.team_id)
    changed = sorted(name for name, value in columns.items() if getattr(contact, name) != value)
    versioned_update(actor=actor, record=contact, version=version, changes={**columns, **owner_columns})
    if cleaned_emails is not None:
        _store_points(actor=actor, contact=contact, kind=PointKind.EMAIL, values=cleaned_emails)
    if cleaned_phones is not None:
        _store_points(actor=actor, contact=contact, kind=PointKind.PHONE, values=cleaned_phones)
    return record_update_finish(actor=actor, record=contact, data=data, changed=changed,
                                owner_columns=owner_columns, before_owner=before_owner)


def contact_delete(*, actor: Actor, contact: Contact) -> None:
    """Delete a contact (CRM_DELETE) with its emails and phones; deals stay."""
    record_delete(actor=actor, record=contact)
