"""The list count convention (core.api Pagination, ADR 0004) on /api/v1/deals: exact up to a threshold,
estimated past it, exact on request; the same number of queries whatever the size below the threshold."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.core import api as core_api
from voronka.core.api import list_count
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Deal, Pipeline
from voronka.crm.tests.deals_factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db

Headers = Callable[..., dict[str, str]]


def _deals(org: Org, count: int, owner: Any) -> None:
    with workspace_scope(org.workspace):
        pipeline = Pipeline.objects.first() or make_pipeline(org.workspace)
        for _ in range(count):
            make_deal(pipeline, owner=owner)


def test_a_small_list_is_counted_exactly(org: Org, bearer: Headers) -> None:
    _deals(org, 3, org.rep)
    body = Client().get("/api/v1/deals?limit=2", headers=bearer(org.admin, org.workspace)).json()
    assert (body["count"], body["count_is_estimate"], len(body["items"]), body["limit"], body["offset"]) == (
        3, False, 2, 2, 0)


def test_past_the_threshold_the_count_is_flagged_as_an_estimate(org: Org, bearer: Headers, monkeypatch) -> None:
    # Given 6 deals and a threshold of 4
    monkeypatch.setattr(core_api, "COUNT_EXACT_UP_TO", 4)
    _deals(org, 6, org.rep)
    # When the list is asked for
    body = Client().get("/api/v1/deals?limit=2", headers=bearer(org.admin, org.workspace)).json()
    # Then the count is flagged: SQLite answers the lower bound, PostgreSQL its planner's estimate (at least that)
    assert body["count_is_estimate"] is True
    if connection.vendor == "sqlite":
        assert body["count"] == 5
    else:
        assert body["count"] >= 5
    assert len(body["items"]) == 2


def test_exact_count_on_request(org: Org, bearer: Headers, monkeypatch) -> None:
    monkeypatch.setattr(core_api, "COUNT_EXACT_UP_TO", 4)
    _deals(org, 6, org.rep)
    body = Client().get("/api/v1/deals?exact_count=true", headers=bearer(org.admin, org.workspace)).json()
    assert (body["count"], body["count_is_estimate"], len(body["items"])) == (6, False, 6)


def test_the_threshold_itself_is_still_exact(org: Org, bearer: Headers, monkeypatch) -> None:
    monkeypatch.setattr(core_api, "COUNT_EXACT_UP_TO", 4)
    _deals(org, 4, org.rep)
    body = Client().get("/api/v1/deals", headers=bearer(org.admin, org.workspace)).json()
    assert (body["count"], body["count_is_estimate"]) == (4, False)


def test_the_count_is_what_the_actor_may_see(org: Org, bearer: Headers) -> None:
    # Given deals of two reps of different teams
    _deals(org, 2, org.rep)
    _deals(org, 3, org.rep_south)
    # Then each rep's count is their own deals only
    for user, expected in ((org.rep, 2), (org.rep_south, 3), (org.admin, 5)):
        body = Client().get("/api/v1/deals", headers=bearer(user, org.workspace)).json()
        assert (body["count"], body["count_is_estimate"]) == (expected, False)


def test_list_count_of_a_plain_list_is_its_length() -> None:
    assert list_count([1, 2, 3]) == (3, False)


def test_the_count_query_reads_only_ids_and_stops_past_the_threshold(org: Org, scoped, monkeypatch) -> None:
    monkeypatch.setattr(core_api, "COUNT_EXACT_UP_TO", 4)
    _deals(org, 6, org.rep)
    with CaptureQueriesContext(connection) as queries:
        list_count(Deal.objects.select_related("owner").order_by("-amount"))
    counted = queries.captured_queries[0]["sql"]
    assert "LIMIT 5" in counted and "ORDER BY" not in counted and "JOIN" not in counted


def test_the_number_of_queries_does_not_grow_with_the_list(org: Org, bearer: Headers) -> None:
    headers = bearer(org.admin, org.workspace)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get("/api/v1/deals", headers=headers).status_code == 200
        return len(captured)

    _deals(org, 1, org.rep)
    queries()  # the token's first use writes its last-used time
    one = queries()
    _deals(org, 20, org.rep_south)
    assert queries() == one


def test_bad_exact_count_values_are_a_field_error(org: Org, bearer: Headers) -> None:
    response = Client().get("/api/v1/deals?exact_count=maybe", headers=bearer(org.admin, org.workspace))
    assert response.status_code == 422
    assert "exact_count" in response.json()["fields"]
