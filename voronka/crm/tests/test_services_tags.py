"""services/tags.py: tags_set and tags_add."""

from __future__ import annotations

import pytest

from conftest import Org
from voronka.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from voronka.crm.models import Tag
from voronka.crm.services.tags import tags_add, tags_set
from voronka.crm.tests.factories import make_company, make_contact


def test_set_trims_dedupes_and_reuses_case_insensitively(org: Org, scoped: object) -> None:
    Tag.objects.create(workspace=org.workspace, name="VIP")
    Tag.objects.create(workspace=org.workspace, name="Важно")
    company = make_company(org.workspace, org.rep)
    # When tags are set with other spellings, spaces and duplicates
    tags_set(record=company, names=["  vip ", "ВАЖНО", "new   tag", "New Tag", "", "  "])
    # Then existing tags are reused and only one new tag is made
    assert sorted(company.tags.values_list("name", flat=True)) == ["VIP", "new tag", "Важно"]
    assert Tag.objects.count() == 3
    # And setting again replaces the set
    tags_set(record=company, names=["vip"])
    assert list(company.tags.values_list("name", flat=True)) == ["VIP"]


def test_set_refuses_long_names(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep)
    with pytest.raises(ApplicationError) as error:
        tags_set(record=company, names=["x" * 61])
    assert "tags" in error.value.fields
    assert Tag.objects.count() == 0


def test_tags_are_per_workspace(org: Org, other_org: Org) -> None:
    from voronka.core.scoping import workspace_scope

    with workspace_scope(other_org.workspace):
        Tag.objects.create(workspace=other_org.workspace, name="vip")
    with workspace_scope(org.workspace):
        company = make_company(org.workspace, org.rep)
        tags_set(record=company, names=["vip"])
        assert company.tags.get().workspace_id == org.workspace.pk
    assert Tag.unscoped.count() == 2


def test_add_in_bulk(org: Org, scoped: object) -> None:
    companies = [make_company(org.workspace, org.rep) for _ in range(3)]
    contact = make_contact(org.workspace, org.rep)
    tags_set(record=companies[0], names=["old"])
    count = tags_add(actor=org.actor(org.rep), records=[*companies, contact], names=["Hot", "old"])
    assert count == 4
    assert sorted(companies[0].tags.values_list("name", flat=True)) == ["Hot", "old"]
    assert sorted(contact.tags.values_list("name", flat=True)) == ["Hot", "old"]
    # Adding again changes nothing
    tags_add(actor=org.actor(org.rep), records=companies, names=["hot"])
    assert companies[1].tags.count() == 2


def test_add_bumps_the_version_of_each_changed_record(org: Org, scoped: object) -> None:
    from voronka.crm.models import Company, Contact, Deal
    from voronka.crm.tests.factories import make_deal, make_pipeline

    # Given a company that already has the tag, one that has not, a contact and a deal
    tagged, untagged = make_company(org.workspace, org.rep), make_company(org.workspace, org.rep)
    contact = make_contact(org.workspace, org.rep)
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    tags_set(record=tagged, names=["Hot"])
    before = {model: dict(model.objects.values_list("pk", "version")) for model in (Company, Contact, Deal)}
    stamp = Company.objects.get(pk=untagged.pk).updated_at
    # When the tag is added to all four
    assert tags_add(actor=org.actor(org.admin), records=[tagged, untagged, contact, deal], names=["hot"]) == 4
    # Then every record that got it is one version newer (and newer), the one that had it is untouched
    after = {model: dict(model.objects.values_list("pk", "version")) for model in (Company, Contact, Deal)}
    assert after[Company] == {tagged.pk: before[Company][tagged.pk], untagged.pk: before[Company][untagged.pk] + 1}
    assert after[Contact][contact.pk] == before[Contact][contact.pk] + 1
    assert after[Deal][deal.pk] == before[Deal][deal.pk] + 1
    assert Company.objects.get(pk=untagged.pk).updated_at > stamp
    # And adding it again bumps nothing
    tags_add(actor=org.actor(org.admin), records=[untagged, contact, deal], names=["HOT"])
    again = {model: dict(model.objects.values_list("pk", "version")) for model in (Company, Contact, Deal)}
    assert again == after


def test_a_stale_edit_after_a_bulk_tag_is_a_conflict(org: Org, scoped: object) -> None:
    from voronka.core.errors import ConflictError
    from voronka.crm.services.companies import company_update

    # Given a company opened for editing at version 1, then tagged in bulk by someone else
    company = make_company(org.workspace, org.rep)
    version = company.version
    tags_add(actor=org.actor(org.admin), records=[company], names=["Hot"])
    # When the edit is saved with the old version
    with pytest.raises(ConflictError):
        company_update(actor=org.actor(org.rep), company=company, version=version, data={"name": "Renamed"})
    # Then nothing of the stale edit is stored and the tag stays
    company.refresh_from_db()
    assert company.name != "Renamed"
    assert list(company.tags.values_list("name", flat=True)) == ["Hot"]


def test_add_refuses_foreign_records_and_missing_capability(org: Org, other_org: Org, scoped: object) -> None:
    foreign = make_company(other_org.workspace, other_org.rep)
    with pytest.raises(NotFoundError):
        tags_add(actor=org.actor(org.rep), records=[foreign], names=["x"])
    from voronka.crm.tests.factories import make_deal, make_pipeline

    deal = make_deal(make_pipeline(org.workspace), org.marketer)
    with pytest.raises(PermissionDeniedError):
        tags_add(actor=org.actor(org.marketer), records=[deal], names=["x"])
    assert Tag.objects.count() == 0
