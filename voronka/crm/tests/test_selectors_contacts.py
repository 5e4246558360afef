"""selectors/contacts.py: visibility, search by name/email/phone, filters, query count."""

from __future__ import annotations

import pytest

from conftest import Org
from voronka.crm.models import ContactPoint
from voronka.crm.selectors.contacts import contact_list
from voronka.crm.services.tags import tags_set
from voronka.crm.tests.factories import make_company, make_contact
from voronka.crm.tests.records_factories import make_field


def names(queryset: object) -> list[str]:
    return [contact.full_name for contact in queryset]  # type: ignore[attr-defined]


def test_visibility(org: Org, other_org: Org, scoped: object) -> None:
    make_contact(org.workspace, org.rep, full_name="Mine")
    make_contact(org.workspace, org.rep_south, full_name="Theirs")
    make_contact(other_org.workspace, other_org.rep, full_name="Foreign")
    assert names(contact_list(actor=org.actor(org.rep))) == ["Mine"]
    assert names(contact_list(actor=org.actor(org.manager))) == ["Mine", "Theirs"]


@pytest.mark.parametrize("term", ["иван", "ИВАН", "Петров", "директор", "ivan@", "IVAN@EXAMPLE", "916 123",
                                  "second@x.ru", "+7 (916)"])
def test_search(term: str, org: Org, scoped: object) -> None:
    contact = make_contact(org.workspace, org.admin, full_name="Иван Петров", position="Директор",
                           email="ivan@example.com", phone="+79161234567")
    ContactPoint.objects.create(workspace=org.workspace, contact=contact, kind="email", value="second@x.ru")
    make_contact(org.workspace, org.admin, full_name="Other", email="o@o.ru", phone="+74950000000")
    assert names(contact_list(actor=org.actor(org.admin), search=term)) == ["Иван Петров"]


def test_filters(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.admin)
    make_field(org.workspace, "contact", "tier", kind="choice", choices=["Gold", "Silver"])
    a = make_contact(org.workspace, org.rep, full_name="A", company=company, city="Казань", lead_source="Выставка",
                     age_band="25-34", gender="f", custom={"tier": "Gold"})
    make_contact(org.workspace, org.rep_south, full_name="B", city="Тула", gender="m", custom={"tier": "Silver"})
    tags_set(record=a, names=["VIP"])
    admin = org.actor(org.admin)
    assert names(contact_list(actor=admin, company_id=company.pk)) == ["A"]
    assert names(contact_list(actor=admin, owner_id=org.rep_south.pk)) == ["B"]
    assert names(contact_list(actor=admin, team_id=org.north.pk)) == ["A"]
    assert names(contact_list(actor=admin, tag="vip")) == ["A"]
    assert names(contact_list(actor=admin, lead_source="выставка")) == ["A"]
    assert names(contact_list(actor=admin, city="КАЗАНЬ")) == ["A"]
    assert names(contact_list(actor=admin, age_band="25-34")) == ["A"]
    assert names(contact_list(actor=admin, gender="m")) == ["B"]
    assert names(contact_list(actor=admin, custom={"tier": "Silver"})) == ["B"]
    assert names(contact_list(actor=admin, ordering="-full_name")) == ["B", "A"]


def test_query_count_does_not_grow(org: Org, scoped: object, django_assert_max_num_queries: object) -> None:
    company = make_company(org.workspace, org.rep)
    for index in range(10):
        contact = make_contact(org.workspace, org.rep, email=f"c{index}@x.ru", company=company)
        tags_set(record=contact, names=["t"])
    actor = org.actor(org.rep)
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        rows = list(contact_list(actor=actor))
        assert len({(row.company.name, row.owner.email, len(row.tags.all()), len(row.points.all()))
                    for row in rows}) == 1
