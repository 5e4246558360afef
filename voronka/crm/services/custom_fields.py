"""Custom fields: the workspace's own fields on companies, contacts, deals and activities.

Values live in the record's `custom` JSON, keyed by `CustomField.key`, and are always stored as
strings (text, a canonical decimal, an ISO date, a choice) so that `custom__<key>=value` filters
behave the same on SQLite and PostgreSQL. Every entity's create/update cleans them through
`custom_values_clean`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from ..models import CustomEntity, CustomField, CustomFieldKind

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
TEXT_MAX = 1000
LABEL_MAX = 100
CHOICE_MAX = 100
CHOICES_MAX_COUNT = 200
# Twelve digits before the point and six after: enough for money and measures, safe in any database.
NUMBER_MAX = Decimal("1e12")
NUMBER_PLACES = 6


def _unstorable(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _clean_label(value: Any) -> str:
    label = value.strip() if isinstance(value, str) else ""
    if not label or _unstorable(label):
        raise ApplicationError(_("Name the field."), fields={"label": [_("This field is required.")]})
    if len(label) > LABEL_MAX:
        raise ApplicationError(_("The label is too long."),
                               fields={"label": [_("At most %(n)d characters.") % {"n": LABEL_MAX}]})
    return label


def _clean_key(value: Any) -> str:
    key = value.strip() if isinstance(value, str) else ""
    if not KEY_PATTERN.match(key) or len(key) > 40:
        raise ApplicationError(
            _("The key is not valid."),
            fields={"key": [_("Use 1–40 lower-case Latin letters, digits and single underscores, "
                              "starting with a letter.")]},
        )
    return key


def _clean_choices(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ApplicationError(_("Check the choices."), fields={"choices": [_("Give a list of choices.")]})
    cleaned: list[str] = []
    for item in value:
        text = item.strip() if isinstance(item, str) else ""
        if not text or len(text) > CHOICE_MAX or _unstorable(text):
            raise ApplicationError(
                _("Check the choices."),
                fields={"choices": [_("Each choice is 1–%(n)d characters of text.") % {"n": CHOICE_MAX}]},
            )
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > CHOICES_MAX_COUNT:
        raise ApplicationError(_("Check the choices."),
                               fields={"choices": [_("At most %(n)d choices.") % {"n": CHOICES_MAX_COUNT}]})
    return cleaned


def _save(field: CustomField) -> None:
    try:
        with transaction.atomic():
            field.save()
    except IntegrityError as error:
        raise ApplicationError(
            _("This entity already has a field with this key."), fields={"key": [_("Choose another key.")]}
        ) from error


@transaction.atomic
def custom_field_create(
    *,
    actor: Actor,
    entity: str,
    key: str,
    label: str,
    kind: str = CustomFieldKind.TEXT,
    choices: list[str] | None = None,
    is_required: bool = False,
    show_in_list: bool = True,
    order: int = 0,
) -> CustomField:
    """Add a custom field to an entity of the workspace."""
    actor.require(Capability.CRM_CONFIGURE)
    if entity not in CustomEntity.values:
        raise ApplicationError(_("Choose an entity."), fields={"entity": [_("Not a valid choice.")]})
    if kind not in CustomFieldKind.values:
        raise ApplicationError(_("Choose a type."), fields={"kind": [_("Not a valid choice.")]})
    cleaned_choices = _clean_choices(choices) if kind == CustomFieldKind.CHOICE else []
    if kind == CustomFieldKind.CHOICE and not cleaned_choices:
        raise ApplicationError(_("A choice field needs choices."),
                               fields={"choices": [_("Give at least one choice.")]})
    field = CustomField(
        workspace=actor.workspace, entity=entity, key=_clean_key(key), label=_clean_label(label), kind=kind,
        choices=cleaned_choices, is_required=bool(is_required), show_in_list=bool(show_in_list),
        order=max(0, min(int(order), 32767)),
    )
    _save(field)
    audit_record(action="crm.custom_field.create", actor=actor.user, target=field,
                 diff={"entity": entity, "key": field.key, "kind": kind})
    return field


@transaction.atomic
def custom_field_update(*, actor: Actor, field: CustomField, **changes: Any) -> CustomField:
    """Change a field's label, choices, required flag, list visibility or order (key, entity and type stay)."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, field)
    diff: dict[str, list[Any]] = {}
    if "label" in changes:
        label = _clean_label(changes["label"])
        if label != field.label:
            diff["label"] = [field.label, label]
            field.label = label
    if "choices" in changes and field.kind == CustomFieldKind.CHOICE:
        choices = _clean_choices(changes["choices"])
        if not choices:
            raise ApplicationError(_("A choice field needs choices."),
                                   fields={"choices": [_("Give at least one choice.")]})
        if choices != field.choices:
            diff["choices"] = [field.choices, choices]
            field.choices = choices
    for name in ("is_required", "show_in_list"):
        if name in changes and changes[name] is not None and bool(changes[name]) != getattr(field, name):
            diff[name] = [getattr(field, name), bool(changes[name])]
            setattr(field, name, bool(changes[name]))
    if "order" in changes and changes["order"] is not None:
        order = max(0, min(int(changes["order"]), 32767))
        if order != field.order:
            diff["order"] = [field.order, order]
            field.order = order
    if diff:
        _save(field)
        audit_record(action="crm.custom_field.update", actor=actor.user, target=field, diff=diff)
    return field


