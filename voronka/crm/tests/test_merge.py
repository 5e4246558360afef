"""services.merge: every linked row moves to the primary, empty fields fill, audit + timeline (issue 3 item 4)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import ForeignKey, ManyToManyField

from conftest import Org
from voronka.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.crm.models import Activity, Company, Contact, ContactPoint, Deal, Tag, TimelineEntry
from voronka.crm.services.merge import company_merge, contact_merge
from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline


def _relations(model: Any) -> set[str]:
    """Every FK / M2M from any model to `model`, plus `model`'s own M2Ms: what a merge must move."""
    found = {f"{rel.related_model._meta.label}.{rel.field.name}" for rel in model._meta.related_objects}
    found |= {f"{model._meta.label}.{field.name}" for field in model._meta.many_to_many}
    return found


def _linked_to(model: Any, pk: int) -> dict[str, int]:
    """How many rows of each relation point at the record `pk`."""
    counts: dict[str, int] = {}
    for rel in model._meta.related_objects:
        label = f"{rel.related_model._meta.label}.{rel.field.name}"
        if isinstance(rel.field, ManyToManyField):
            counts[label] = rel.related_model._base_manager.filter(**{rel.field.name: pk}).count()
        else:
            counts[label] = rel.related_model._base_manager.filter(**{f"{rel.field.name}_id": pk}).count()
    for field in model._meta.many_to_many:
        counts[f"{model._meta.label}.{field.name}"] = getattr(model._base_manager.get(pk=pk), field.name).count()
    return counts


def _contact_world(org: Org) -> tuple[Contact, Contact, dict[str, int]]:
    """A primary and a duplicate, with one row of every relation on the duplicate."""
    pipeline = make_pipeline(org.workspace)
    primary = make_contact(org.workspace, org.rep, email="anna@example.com", full_name="Anna")
    other = make_contact(org.workspace, org.rep, email="anna.b@example.com", phone="+79161112233",
                         full_name="Anna B.", city="Kazan", position="CEO", custom={"vip": "yes"})
    deal = make_deal(pipeline, org.rep)
    deal.contacts.add(other)
    shared = make_deal(pipeline, org.rep)
    shared.contacts.add(other, primary)  # linked to both: ends as one link
    Activity.objects.create(workspace=org.workspace, subject="Call", contact=other, owner=org.rep)
    TimelineEntry.objects.create(workspace=org.workspace, kind="note", at=deal.created_at, contact=other)
    tag = Tag.objects.create(workspace=org.workspace, name="vip")
    other.tags.add(tag)
    expected = {"crm.Deal.contacts": 2, "crm.Activity.contact": 1, "crm.TimelineEntry.contact": 2,
                "crm.ContactPoint.contact": 3, "crm.Contact.tags": 1}
    return primary, other, expected


def test_every_relation_to_contact_is_covered_and_moved(org: Org, scoped) -> None:
    # Given a duplicate with a row in every relation that points at contacts
    primary, other, expected = _contact_world(org)
    assert _relations(Contact) == set(expected), (
        "a model now links to Contact: add a row for it here and check that merging moves it")
    # When merged
    merged = contact_merge(actor=org.actor(org.manager), primary=primary, others=[other])
    # Then nothing points at the deleted contact and the primary holds every row (+1 timeline: the merge)
    assert not Contact.objects.filter(pk=other.pk).exists()
    assert _linked_to(Contact, merged.pk) == expected


def test_contact_merge_fills_empty_fields_keeps_the_rest_and_one_primary_point_per_kind(org: Org, scoped) -> None:
    primary, other, _expected = _contact_world(org)
    merged = contact_merge(actor=org.actor(org.admin), primary=primary, others=[other])
    assert (merged.full_name, merged.city, merged.position, merged.custom, merged.owner_id) == (
        "Anna", "Kazan", "CEO", {"vip": "yes"}, org.rep.pk)
    assert (merged.email, merged.phone, merged.version) == ("anna@example.com", "+79161112233", 2)
    assert sorted(ContactPoint.objects.filter(contact=merged).values_list("value", "is_primary")) == [
        ("+79161112233", True), ("anna.b@example.com", False), ("anna@example.com", True)]


