"""selectors/companies.py: visibility, search (Cyrillic on SQLite too), filters, ordering, query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import Org
from voronka.crm.selectors.companies import company_list
from voronka.crm.services.tags import tags_set
from voronka.crm.tests.factories import make_company
from voronka.crm.tests.records_factories import make_field


def names(queryset: object) -> list[str]:
    return [company.name for company in queryset]  # type: ignore[attr-defined]


def test_visibility_follows_role_and_team(org: Org, other_org: Org, scoped: object) -> None:
    make_company(org.workspace, org.rep, name="North Co")
    make_company(org.workspace, org.rep_south, name="South Co")
    make_company(org.workspace, org.admin, name="Admin Co")
    make_company(other_org.workspace, other_org.admin, name="Globex Co")
    assert names(company_list(actor=org.actor(org.rep))) == ["North Co"]
    assert names(company_list(actor=org.actor(org.manager))) == ["North Co", "South Co"]
    assert names(company_list(actor=org.actor(org.admin))) == ["Admin Co", "North Co", "South Co"]
    assert names(company_list(actor=org.actor(org.marketer))) == ["Admin Co", "North Co", "South Co"]


@pytest.mark.parametrize("term", ["ромашка", "РОМАШКА", "Ромашка", "ромаш", "romashka.ru", "ТВЕРЬ", "тверь"])
def test_search_is_case_insensitive_in_any_script(term: str, org: Org, scoped: object) -> None:
    make_company(org.workspace, org.admin, name="ООО Ромашка", domain="romashka.ru", city="Тверь")
    make_company(org.workspace, org.admin, name="Other", domain="other.ru")
    assert names(company_list(actor=org.actor(org.admin), search=term)) == ["ООО Ромашка"]


def test_filters(org: Org, scoped: object) -> None:
    from voronka.channels.models import SalesChannel

    channel = SalesChannel.objects.create(workspace=org.workspace, name="Web")
    make_field(org.workspace, "company", "budget", kind="number")
    a = make_company(org.workspace, org.rep, name="A", industry="Retail", city="Омск", channel=channel,
                     custom={"budget": "100"})
    make_company(org.workspace, org.rep_south, name="B", industry="IT", city="Тула", custom={"budget": "5"})
    tags_set(record=a, names=["Горячий"])
    admin = org.actor(org.admin)
    assert names(company_list(actor=admin, owner_id=org.rep.pk)) == ["A"]
    assert names(company_list(actor=admin, team_id=org.south.pk)) == ["B"]
    assert names(company_list(actor=admin, tag="горячий")) == ["A"]
    assert names(company_list(actor=admin, tag="missing")) == []
    assert names(company_list(actor=admin, industry="retail")) == ["A"]
    assert names(company_list(actor=admin, city="омск")) == ["A"]
    assert names(company_list(actor=admin, channel_id=channel.pk)) == ["A"]
    assert names(company_list(actor=admin, custom={"budget": "100.00"})) == ["A"]
    assert names(company_list(actor=admin, custom={"budget": "abc"})) == []
    assert names(company_list(actor=admin, custom={"unknown": "1"})) == []


def test_created_range_uses_the_workspace_day(org: Org, scoped: object) -> None:
    # 22:30 UTC on 1 March is already 2 March in Moscow
    make_company(org.workspace, org.admin, name="Late", created_at=dt.datetime(2025, 3, 1, 22, 30, tzinfo=dt.UTC))
    admin = org.actor(org.admin)
    assert names(company_list(actor=admin, created_from=dt.date(2025, 3, 2), created_to=dt.date(2025, 3, 2))) == [
        "Late"]
    assert names(company_list(actor=admin, created_to=dt.date(2025, 3, 1))) == []


def test_ordering_whitelist(org: Org, scoped: object) -> None:
    make_company(org.workspace, org.admin, name="B", annual_revenue=Decimal("10"))
    make_company(org.workspace, org.admin, name="A", annual_revenue=None)
    make_company(org.workspace, org.admin, name="C", annual_revenue=Decimal("20"),
                 created_at=timezone.now() - dt.timedelta(days=1))
    admin = org.actor(org.admin)
    assert names(company_list(actor=admin, ordering="-annual_revenue")) == ["C", "B", "A"]
    assert names(company_list(actor=admin, ordering="annual_revenue")) == ["B", "C", "A"]
    assert names(company_list(actor=admin, ordering="-created_at")) == ["A", "B", "C"]
    assert names(company_list(actor=admin, ordering="owner__password")) == ["A", "B", "C"]


def test_query_count_does_not_grow(org: Org, scoped: object, django_assert_max_num_queries: object) -> None:
    for index in range(12):
        company = make_company(org.workspace, org.rep, name=f"C{index}")
        tags_set(record=company, names=[f"t{index}", "common"])
    actor = org.actor(org.rep)
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        rows = list(company_list(actor=actor))
        assert sorted(t.name for t in rows[0].tags.all()) == ["common", "t0"]
        assert {row.owner.email for row in rows} == {org.rep.email}
