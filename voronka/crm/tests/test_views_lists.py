"""The list pages: each role sees exactly its visible rows (R2), search, filters, sort, pagination,
empty states, escaping, and a query count that does not grow with the rows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline
from voronka.crm.tests.lists_factories import OWNERS, custom_field, seed

LISTS = {"deals": "crm:deal-list", "companies": "crm:company-list", "contacts": "crm:contact-list",
         "activities": "crm:activity-list"}
VISIBLE = {
    "admin": OWNERS,
    "marketer": OWNERS,
    "manager": ("manager", "rep", "rep_south"),
    "rep": ("rep",),
    "rep_south": ("rep_south",),
}


def row_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr data-id="(\d+)"', response.content.decode())}


@pytest.mark.parametrize("kind", sorted(LISTS))
@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_each_role_sees_exactly_its_visible_rows(org, login_as, kind, role):
    seeded = seed(org)
    response = login_as(getattr(org, role)).get(reverse(LISTS[kind]), {"per_page": 100})
    assert response.status_code == 200
    expected = seeded.ids(kind, *VISIBLE[role])
    assert row_ids(response) == expected
    # the total shown equals the visible set
    assert f"{len(expected)} record" in response.content.decode()


def test_other_workspace_rows_never_show(org, other_org, login_as):
    seed(org)
    foreign = seed(other_org)
    response = login_as(org.admin).get(reverse("crm:deal-list"), {"per_page": 100})
    assert not row_ids(response) & foreign.ids("deals", *OWNERS)


def test_search_is_case_insensitive_for_cyrillic(org, login_as):
    with_name = make_contact(org.workspace, org.rep, full_name="Ирина Соколова")
    make_contact(org.workspace, org.rep, full_name="Пётр Иванов")
    company = make_company(org.workspace, org.rep, name="ООО Ромашка")
    make_company(org.workspace, org.rep, name="Лютик")
    client = login_as(org.rep)
    assert row_ids(client.get(reverse("crm:contact-list"), {"q": "ирина"})) == {with_name.pk}
    assert row_ids(client.get(reverse("crm:contact-list"), {"q": "СОКОЛ"})) == {with_name.pk}
    assert row_ids(client.get(reverse("crm:company-list"), {"q": "ромашка"})) == {company.pk}


def test_live_search_returns_the_results_partial(org, login_as):
    make_contact(org.workspace, org.rep, full_name="Anna Lee")
    response = login_as(org.rep).get(reverse("crm:contact-list"), {"q": "anna"},
                                     headers={"HX-Request": "true", "HX-Target": "list-results"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Anna Lee" in html


def test_deal_filters(org, login_as):
    seeded = seed(org)
    client = login_as(org.admin)
    rep_ids = seeded.ids("deals", "rep")
    assert row_ids(client.get(reverse("crm:deal-list"), {"owner": org.rep.pk})) == rep_ids
    assert row_ids(client.get(reverse("crm:deal-list"), {"team": org.south.pk})) == seeded.ids("deals", "rep_south")
    assert row_ids(client.get(reverse("crm:deal-list"), {"amount_min": "150", "per_page": 100})) == {
        deal.pk for deals in seeded.deals.values() for deal in deals if deal.amount >= 150
    }
    assert row_ids(client.get(reverse("crm:deal-list"), {"status": "won"})) == set()


def test_custom_field_filter_and_column(org, login_as):
    custom_field(org, "company", "segment", kind="choice", choices=["SMB", "Enterprise"])
    smb = make_company(org.workspace, org.rep, name="Small", custom={"segment": "SMB"})
    make_company(org.workspace, org.rep, name="Big", custom={"segment": "Enterprise"})
    response = login_as(org.rep).get(reverse("crm:company-list"), {"cf_segment": "SMB"})
    assert row_ids(response) == {smb.pk}
    html = response.content.decode()
    assert ">Segment<" in html  # the column header
    assert ">SMB<" in html


def test_bad_filter_values_are_ignored_not_500(org, login_as):
    seeded = seed(org)
    response = login_as(org.rep).get(reverse("crm:deal-list"), {
        "owner": "nope", "created_from": "yesterday", "amount_min": "lots", "stage": "999999", "page": "x",
        "per_page": "7", "sort": "password",
    })
    assert response.status_code == 200
    assert row_ids(response) == seeded.ids("deals", "rep")


def test_sort_whitelist(org, login_as):
    pipeline = make_pipeline(org.workspace)
    small = make_deal(pipeline, org.rep, amount=10)
    big = make_deal(pipeline, org.rep, amount=900)
    client = login_as(org.rep)

    def order(sort):
        html = client.get(reverse("crm:deal-list"), {"sort": sort}).content.decode()
        return [int(pk) for pk in re.findall(r'<tr data-id="(\d+)"', html)]

    assert order("amount") == [small.pk, big.pk]
    assert order("-amount") == [big.pk, small.pk]
    assert client.get(reverse("crm:deal-list"), {"sort": "owner__password"}).status_code == 200
    assert client.get(reverse("crm:deal-list"), {"sort": "-__class__"}).status_code == 200


def test_pagination(org, login_as):
    for n in range(30):
        make_company(org.workspace, org.rep, name=f"Co {n:02d}")
    client = login_as(org.rep)
    first = client.get(reverse("crm:company-list"))
    second = client.get(reverse("crm:company-list"), {"page": 2})
    assert len(row_ids(first)) == 25
    assert len(row_ids(second)) == 5
    assert not row_ids(first) & row_ids(second)
    assert len(row_ids(client.get(reverse("crm:company-list"), {"per_page": 50}))) == 30
    # a page past the end shows the last page
    assert row_ids(client.get(reverse("crm:company-list"), {"page": 99})) == row_ids(second)


def test_empty_states(org, login_as):
    client = login_as(org.admin)
    empty = client.get(reverse("crm:contact-list")).content.decode()
    assert 'id="list-empty"' in empty
    assert reverse("crm:contact-create") in empty
    assert reverse("crm:imports") in empty  # admins may import: the empty state offers it
    assert reverse("crm:imports") not in login_as(org.rep).get(reverse("crm:contact-list")).content.decode()
    make_contact(org.workspace, org.admin, full_name="Someone")
    no_match = client.get(reverse("crm:contact-list"), {"q": "nobody-like-this"}).content.decode()
    assert 'id="clear-filters"' in no_match


def test_names_are_escaped(org, login_as):
    make_company(org.workspace, org.rep, name="<script>alert(1)</script>")
    html = login_as(org.rep).get(reverse("crm:company-list")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("kind", sorted(LISTS))
def test_query_count_does_not_grow_with_rows(org, login_as, django_assert_max_num_queries, kind):
    custom_field(org, {"deals": "deal", "companies": "company", "contacts": "contact",
                       "activities": "activity"}[kind], "code")
    client = login_as(org.admin)
    seed(org, per_owner=3)
    client.get(reverse(LISTS[kind]))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse(LISTS[kind]), {"per_page": 100})
    seed(org, per_owner=15, batch="b")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(LISTS[kind]), {"per_page": 100})
    assert len(row_ids(response)) == 60 + 12


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("crm:deal-list"))
    assert response.status_code == 302