def test_merge_writes_one_audit_row_and_a_timeline_entry(org: Org, scoped) -> None:
    primary, other, _expected = _contact_world(org)
    contact_merge(actor=org.actor(org.admin), primary=primary, others=[other])
    entry = AuditEntry.objects.get(action="crm.merge")
    assert (entry.actor_id, entry.target_id, entry.diff["entity"], entry.diff["merged"]) == (
        org.admin.pk, str(primary.pk), "contact", [other.pk])
    timeline = TimelineEntry.objects.get(kind="merged")
    assert (timeline.contact_id, timeline.data) == (primary.pk, {"merged_ids": [other.pk],
                                                                 "names": {str(other.pk): "Anna B."}})


def _company_world(org: Org) -> tuple[Company, Company, dict[str, int]]:
    pipeline = make_pipeline(org.workspace)
    primary = make_company(org.workspace, org.rep, name="Ромашка")
    other = make_company(org.workspace, org.rep, name="ромашка", domain="romashka.ru", city="Тверь")
    make_contact(org.workspace, org.rep, company=other, full_name="Worker")
    make_deal(pipeline, org.rep, company=other)
    Activity.objects.create(workspace=org.workspace, subject="Visit", company=other, owner=org.rep)
    TimelineEntry.objects.create(workspace=org.workspace, kind="note", at=primary.created_at, company=other)
    other.tags.add(Tag.objects.create(workspace=org.workspace, name="key account"))
    expected = {"crm.Contact.company": 1, "crm.Deal.company": 1, "crm.Activity.company": 1,
                "crm.TimelineEntry.company": 2, "crm.Company.tags": 1}
    return primary, other, expected


def test_every_relation_to_company_is_covered_and_moved(org: Org, scoped) -> None:
    primary, other, expected = _company_world(org)
    assert _relations(Company) == set(expected), "a model now links to Company: cover it here"
    merged = company_merge(actor=org.actor(org.manager), primary=primary, others=[other])
    assert not Company.objects.filter(pk=other.pk).exists()
    assert _linked_to(Company, merged.pk) == expected
    assert (merged.name, merged.domain, merged.city) == ("Ромашка", "romashka.ru", "Тверь")


@pytest.mark.parametrize("role", ["rep", "marketer"])
def test_roles_without_merge_change_nothing(role: str, org: Org, scoped) -> None:
    primary, other, _expected = _contact_world(org)
    before = (Contact.objects.count(), ContactPoint.objects.count(), Deal.contacts.through.objects.count())
    with pytest.raises(PermissionDeniedError):
        contact_merge(actor=org.actor(getattr(org, role)), primary=primary, others=[other])
    assert (Contact.objects.count(), ContactPoint.objects.count(), Deal.contacts.through.objects.count()) == before
    assert not AuditEntry.objects.filter(action="crm.merge").exists()


def test_merging_a_record_into_itself_or_nothing_is_refused(org: Org, scoped) -> None:
    primary = make_contact(org.workspace, org.rep, full_name="Solo")
    with pytest.raises(ApplicationError) as caught:
        contact_merge(actor=org.actor(org.admin), primary=primary, others=[primary])
    assert caught.value.code == "merge_nothing"


def test_another_workspaces_record_is_not_found(org: Org, other_org: Org, scoped) -> None:
    primary = make_contact(org.workspace, org.rep, full_name="Mine")
    foreign = make_contact(other_org.workspace, other_org.rep, full_name="Theirs")
    with pytest.raises(NotFoundError):
        contact_merge(actor=org.actor(org.admin), primary=primary, others=[foreign])
    assert Contact.unscoped.filter(pk=foreign.pk).exists()


def test_fk_and_m2m_fields_are_what_the_test_thinks() -> None:
    # Guard for _linked_to: relations are FKs or M2Ms only (no one-to-one or generic relations)
    for model in (Contact, Company):
        for rel in model._meta.related_objects:
            assert isinstance(rel.field, ForeignKey | ManyToManyField), rel
