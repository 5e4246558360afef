"""services/contacts.py: names, normalised emails and phones, duplicates (also under a race)."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections

from conftest import Org
from voronka.core.errors import ApplicationError, ConflictError, NotFoundError
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Contact, ContactPoint
from voronka.crm.services import contacts as contacts_service
from voronka.crm.services.contacts import contact_create, contact_delete, contact_update
from voronka.crm.tests.factories import make_company, make_contact


def points(contact: Contact) -> list[tuple[str, str, bool]]:
    return list(contact.points.order_by("kind", "-is_primary", "id").values_list("kind", "value", "is_primary"))


def test_create_normalises_emails_and_phones(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep)
    contact = contact_create(actor=org.actor(org.rep), data={
        "first_name": " Иван ", "last_name": "Петров", "emails": [" Ivan@Example.COM ", "ivan@example.com", "i@b.ru"],
        "phones": ["8 (916) 123-45-67"], "company_id": company.pk, "gender": "m", "age_band": "25-34",
        "owner_id": None, "version": 7,
    })
    assert (contact.full_name, contact.email, contact.phone, contact.company_id, contact.version) == (
        "Иван Петров", "ivan@example.com", "+79161234567", company.pk, 1)
    assert points(contact) == [("email", "ivan@example.com", True), ("email", "i@b.ru", False),
                               ("phone", "+79161234567", True)]
    assert (contact.owner_id, contact.team_id) == (org.rep.pk, org.north.pk)


def test_full_name_falls_back_to_email(org: Org, scoped: object) -> None:
    contact = contact_create(actor=org.actor(org.rep), data={"email": "solo@example.com"})
    assert contact.full_name == "solo@example.com"
    with pytest.raises(ApplicationError) as error:
        contact_create(actor=org.actor(org.rep), data={"first_name": " "})
    assert "full_name" in error.value.fields


@pytest.mark.parametrize(
    ("data", "field"),
    [({"full_name": "A", "emails": ["nope"]}, "emails"), ({"full_name": "A", "phones": ["12"]}, "phones"),
     ({"full_name": "A", "phones": ["phone"]}, "phones"), ({"full_name": "A", "emails": "x" * 300}, "emails"),
     ({"full_name": "A", "emails": [f"a{i}@b.ru" for i in range(11)]}, "emails"),
     ({"full_name": "A", "gender": "q"}, "gender"), ({"full_name": "A", "age_band": "old"}, "age_band"),
     ({"full_name": "A", "position": "x" * 121}, "position"), ({"full_name": "A", "emails": {"a": 1}}, "emails")],
)
def test_create_refuses_bad_input(data: dict[str, Any], field: str, org: Org, scoped: object) -> None:
    with pytest.raises(ApplicationError) as error:
        contact_create(actor=org.actor(org.rep), data=data)
    assert field in error.value.fields
    assert Contact.objects.count() == 0


def test_duplicate_email_of_a_visible_contact_names_it(org: Org, scoped: object) -> None:
    existing = make_contact(org.workspace, org.rep, email="ivan@example.com")
    with pytest.raises(ApplicationError) as error:
        contact_create(actor=org.actor(org.rep), data={"full_name": "Dup", "emails": ["IVAN@example.com "]})
    assert error.value.code == "duplicate_contact"
    assert error.value.status == 422
    assert "emails" in error.value.fields
    assert error.value.extra == {"existing_id": existing.pk}
    assert Contact.objects.count() == 1


def test_duplicate_phone_of_an_invisible_contact_does_not_leak_it(org: Org, scoped: object) -> None:
    make_contact(org.workspace, org.rep_south, phone="+79161234567")
    with pytest.raises(ApplicationError) as error:
        contact_create(actor=org.actor(org.rep), data={"full_name": "Dup", "phones": ["+7 916 123 45 67"]})
    assert error.value.code == "duplicate_contact"
    assert error.value.extra == {}
    assert Contact.objects.count() == 1


def test_the_constraint_catches_a_race_the_check_missed(org: Org, scoped: object) -> None:
    # Given another contact with the email, and a pre-check that (as under a race) sees nothing
    existing = make_contact(org.workspace, org.rep, email="race@example.com")
    real_taken = contacts_service._taken
    calls = {"n": 0}

    def blind_first_time(**kwargs: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_taken(**kwargs)

    # When the insert runs into the unique constraint
    with mock.patch.object(contacts_service, "_taken", side_effect=blind_first_time), \
            pytest.raises(ApplicationError) as error:
        contact_create(actor=org.actor(org.rep), data={"full_name": "Racer", "emails": ["race@example.com"]})
    # Then the same clean error, and nothing half-written
    assert (error.value.code, error.value.extra) == ("duplicate_contact", {"existing_id": existing.pk})
    assert Contact.objects.count() == 1
    assert ContactPoint.objects.count() == 1


def test_update_replaces_points_and_keeps_the_denormalised_primary(org: Org, scoped: object) -> None:
    contact = make_contact(org.workspace, org.rep, email="old@example.com", phone="+79161234567")
    updated = contact_update(actor=org.actor(org.rep), contact=contact,
                             data={"emails": ["new@example.com", "old@example.com"]}, version=1)
    assert (updated.email, updated.phone, updated.version) == ("new@example.com", "+79161234567", 2)
    assert points(updated) == [("email", "new@example.com", True), ("email", "old@example.com", False),
                               ("phone", "+79161234567", True)]
    updated = contact_update(actor=org.actor(org.rep), contact=updated, data={"phones": []}, version=2)
    assert (updated.phone, ContactPoint.objects.filter(kind="phone").count()) == ("", 0)


def test_update_name_follows_first_and_last(org: Org, scoped: object) -> None:
    contact = contact_create(actor=org.actor(org.rep), data={"first_name": "Anna", "last_name": "Ivanova"})
    updated = contact_update(actor=org.actor(org.rep), contact=contact, data={"last_name": "Petrova"}, version=1)
    assert updated.full_name == "Anna Petrova"
    updated = contact_update(actor=org.actor(org.rep), contact=updated, data={"full_name": "Dr. A"}, version=2)
    updated = contact_update(actor=org.actor(org.rep), contact=updated, data={"first_name": "Ann"}, version=3)
    assert updated.full_name == "Dr. A"


def test_update_to_another_contacts_email_is_a_duplicate(org: Org, scoped: object) -> None:
    make_contact(org.workspace, org.rep, email="taken@example.com")
    contact = make_contact(org.workspace, org.rep, email="mine@example.com")
    with pytest.raises(ApplicationError) as error:
        contact_update(actor=org.actor(org.rep), contact=contact, data={"emails": ["taken@example.com"]}, version=1)
    assert error.value.code == "duplicate_contact"
    contact.refresh_from_db()
    assert (contact.email, contact.version) == ("mine@example.com", 1)


def test_stale_version_is_a_conflict(org: Org, scoped: object) -> None:
    contact = make_contact(org.workspace, org.rep, full_name="Start")
    contact_update(actor=org.actor(org.rep), contact=Contact.objects.get(pk=contact.pk),
                   data={"full_name": "First"}, version=1)
    with pytest.raises(ConflictError) as error:
        contact_update(actor=org.actor(org.rep), contact=Contact.objects.get(pk=contact.pk),
                       data={"full_name": "Second"}, version=1)
    assert error.value.extra["current"]["full_name"] == "First"
    contact.refresh_from_db()
    assert (contact.full_name, contact.version) == ("First", 2)


def test_company_must_be_visible(org: Org, other_org: Org, scoped: object) -> None:
    hidden = make_company(org.workspace, org.rep_south)
    foreign = make_company(other_org.workspace, other_org.rep)
    for company_id in (hidden.pk, foreign.pk):
        with pytest.raises(NotFoundError):
            contact_create(actor=org.actor(org.rep), data={"full_name": "A", "company_id": company_id})
    with pytest.raises(NotFoundError):
        contact_create(actor=org.actor(org.rep), data={"full_name": "A", "company": hidden})
    assert Contact.objects.count() == 0


def test_delete_removes_points(org: Org, scoped: object) -> None:
    contact = make_contact(org.workspace, org.rep, email="a@b.ru")
    contact_delete(actor=org.actor(org.manager), contact=contact)
    assert (Contact.objects.count(), ContactPoint.objects.count()) == (0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers on one file lock, so two writers cannot interleave")
def test_two_concurrent_creates_of_one_email_give_one_contact(org: Org) -> None:
    # Given two people creating the same person at the same moment, with different spelling
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(spelling: str) -> None:
        try:
            with workspace_scope(org.workspace):
                actor = org.actor(org.rep)
                barrier.wait(timeout=10)
                try:
                    contact_create(actor=actor, data={"full_name": "Twin", "emails": [spelling]})
                    outcomes.append("created")
                except ApplicationError as error:
                    outcomes.append(error.code)
        finally:
            connections.close_all()

    spellings = ("Twin@Example.com", " twin@example.COM")
    threads = [threading.Thread(target=create, args=(spelling,)) for spelling in spellings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Then one contact, and the other got the clean duplicate error
    assert sorted(outcomes) == ["created", "duplicate_contact"]
    with workspace_scope(org.workspace):
        assert Contact.objects.count() == 1
        assert list(ContactPoint.objects.values_list("value", flat=True)) == ["twin@example.com"]
