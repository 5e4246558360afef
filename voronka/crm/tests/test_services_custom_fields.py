"""services/custom_fields.py: defining fields and cleaning values."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import Org
from voronka.core.errors import ApplicationError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.crm.models import CustomField
from voronka.crm.services.custom_fields import (
    custom_field_create,
    custom_field_delete,
    custom_field_update,
    custom_values_clean,
)
from voronka.crm.tests.records_factories import make_field


def test_create_a_choice_field(org: Org, scoped: object) -> None:
    # When an admin adds a choice field
    field = custom_field_create(actor=org.actor(org.admin), entity="company", key="tier", label=" Tier ",
                                kind="choice", choices=[" Gold", "Silver", "Gold"])
    # Then it is stored trimmed and de-duplicated, and audited
    assert (field.key, field.label, field.choices) == ("tier", "Tier", ["Gold", "Silver"])
    assert AuditEntry.objects.filter(action="crm.custom_field.create", target_id=str(field.pk)).count() == 1


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_configurers_define_fields(role: str, org: Org, scoped: object) -> None:
    with pytest.raises(PermissionDeniedError):
        custom_field_create(actor=org.actor(getattr(org, role)), entity="company", key="tier", label="Tier")
    assert CustomField.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"key": "Bad Key"}, "key"), ({"key": "a__b"}, "key"), ({"key": "1abc"}, "key"), ({"key": "x" * 41}, "key"),
     ({"label": "  "}, "label"), ({"kind": "choice", "choices": []}, "choices"),
     ({"kind": "choice", "choices": ["x" * 101]}, "choices"), ({"entity": "planet"}, "entity"),
     ({"kind": "money"}, "kind")],
)
def test_create_refuses_bad_definitions(kwargs: dict[str, object], field: str, org: Org, scoped: object) -> None:
    arguments: dict[str, object] = {"entity": "company", "key": "tier", "label": "Tier", **kwargs}
    with pytest.raises(ApplicationError) as error:
        custom_field_create(actor=org.actor(org.admin), **arguments)  # type: ignore[arg-type]
    assert field in error.value.fields
    assert CustomField.objects.count() == 0


def test_key_is_unique_per_entity(org: Org, scoped: object) -> None:
    admin = org.actor(org.admin)
    custom_field_create(actor=admin, entity="company", key="tier", label="Tier")
    # The same key on another entity is fine
    custom_field_create(actor=admin, entity="contact", key="tier", label="Tier")
    # The same key on the same entity is a field error, not a 500
    with pytest.raises(ApplicationError) as error:
        custom_field_create(actor=admin, entity="company", key="tier", label="Again")
    assert "key" in error.value.fields
    assert CustomField.objects.count() == 2


def test_update_and_delete(org: Org, scoped: object) -> None:
    admin = org.actor(org.admin)
    field = make_field(org.workspace, "company", "tier", kind="choice", choices=["a"])
    custom_field_update(actor=admin, field=field, label="Level", choices=["a", "b"], is_required=True)
    field.refresh_from_db()
    assert (field.label, field.choices, field.is_required) == ("Level", ["a", "b"], True)
    custom_field_delete(actor=admin, field=field)
    assert CustomField.objects.count() == 0
    assert AuditEntry.objects.filter(action="crm.custom_field.delete").count() == 1


def test_clean_accepts_every_kind(org: Org, scoped: object) -> None:
    ws = org.workspace
    make_field(ws, "company", "note")
    make_field(ws, "company", "budget", kind="number")
    make_field(ws, "company", "since", kind="date")
    make_field(ws, "company", "tier", kind="choice", choices=["Gold", "Silver"])
    values = {"note": "  hi ", "budget": "1 200,50", "since": "2024-02-29", "tier": "Gold"}
    assert custom_values_clean(workspace_id=ws.pk, entity="company", values=values) == {
        "note": "hi", "budget": "1200.5", "since": "2024-02-29", "tier": "Gold",
    }
    assert custom_values_clean(workspace_id=ws.pk, entity="company",
                               values={"budget": 7, "since": dt.date(2024, 1, 2)}) == {
        "budget": "7", "since": "2024-01-02"}
    assert custom_values_clean(workspace_id=ws.pk, entity="company", values={"budget": 0.1}) == {"budget": "0.1"}


@pytest.mark.parametrize(
    ("values", "key"),
    [({"note": "x" * 1001}, "custom.note"), ({"note": 5}, "custom.note"), ({"note": "a\x00b"}, "custom.note"),
     ({"budget": "lots"}, "custom.budget"), ({"budget": "NaN"}, "custom.budget"),
     ({"budget": "1e20"}, "custom.budget"), ({"budget": True}, "custom.budget"),
     ({"since": "29.02.2024"}, "custom.since"), ({"since": "2023-02-29"}, "custom.since"),
     ({"since": "2024-02-29T10:00"}, "custom.since"), ({"tier": "Bronze"}, "custom.tier"),
     ({"nope": "x"}, "custom.nope"), ({"tier": ["Gold"]}, "custom.tier")],
)
def test_clean_refuses_bad_values(values: dict[str, object], key: str, org: Org, scoped: object) -> None:
    ws = org.workspace
    make_field(ws, "company", "note")
    make_field(ws, "company", "budget", kind="number")
    make_field(ws, "company", "since", kind="date")
    make_field(ws, "company", "tier", kind="choice", choices=["Gold"])
    with pytest.raises(ApplicationError) as error:
        custom_values_clean(workspace_id=ws.pk, entity="company", values=values)
    assert list(error.value.fields) == [key]


def test_required_fields_and_partial_updates(org: Org, scoped: object) -> None:
    ws = org.workspace
    make_field(ws, "contact", "size", is_required=True)
    make_field(ws, "contact", "mood")
    # Missing on create → error; a blank value counts as missing
    for values in ({}, {"size": "  "}):
        with pytest.raises(ApplicationError) as error:
            custom_values_clean(workspace_id=ws.pk, entity="contact", values=values)
        assert error.value.fields == {"custom.size": ["This field is required."]}
    # A partial update keeps stored values, drops values of deleted fields, clears blanks
    current = {"size": "L", "mood": "ok", "gone": "old"}
    assert custom_values_clean(workspace_id=ws.pk, entity="contact", values={"mood": ""}, current=current) == {
        "size": "L"}
    # Fields of another entity or workspace do not count
    assert custom_values_clean(workspace_id=ws.pk, entity="company", values={}) == {}
