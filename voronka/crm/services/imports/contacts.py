"""Importing contacts: one chunk of validated rows matched by email, phone (or name) and written in bulk.

Rows of the chunk that name the same email or phone are one contact; a stored contact with that email
or phone is updated instead of duplicated, or the rows are rejected when the importer may not see it.
New contacts and their points are written with plain multi-row INSERTs (bulk_sql); the unique point
constraint settles a race with a concurrent import or edit (R22): whoever inserted the point first
keeps the person, and our stand-in is removed.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django.db.models import F

from ...importing.records import Record
from ...models import Contact, ContactPoint
from .bulk_sql import BulkInsert, points_with_owners
from .matching import Group, Key, Outcome, RunContext, group_records, merge_into, resolve_companies, set_tags

CONTACT_TEXT_FIELDS = ("full_name", "first_name", "last_name", "position", "city", "lead_source", "age_band", "gender")
_NEW_CONTACT_COLUMNS = ("owner_id", "team_id", "company_id", "email", "phone", *CONTACT_TEXT_FIELDS)
_POINT_COLUMNS = ("contact_id", "kind", "value", "is_primary")


def contact_keys(record: Record) -> list[Key]:
    keys = record.point_keys()
    if not keys:
        keys = [("name", f"{str(record.values['full_name']).casefold()}|{record.values['company_key']}")]
    return keys


def _existing(ctx: RunContext, groups: list[Group]) -> dict[Key, tuple[int, bool]]:
    """Stored contacts the rows name, by email, phone or (for rows with neither) name: id and visibility."""
    values: dict[str, set[str]] = {"email": set(), "phone": set()}
    names: set[str] = set()
    for group in groups:
        for kind, value in group.keys:
            if kind == "name":
                names.add(str(group.record.values["full_name"]))
            else:
                values[kind].add(value)
    existing: dict[Key, tuple[int, bool]] = {}
    visible = ctx.visible
    for kind, value, contact_id, owner_id, team_id in points_with_owners(values):
        existing[(kind, value)] = (contact_id, visible(owner_id, team_id))
    if names:
        for pk, full_name, company_key, owner_id, team_id in Contact.objects.filter(
            full_name__in=names, email="", phone=""
        ).order_by("id").values_list("id", "full_name", "company__name_key", "owner_id", "team_id"):
            existing.setdefault(("name", f"{full_name.casefold()}|{company_key or ''}"),
                                (pk, visible(owner_id, team_id)))
    return existing


def _update(ctx: RunContext, to_update: dict[int, Group], existing: dict[Key, Any], points: list[tuple[Any, ...]],
            tag_links: list[tuple[int, list[str]]], company_id: Any) -> int:
    """Fill stored contacts from their rows (non-empty values win); returns the rows counted as updates."""
    contacts = list(Contact.objects.filter(pk__in=to_update.keys()))
    changed: set[str] = set()
    rows = 0
    for contact in contacts:
        group = to_update[contact.pk]
        record = group.record
        for name in CONTACT_TEXT_FIELDS:
            value = record.values.get(name)
            if value:
                setattr(contact, name, value)
                changed.add(name)
        if company_id(record):
            contact.company_id = company_id(record)
            changed.add("company")
        new_email = not contact.email and record.emails
        new_phone = not contact.phone and record.phones
        if new_email:
            contact.email = record.emails[0]
            changed.add("email")
        if new_phone:
            contact.phone = record.phones[0]
            changed.add("phone")
        contact.version = F("version") + 1  # type: ignore[assignment]
        contact.updated_at = ctx.now
        for kind, value in group.keys:
            if kind in ("email", "phone") and (kind, value) not in existing:
                first = record.emails[0] if kind == "email" else record.phones[0]
                primary = bool((new_email if kind == "email" else new_phone) and value == first)
                points.append((contact.pk, kind, value, primary))
        if record.tags:
            tag_links.append((contact.pk, record.tags))
        rows += len(group.lines)
    Contact.objects.bulk_update(contacts, [*sorted(changed), "version", "updated_at"])
    return rows


def apply_contacts(ctx: RunContext, records: list[Record]) -> Outcome:
    outcome = Outcome()
    groups = group_records(records, contact_keys)
    existing = _existing(ctx, groups)
    # Companies named in the rows (created when missing, visible ones reused).
    wanted: dict[Key, Key] = {}
    for group in groups:
        values = group.record.values
        if values["company"]:
            wanted[(values["company_key"], values["company_domain"])] = (values["company"], values["company_domain"])
    resolve_companies(ctx, wanted, ctx.default_owner)

    to_update: dict[int, Group] = {}
    to_create: list[Group] = []
    for group in groups:
        match = None
        if existing:
            for key in group.keys:
                match = existing.get(key)
                if match is not None:
                    break
        if match is None:
            to_create.append(group)
        elif not match[1]:
            outcome.reject_not_visible(group.lines)
        elif match[0] in to_update:
            # Two groups of this chunk point at the same stored contact (one by email, one by phone).
            merge_into(to_update[match[0]].record, group.record)
            to_update[match[0]].lines += group.lines
            to_update[match[0]].keys += group.keys
        else:
            to_update[match[0]] = group

    companies = ctx.companies

    def company_id(record: Record) -> int | None:
        values = record.values
        if not values["company"]:
            return None
        return companies.get((values["company_key"], values["company_domain"]))

    points: list[tuple[Any, ...]] = []
    tag_links: list[tuple[int, list[str]]] = []
    if to_update:
        outcome.updated += _update(ctx, to_update, existing, points, tag_links, company_id)

    new_rows: list[tuple[Any, ...]] = []
    other_text = itemgetter(*CONTACT_TEXT_FIELDS[1:])  # contact_record fills each with a str
    for group in to_create:
        record = group.record
        values = record.values
        owner_id, team_id = ctx.owner(record.owner)
        new_rows.append((
            owner_id, team_id, company_id(record),
            record.emails[0] if record.emails else "", record.phones[0] if record.phones else "",
            values["full_name"] or values["fallback_name"], *other_text(values),
        ))
    new_ids = [pk for (pk,) in BulkInsert(Contact, _NEW_CONTACT_COLUMNS,
                                          fixed={"created_at": ctx.now, "updated_at": ctx.now}).run(new_rows)]
    for pk, group in zip(new_ids, to_create, strict=True):
        record = group.record
        first_email = record.emails[0] if record.emails else None
        first_phone = record.phones[0] if record.phones else None
        for kind, value in group.keys:
            if kind == "email":
                points.append((pk, kind, value, value == first_email))
            elif kind == "phone":
                points.append((pk, kind, value, value == first_phone))
    # Unique per workspace and value: a concurrent import or edit may have taken one since we looked;
    # those rows are skipped, and only the points we did insert come back (R22).
    inserted = set(BulkInsert(ContactPoint, _POINT_COLUMNS, fixed={"created_at": ctx.now, "updated_at": ctx.now},
                              returning=_POINT_COLUMNS[:3], ignore_conflicts=True).run(points))
    losers: list[int] = []
    fix: list[Contact] = []
    for pk, group, row in zip(new_ids, to_create, new_rows, strict=True):
        keys = [key for key in group.keys if key[0] != "name"]
        mine = [key for key in keys if (pk, *key) in inserted]
        if keys and not mine:
            losers.append(pk)  # someone else created this person first: theirs is kept
            outcome.updated += len(group.lines)
            continue
        outcome.created += 1
        outcome.updated += len(group.lines) - 1
        if group.record.tags:
            tag_links.append((pk, group.record.tags))
        own_email = next((v for k, v in mine if k == "email"), "")
        own_phone = next((v for k, v in mine if k == "phone"), "")
        if (row[3], row[4]) != (own_email, own_phone):
            fix.append(Contact(pk=pk, email=own_email, phone=own_phone))
    if losers:
        Contact.objects.filter(pk__in=losers).delete()
    if fix:
        Contact.objects.bulk_update(fix, ["email", "phone"])
    if tag_links:
        set_tags(ctx, Contact.tags.through, "contact_id", tag_links)
    return outcome