@transaction.atomic
def custom_field_delete(*, actor: Actor, field: CustomField) -> None:
    """Remove a field; values already stored stay in the records' JSON but are no longer shown or validated."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, field)
    audit_record(action="crm.custom_field.delete", actor=actor.user, target=field,
                 diff={"entity": field.entity, "key": field.key})
    field.delete()


def custom_fields_for(*, workspace_id: int, entity: str) -> list[CustomField]:
    return list(CustomField.objects.filter(workspace_id=workspace_id, entity=entity).order_by("order", "id"))


def _clean_number(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        value = repr(value)
    number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    if not number.is_finite() or abs(number) >= NUMBER_MAX:
        raise ValueError
    number = number.quantize(Decimal(1).scaleb(-NUMBER_PLACES)).normalize()
    text = format(number, "f")
    return "0" if text in ("-0", "0") else text


def custom_value_clean(field: CustomField, value: Any) -> str:
    """One value as stored; ValueError with a message when it does not fit the field."""
    if field.kind == CustomFieldKind.NUMBER:
        try:
            return _clean_number(value)
        except (InvalidOperation, ValueError, TypeError, OverflowError):
            raise ValueError(_("Enter a number.")) from None
    if field.kind == CustomFieldKind.DATE:
        if isinstance(value, dt.datetime):
            raise ValueError(_("Enter a date as YYYY-MM-DD."))
        if isinstance(value, dt.date):
            return value.isoformat()
        text = value.strip() if isinstance(value, str) else ""
        try:
            if len(text) != 10:
                raise ValueError
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if not isinstance(value, str) or _unstorable(value):
        raise ValueError(_("Enter text."))
    text = value.strip()
    if field.kind == CustomFieldKind.CHOICE:
        if text not in field.choices:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(field.choices)})
        return text
    if len(text) > TEXT_MAX:
        raise ValueError(_("At most %(n)d characters.") % {"n": TEXT_MAX})
    return text


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def custom_values_clean(
    *, workspace_id: int, entity: str, values: dict[str, Any] | None, current: dict[str, Any] | None = None
) -> dict[str, str]:
    """Validate custom values for a create (or, with `current`, a partial update) and return what to store.

    Unknown keys are refused, a blank value removes the key, required fields must end up filled.
    With `current`, `values` is applied on top of the stored values; stored values of fields that
    were deleted since are dropped quietly. Errors name the field as "custom.<key>".
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ApplicationError(_("Check the custom fields."), fields={"custom": [_("Give an object of values.")]})
    fields = {field.key: field for field in custom_fields_for(workspace_id=workspace_id, entity=entity)}
    errors: dict[str, list[str]] = {}
    result: dict[str, str] = {key: value for key, value in (current or {}).items() if key in fields}
    for key, value in values.items():
        field = fields.get(key) if isinstance(key, str) else None
        if field is None:
            errors[f"custom.{str(key)[:60]}"] = [_("There is no such field.")]
            continue
        if _is_blank(value):
            result.pop(key, None)
            continue
        try:
            result[key] = custom_value_clean(field, value)
        except ValueError as error:
            errors[f"custom.{key}"] = [str(error)]
    for key, field in fields.items():
        if field.is_required and key not in result and f"custom.{key}" not in errors:
            errors[f"custom.{key}"] = [_("This field is required.")]
    if errors:
        raise ApplicationError(_("Check the custom fields."), fields=errors)
    return result


def custom_filter_values(*, workspace_id: int, entity: str, filters: dict[str, Any]) -> dict[str, str] | None:
    """Filter values in their stored form (numbers and dates canonical); None when they can match nothing."""
    fields = {field.key: field for field in CustomField.objects.filter(
        workspace_id=workspace_id, entity=entity, key__in=[key for key in filters if isinstance(key, str)])}
    cleaned: dict[str, str] = {}
    for key, value in filters.items():
        field = fields.get(key)
        if field is None:
            return None
        try:
            cleaned[key] = custom_value_clean(field, value)
        except ValueError:
            return None
    return cleaned
