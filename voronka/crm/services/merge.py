"""Merging duplicate contacts and companies into one (issue 3 item 4).

Every row that points at a merged record (found through `_meta.related_objects`, so relations added
by later apps are moved too) is moved to the primary; empty fields of the primary are filled from
the others; the others are deleted; one audit row and one timeline entry record it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from ..models import Company, Contact, ContactPoint, PointKind
from .timeline import timeline_add

MAX_OTHERS = 20
# Never copied from a merged record: identity, ownership and bookkeeping.
_KEEP = {"id", "workspace", "owner", "team", "version", "created_at", "updated_at", "name_key", "custom",
         "email", "phone"}


def _check(actor: Actor, primary: models.Model, others: list[Any]) -> list[Any]:
    actor.require(Capability.CRM_MERGE)
    ensure_same_workspace(actor, primary, *others)
    unique = {other.pk: other for other in others if other.pk != primary.pk}
    if not unique:
        raise ApplicationError(_("Choose at least one other record to merge into the primary one."),
                               code="merge_nothing", fields={"other_ids": [_("Choose at least one other record.")]})
    if len(unique) > MAX_OTHERS:
        raise ApplicationError(_("Merge at most %(count)s records at once.") % {"count": MAX_OTHERS},
                               code="merge_too_many", fields={"other_ids": [_("Too many records.")]})
    return list(unique.values())


def _is_empty(value: Any) -> bool:
    return value is None or value == ""


def _fill_empty(primary: models.Model, others: list[Any]) -> list[str]:
    filled: list[str] = []
    for field in primary._meta.concrete_fields:
        if field.name in _KEEP or field.primary_key:
            continue
        if not _is_empty(getattr(primary, field.attname)):
            continue
        for other in others:
            value = getattr(other, field.attname)
            if not _is_empty(value):
                setattr(primary, field.attname, value)
                filled.append(field.name)
                break
    custom = dict(getattr(primary, "custom", None) or {})
    for other in others:
        for key, value in (getattr(other, "custom", None) or {}).items():
            if _is_empty(custom.get(key)) and not _is_empty(value):
                custom[key] = value
                filled.append(f"custom.{key}")
    primary.custom = custom  # type: ignore[attr-defined]
    return filled


def _move_m2m(through: Any, own_column: str, other_column: str, primary_id: int, other_ids: list[int]) -> int:
    """Re-point link rows (deal ↔ contact, record ↔ tag) at the primary; links it already has are dropped."""
    rows = list(through.objects.filter(**{f"{own_column}__in": other_ids}).values_list(other_column, flat=True))
    if rows:
        through.objects.bulk_create([through(**{own_column: primary_id, other_column: value}) for value in set(rows)],
                                    ignore_conflicts=True)
    through.objects.filter(**{f"{own_column}__in": other_ids}).delete()
    return len(rows)


def _move_related(model: type[models.Model], primary: models.Model, other_ids: list[int]) -> dict[str, int]:
    """Every relation to `model` from any app, moved from the others to the primary."""
    moved: dict[str, int] = {}
    for relation in model._meta.related_objects:
        label = f"{relation.related_model._meta.label}.{relation.field.name}"
        if relation.many_to_many:
            m2m: Any = relation.field
            through = m2m.remote_field.through
            own = m2m.m2m_reverse_field_name()  # the column pointing at `model`
            other = m2m.m2m_field_name()
            moved[label] = _move_m2m(through, f"{own}_id", f"{other}_id", primary.pk, other_ids)
            continue
        field = relation.field
        manager = relation.related_model._base_manager
        try:
            with transaction.atomic():
                moved[label] = manager.filter(**{f"{field.name}__in": other_ids}).update(**{field.name: primary.pk})
        except IntegrityError:
            raise ApplicationError(
                _("These records cannot be merged automatically: %(what)s would clash.")
                % {"what": relation.related_model._meta.verbose_name},
                code="merge_conflict", status=409,
            ) from None
    for forward in model._meta.many_to_many:
        m2m_field: Any = forward
        moved[f"{model._meta.label}.{forward.name}"] = _move_m2m(
            m2m_field.remote_field.through, f"{m2m_field.m2m_field_name()}_id",
            f"{m2m_field.m2m_reverse_field_name()}_id", primary.pk, other_ids,
        )
    return moved


def _reset_primary_points(contact: Contact) -> None:
    """One primary email and phone per contact after points arrived from others; denormalised copies follow."""
    points = list(ContactPoint.objects.filter(contact=contact).order_by("-is_primary", "id"))
    for kind, attr in ((PointKind.EMAIL, "email"), (PointKind.PHONE, "phone")):
        of_kind = [point for point in points if point.kind == kind]
        current = getattr(contact, attr)
        chosen = next((p for p in of_kind if p.value == current), None) or (of_kind[0] if of_kind else None)
        ids = [point.pk for point in of_kind if point is not chosen]
        ContactPoint.objects.filter(pk__in=ids).update(is_primary=False)
        if chosen is not None:
            ContactPoint.objects.filter(pk=chosen.pk).update(is_primary=True)
        setattr(contact, attr, chosen.value if chosen else "")


def _merge(actor: Actor, model: Any, primary: Any, others: list[Any], kind: str) -> Any:
    others = _check(actor, primary, others)
    other_ids = sorted(other.pk for other in others)
    # Lock all rows in id order so two merges of overlapping groups cannot deadlock or interleave.
    locked = {row.pk: row for row in model.objects.select_for_update().filter(pk__in=[primary.pk, *other_ids])
              .order_by("pk")}  # type: ignore[attr-defined]
    if primary.pk not in locked or any(pk not in locked for pk in other_ids):
        raise ApplicationError(_("A record was deleted meanwhile. Reload and try again."), code="merge_stale",
                               status=409)
    primary = locked[primary.pk]
    others = [locked[pk] for pk in other_ids]
    names = {str(other.pk): str(other) for other in others}
    if model is Contact:
        # The primary's own primary email/phone stays primary; moved ones become secondary first.
        ContactPoint.objects.filter(contact_id__in=other_ids).update(is_primary=False)
    moved = _move_related(model, primary, other_ids)
    filled = _fill_empty(primary, others)
    if model is Contact:
        _reset_primary_points(primary)
    model.objects.filter(pk__in=other_ids).delete()  # type: ignore[attr-defined]
    model.objects.filter(pk=primary.pk).update(  # type: ignore[attr-defined]
        version=F("version") + 1,
        **{field.attname: getattr(primary, field.attname) for field in primary._meta.concrete_fields
           if not field.primary_key and field.name not in {"version", "workspace", "created_at"}},
    )
    primary.refresh_from_db()
    audit_record(action="crm.merge", actor=actor.user, target=primary,
                 diff={"entity": kind, "primary": primary.pk, "merged": other_ids, "filled": filled,
                       "moved": {key: value for key, value in moved.items() if value}})
    timeline_add(kind="merged", workspace_id=actor.workspace.pk, actor=actor.user,
                 **{kind: primary}, data={"merged_ids": other_ids, "names": names})
    return primary


@transaction.atomic
def contact_merge(*, actor: Actor, primary: Contact, others: list[Contact]) -> Contact:
    """Merge contacts into `primary`: deals, activities, history, emails and phones, tags all move."""
    return _merge(actor, Contact, primary, others, "contact")


@transaction.atomic
def company_merge(*, actor: Actor, primary: Company, others: list[Company]) -> Company:
    """Merge companies into `primary`: contacts, deals, activities, history and tags all move."""
    return _merge(actor, Company, primary, others, "company")
