"""selectors.duplicates: groups of possible duplicates, scoped to what the actor sees, constant queries."""

from __future__ import annotations

from conftest import Org
from voronka.crm.selectors.duplicates import company_duplicate_groups, contact_duplicate_groups
from voronka.crm.tests.factories import make_company, make_contact


def test_contact_groups_by_email_phone_and_name_at_company(org: Org, scoped) -> None:
    acme = make_company(org.workspace, org.rep, name="Acme")
    a = make_contact(org.workspace, org.rep, full_name="Anna", company=acme)
    b = make_contact(org.workspace, org.rep, full_name="anna", company=acme)
    make_contact(org.workspace, org.rep, full_name="Anna")  # same name, no company: not with a and b
    c = make_contact(org.workspace, org.rep, full_name="Boris", phone="+79161112233")
    d = make_contact(org.workspace, org.rep, full_name="Borya")
    d.phone = "+79161112233"  # the denormalised copy: points are unique, older data may not be
    d.save()
    page = contact_duplicate_groups(actor=org.actor(org.admin))
    assert page.total == 2
    assert sorted((group.reason, group.ids) for group in page.groups) == [
        ("name", [a.pk, b.pk]), ("phone", [c.pk, d.pk])]


def test_groups_only_hold_what_the_actor_sees(org: Org, scoped) -> None:
    make_contact(org.workspace, org.rep, full_name="Twin")
    make_contact(org.workspace, org.rep_south, full_name="Twin")
    assert contact_duplicate_groups(actor=org.actor(org.admin)).total == 1
    # The North rep sees one of the two: no group
    assert contact_duplicate_groups(actor=org.actor(org.rep)).total == 0


def test_company_groups_by_domain_and_name(org: Org, scoped) -> None:
    x = make_company(org.workspace, org.rep, name="Ромашка", domain="romashka.ru")
    y = make_company(org.workspace, org.rep, name="Romashka LLC", domain="romashka.ru")
    z = make_company(org.workspace, org.rep, name="ромашка")
    page = company_duplicate_groups(actor=org.actor(org.manager))
    assert sorted((group.reason, group.ids) for group in page.groups) == [
        ("domain", [x.pk, y.pk]), ("name", [x.pk, z.pk])]


def test_pages_slice_the_groups(org: Org, scoped) -> None:
    for n in range(5):
        make_company(org.workspace, org.rep, name=f"Twin {n}")
        make_company(org.workspace, org.rep, name=f"Twin {n}")
    first = company_duplicate_groups(actor=org.actor(org.admin), limit=2, offset=0)
    last = company_duplicate_groups(actor=org.actor(org.admin), limit=2, offset=4)
    assert (first.total, len(first.groups), len(last.groups)) == (5, 2, 1)
    assert [group.key for group in first.groups] == ["twin 0", "twin 1"]


def test_query_count_does_not_grow_with_groups(org: Org, scoped, django_assert_max_num_queries) -> None:
    for n in range(30):
        make_contact(org.workspace, org.rep, full_name=f"Dup {n}")
        make_contact(org.workspace, org.rep, full_name=f"Dup {n}")
    actor = org.actor(org.admin)
    with django_assert_max_num_queries(4):  # three aggregate queries + one for the page's records
        page = contact_duplicate_groups(actor=actor, limit=20)
        assert [len(group.records) for group in page.groups] == [2] * 20
        assert all(group.records[0].owner_id == org.rep.pk for group in page.groups)
