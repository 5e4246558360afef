"""listing.py without pages: sort whitelist, per-page choices, filter query, quota counter."""

from __future__ import annotations

from django.http import QueryDict

from voronka.crm.listing import (
    DEALS,
    QUOTA_LIMIT,
    audit_list_action,
    filter_query,
    parse_per_page,
    parse_sort,
    quota_used,
)


def test_sort_whitelist():
    assert parse_sort(DEALS, "-amount").param == "-amount"
    assert parse_sort(DEALS, "owner__password").param == "-created"
    assert parse_sort(DEALS, None).param == "-created"
    assert parse_sort(DEALS, "tags").param == "-created"  # a column, but not sortable


def test_per_page():
    assert [parse_per_page(v) for v in ("50", "100", "7", "x", None)] == [50, 100, 25, 25, 25]


def test_filter_query_drops_paging_and_blanks():
    assert filter_query(QueryDict("q=a&page=3&owner=&sort=-amount&csrfmiddlewaretoken=x")).urlencode() == (
        "q=a&sort=-amount")


def test_quota_counts_exports_and_bulk_per_user(org, scoped):
    actor = org.actor(org.rep)
    audit_list_action(actor=actor, action="crm.export", diff={})
    audit_list_action(actor=actor, action="crm.bulk", diff={})
    audit_list_action(actor=org.actor(org.admin), action="crm.bulk", diff={})
    assert quota_used(actor) == 2
    assert QUOTA_LIMIT == 30
