"""services/companies.py, and the shared owner change and delete of services/records.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import Org
from voronka.accounts.models import Membership
from voronka.channels.models import SalesChannel
from voronka.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.crm.models import Company, TimelineEntry
from voronka.crm.services.companies import company_create, company_delete, company_update
from voronka.crm.services.records import record_delete, record_set_owner
from voronka.crm.tests.factories import make_company
from voronka.crm.tests.records_factories import make_field


def test_create_normalises_and_defaults_the_owner(org: Org, scoped: object) -> None:
    # Given a rep in North
    channel = SalesChannel.objects.create(workspace=org.workspace, name="Direct")
    # When they add a company
    company = company_create(actor=org.actor(org.rep), data={
        "name": "  ООО  Ромашка ", "domain": "https://WWW.Romashka.ru/about", "size_band": "10-49",
        "annual_revenue": "1000000.555", "channel_id": channel.pk, "city": " Москва ", "tags": ["VIP"],
        "workspace": 999, "version": 50, "team": org.south.pk,
    })
    # Then it is cleaned, owned by them in their team, tagged, audited and on its timeline
    company.refresh_from_db()
    assert (company.name, company.name_key, company.domain, company.city) == (
        "ООО  Ромашка", "ооо ромашка", "romashka.ru", "Москва")
    assert company.annual_revenue == Decimal("1000000.56")
    assert (company.owner_id, company.team_id, company.version, company.workspace_id) == (
        org.rep.pk, org.north.pk, 1, org.workspace.pk)
    assert list(company.tags.values_list("name", flat=True)) == ["VIP"]
    assert AuditEntry.objects.filter(action="crm.create", target_id=str(company.pk)).count() == 1
    assert TimelineEntry.objects.filter(company=company, kind="created").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"name": None}, "name"), ({"name": 5}, "name"),
     ({"name": "A", "domain": "not a domain"}, "domain"), ({"name": "A", "annual_revenue": "-1"}, "annual_revenue"),
     ({"name": "A", "annual_revenue": "lots"}, "annual_revenue"),
     ({"name": "A", "annual_revenue": "1e20"}, "annual_revenue"), ({"name": "A", "size_band": "huge"}, "size_band"),
     ({"name": "A", "city": "x" * 101}, "city"), ({"name": "A", "channel_id": 987654}, "channel_id"),
     ({"name": "A\x00"}, "name")],
)
def test_create_refuses_bad_input(data: dict[str, object], field: str, org: Org, scoped: object) -> None:
    with pytest.raises(ApplicationError) as error:
        company_create(actor=org.actor(org.rep), data=data)
    assert field in error.value.fields
    assert Company.objects.count() == 0


def test_channel_of_another_workspace_is_refused(org: Org, other_org: Org, scoped: object) -> None:
    foreign = SalesChannel.unscoped.create(workspace=other_org.workspace, name="Theirs")
    with pytest.raises(ApplicationError) as error:
        company_create(actor=org.actor(org.rep), data={"name": "A", "channel_id": foreign.pk})
    assert "channel_id" in error.value.fields
    assert Company.objects.count() == 0


def test_custom_values_are_validated(org: Org, scoped: object) -> None:
    make_field(org.workspace, "company", "budget", kind="number", is_required=True)
    with pytest.raises(ApplicationError) as error:
        company_create(actor=org.actor(org.rep), data={"name": "A"})
    assert error.value.fields == {"custom.budget": ["This field is required."]}
    company = company_create(actor=org.actor(org.rep), data={"name": "A", "custom": {"budget": "10.50"}})
    assert company.custom == {"budget": "10.5"}


def test_assigning_another_owner_needs_the_capability(org: Org, scoped: object) -> None:
    with pytest.raises(PermissionDeniedError):
        company_create(actor=org.actor(org.rep), data={"name": "A", "owner_id": org.rep_south.pk})
    company = company_create(actor=org.actor(org.manager), data={"name": "B", "owner": org.rep_south})
    assert (company.owner_id, company.team_id) == (org.rep_south.pk, org.south.pk)
    assert Company.objects.count() == 1


def test_owner_must_be_an_active_member(org: Org, other_org: Org, scoped: object) -> None:
    Membership.objects.filter(user=org.rep_south).update(is_active=False)
    for owner in (org.rep_south, other_org.rep):
        with pytest.raises(ApplicationError) as error:
            company_create(actor=org.actor(org.admin), data={"name": "A", "owner": owner})
        assert "owner_id" in error.value.fields
    assert Company.objects.count() == 0


def test_update_changes_given_keys_and_bumps_version(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep, name="Old", city="Tver")
    updated = company_update(actor=org.actor(org.rep), company=company, data={"name": "New", "version": 99,
                                                                              "team_id": org.south.pk}, version=1)
    assert (updated.name, updated.name_key, updated.city, updated.version, updated.team_id) == (
        "New", "new", "Tver", 2, org.north.pk)
    assert AuditEntry.objects.filter(action="crm.update", target_id=str(company.pk)).get().diff == {
        "fields": ["name"]}


def test_stale_version_is_a_conflict_and_keeps_the_first_change(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep, name="Start")
    first = Company.objects.get(pk=company.pk)
    second = Company.objects.get(pk=company.pk)
    company_update(actor=org.actor(org.rep), company=first, data={"name": "First"}, version=1)
    with pytest.raises(ConflictError) as error:
        company_update(actor=org.actor(org.manager), company=second, data={"name": "Second"}, version=1)
    assert error.value.status == 409
    current = error.value.extra["current"]
    assert (current["name"], current["version"], current["owner"]["id"]) == ("First", 2, org.rep.pk)
    company.refresh_from_db()
    assert (company.name, company.version) == ("First", 2)


def test_record_set_owner_moves_team_audits_and_bumps_version(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep)
    record_set_owner(actor=org.actor(org.manager), record=company, owner=org.rep_south)
    company.refresh_from_db()
    assert (company.owner_id, company.team_id, company.version) == (org.rep_south.pk, org.south.pk, 2)
    entry = AuditEntry.objects.get(action="crm.owner")
    assert entry.diff == {"owner": [org.rep.pk, org.rep_south.pk], "team": [org.north.pk, org.south.pk]}
    assert TimelineEntry.objects.filter(company=company, kind="owner_changed").count() == 1


def test_a_rep_may_only_keep_their_own_record(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep)
    # Taking what you own is a no-op without CRM_ASSIGN
    assert record_set_owner(actor=org.actor(org.rep), record=company, owner=org.rep).owner_id == org.rep.pk
    with pytest.raises(PermissionDeniedError):
        record_set_owner(actor=org.actor(org.rep), record=company, owner=org.rep_south)
    company.refresh_from_db()
    assert (company.owner_id, company.version) == (org.rep.pk, 1)
    assert not AuditEntry.objects.filter(action="crm.owner").exists()


def test_update_with_owner_writes_one_version(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep)
    updated = company_update(actor=org.actor(org.admin), company=company,
                             data={"city": "Omsk", "owner_id": org.rep_south.pk}, version=1)
    assert (updated.city, updated.owner_id, updated.team_id, updated.version) == (
        "Omsk", org.rep_south.pk, org.south.pk, 2)
    assert AuditEntry.objects.filter(action="crm.owner").count() == 1


def test_delete_needs_the_capability_and_is_audited(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep)
    with pytest.raises(PermissionDeniedError):
        company_delete(actor=org.actor(org.rep), company=company)
    assert Company.objects.filter(pk=company.pk).exists()
    company_delete(actor=org.actor(org.manager), company=company)
    assert not Company.objects.filter(pk=company.pk).exists()
    assert AuditEntry.objects.get(action="crm.delete").diff["model"] == "company"


def test_foreign_records_are_not_found(org: Org, other_org: Org, scoped: object) -> None:
    foreign = make_company(other_org.workspace, other_org.rep)
    with pytest.raises(NotFoundError):
        company_update(actor=org.actor(org.admin), company=foreign, data={"name": "x"}, version=1)
    with pytest.raises(NotFoundError):
        record_delete(actor=org.actor(org.admin), record=foreign)
    with pytest.raises(NotFoundError):
        record_set_owner(actor=org.actor(org.admin), record=foreign, owner=org.rep)
    assert Company.unscoped.filter(pk=foreign.pk, name=foreign.name, owner=other_org.rep).exists()
