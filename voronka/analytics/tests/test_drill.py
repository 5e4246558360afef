"""The drill-down page: the rows behind a number, exactly those the engine counted, as the viewer sees them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Org
from voronka.crm.models import Contact, Deal
from voronka.crm.tests.factories import make_contact, make_deal

from .test_dashboard_support import at, deals_frame, make_sales, revenue

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def drill(user: Any, **params: Any) -> Any:
    client = Client()
    client.force_login(user)
    pairs: list[tuple[str, Any]] = []
    for key, value in params.items():
        name = key.replace("__", ".")
        pairs.extend((name, v) for v in value) if isinstance(value, list) else pairs.append((name, value))
    return client.get(reverse("analytics:drill") + "?" + urlencode(pairs))


def rows(response: Any) -> list[Any]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return list(response.context["page"].object_list)


def test_revenue_drills_to_the_won_deals_that_sum_to_it(org: Org) -> None:
    make_sales(org)
    response = drill(org.admin, metric="revenue", **MARCH)
    deals = rows(response)
    frame = deals_frame(org)
    import datetime as dt

    expected = revenue(frame, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert sum(d.amount for d in deals) == expected == Decimal("8000.00")
    assert {d.status for d in deals} == {"won"}
    html = response.content.decode()
    assert "₽8,000.00" in html
    for deal in deals:
        assert reverse("crm:deal-detail", args=[deal.pk]) in html
    assert [d.closed_at for d in deals] == sorted((d.closed_at for d in deals), reverse=True)


def test_a_bucket_and_slice_values_narrow_the_rows(org: Org) -> None:
    sales = make_sales(org)
    february = rows(drill(org.admin, metric="deals_lost", date_from="2026-01-01", date_to="2026-03-31",
                          granularity="month", bucket="2026-02"))
    assert sorted(d.title for d in february) == ["Lost 700", "Lost 800"]
    web = rows(drill(org.admin, metric="revenue", slice__channel=sales.web.pk, **MARCH))
    assert sorted(d.amount for d in web) == [Decimal("1000.00"), Decimal("4000.00")]
    no_channel = rows(drill(org.admin, metric="deals_lost", slice__channel="", date_from="2026-02-01",
                            date_to="2026-02-28"))
    assert sorted(d.title for d in no_channel) == ["Lost 700", "Lost 800"]
    north = rows(drill(org.admin, metric="revenue", filter__team=[org.north.pk, org.south.pk], **MARCH))
    assert sorted(d.amount for d in north) == [Decimal("1000.00"), Decimal("3000.00")]


def test_win_rate_drills_to_the_closed_deals(org: Org) -> None:
    make_sales(org)
    closed = rows(drill(org.admin, metric="win_rate", **MARCH))
    assert sorted(d.status for d in closed) == ["lost", "won", "won", "won"]


@pytest.mark.parametrize(("who", "amounts"), [("rep", ["1000.00"]), ("rep_south", ["3000.00"]),
                                             ("manager", ["1000.00", "3000.00", "4000.00"])])
def test_each_viewer_sees_only_their_rows_and_their_number(org: Org, who: str, amounts: list[str]) -> None:
    make_sales(org)
    response = drill(getattr(org, who), metric="revenue", **MARCH)
    assert sorted(str(d.amount) for d in rows(response)) == amounts
    total = sum(Decimal(a) for a in amounts)
    assert f"₽{total:,.2f}" in response.content.decode()


@pytest.mark.parametrize("params", [
    {"metric": "nope", **MARCH},
    {"metric": "stage_conversion", "slice__stage": "1", **MARCH},  # no rows behind it in the catalogue
    {"metric": "revenue", "date_from": "yesterday", "date_to": "2026-03-31"},
    {"metric": "revenue", "date_from": "2026-03-31", "date_to": "2026-03-01"},
    {"metric": "revenue", "granularity": "fortnight", **MARCH},
    {"metric": "revenue", "granularity": "month", "bucket": "2025-01", **MARCH},
    {"metric": "revenue", "filter__owner": "abc", **MARCH},
    {"metric": "revenue", "slice__activity_type": "call", **MARCH},
    {"metric": "revenue", "filter__colour": "red", **MARCH},
    {"metric": "revenue", **MARCH, **{f"filter__x{n}": n for n in range(70)}},
])
def test_bad_input_gets_a_clear_error_not_a_500(org: Org, params: dict[str, Any]) -> None:
    response = drill(org.admin, **params)
    assert response.status_code == 422
    assert 'id="drill-error"' in response.content.decode()


def test_opened_without_a_number_it_explains_itself(org: Org) -> None:
    response = Client()
    response.force_login(org.rep)
    page = response.get(reverse("analytics:drill"))
    assert page.status_code == 200 and 'id="drill-help"' in page.content.decode()


def test_long_lists_are_paginated(org: Org) -> None:
    sales = make_sales(org)
    for n in range(55):
        make_deal(sales.pipeline, org.rep, stage_name="Won", amount=10 + n, created_at=at("2026-03-20"))
    first = drill(org.admin, metric="deals_won", **MARCH)
    assert len(rows(first)) == 50 and first.context["page"].paginator.count == 58
    second = drill(org.admin, metric="deals_won", page=2, **MARCH)
    assert len(rows(second)) == 8
    assert len(rows(drill(org.admin, metric="deals_won", page="abc", **MARCH))) == 50


def test_query_count_is_flat_as_rows_grow(org: Org) -> None:
    sales = make_sales(org)

    def count() -> int:
        client = Client()
        client.force_login(org.manager)
        url = reverse("analytics:drill") + "?" + urlencode({"metric": "revenue", "filter.team": org.north.pk,
                                                             "slice.channel": sales.web.pk, **MARCH})
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    small = count()
    for n in range(20):
        make_deal(sales.pipeline, org.rep, stage_name="Won", amount=10 + n, created_at=at("2026-03-20"),
                  channel=sales.web)
    assert count() == small <= 14


def test_a_filter_never_names_a_user_of_another_workspace(org: Org, other_org: Org) -> None:
    make_sales(org)
    response = drill(org.admin, metric="revenue", filter__owner=other_org.rep.pk, **MARCH)
    assert response.status_code == 200
    assert other_org.rep.display_name not in response.content.decode()
    assert rows(response) == []


def test_contacts_and_activities_are_listed_with_links(org: Org) -> None:
    make_sales(org)
    mine = make_contact(org.workspace, org.rep, full_name="Anna Lead", created_at=at("2026-03-03"))
    make_contact(org.workspace, org.rep_south, full_name="Boris Lead", created_at=at("2026-03-04"))
    response = drill(org.rep, metric="new_leads", **MARCH)
    assert [c.pk for c in rows(response)] == [mine.pk]
    assert isinstance(rows(response)[0], Contact)
    assert reverse("crm:contact-detail", args=[mine.pk]) in response.content.decode()
    # lead-to-deal conversion lists the leads it is a share of
    assert [c.pk for c in rows(drill(org.rep, metric="lead_to_deal", **MARCH))] == [mine.pk]
    activities = rows(drill(org.admin, metric="activities_done", **MARCH))
    assert sorted(a.subject for a in activities) == ["call 2026-03-03", "meeting 2026-03-04"]
    assert not any(isinstance(a, Deal) for a in activities)
    by_type = rows(drill(org.admin, metric="activities_done", slice__activity_type="call", **MARCH))
    assert [a.subject for a in by_type] == ["call 2026-03-03"]
