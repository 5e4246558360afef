"""The /activities endpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Org
from voronka.crm.models import Activity, TimelineEntry
from voronka.crm.tests.factories import make_deal, make_pipeline
from voronka.crm.tests.records_factories import make_activity

Headers = Callable[..., dict[str, str]]
JSON = "application/json"


@pytest.fixture
def rep(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.rep, org.workspace)


def test_create_complete_and_read(org: Org, rep: dict[str, str]) -> None:
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    response = Client().post("/api/v1/activities", data={
        "kind": "call", "subject": "Call", "due_at": "2030-01-01T10:00:00+03:00", "deal_id": deal.pk,
        "done_at": "2020-01-01T00:00:00Z", "version": 5,
    }, content_type=JSON, headers=rep)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["deal_id"], body["done_at"], body["version"], body["owner"]["id"]) == (deal.pk, None, 1, org.rep.pk)
    done = Client().post(f"/api/v1/activities/{body['id']}/complete", data={"outcome": "Agreed"},
                         content_type=JSON, headers=rep)
    assert done.status_code == 200
    assert (done.json()["outcome"], done.json()["version"]) == ("Agreed", 2)
    assert done.json()["done_at"] is not None
    assert TimelineEntry.unscoped.filter(deal=deal, kind="activity_done").count() == 1
    again = Client().post(f"/api/v1/activities/{body['id']}/complete", data={}, content_type=JSON, headers=rep)
    assert (again.status_code, again.json()["code"]) == (400, "already_done")


def test_linking_an_invisible_deal_is_404(org: Org, rep: dict[str, str]) -> None:
    deal = make_deal(make_pipeline(org.workspace), org.rep_south)
    response = Client().post("/api/v1/activities", data={"subject": "x", "deal_id": deal.pk}, content_type=JSON,
                             headers=rep)
    assert response.status_code == 404
    assert Activity.unscoped.count() == 0


def test_two_updates_with_one_version_give_exactly_one_conflict(org: Org, rep: dict[str, str]) -> None:
    activity = make_activity(org.workspace, org.rep, subject="Start")
    url = f"/api/v1/activities/{activity.pk}"
    first = Client().patch(url, data={"version": 1, "subject": "First"}, content_type=JSON, headers=rep)
    second = Client().patch(url, data={"version": 1, "subject": "Second"}, content_type=JSON, headers=rep)
    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["current"]["subject"] == "First"
    activity.refresh_from_db()
    assert activity.subject == "First"


def test_list_filters_mine_today_and_query_count(org: Org, rep: dict[str, str]) -> None:
    def fetch(query: str = "") -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as context:
            response = Client().get(f"/api/v1/activities{query}", headers=rep)
        assert response.status_code == 200, response.content
        return len(context), [item["subject"] for item in response.json()["items"]]

    deal = make_deal(make_pipeline(org.workspace), org.rep)
    make_activity(org.workspace, org.rep, subject="late", due_at=timezone.now() - dt.timedelta(days=2), deal=deal)
    make_activity(org.workspace, org.rep, subject="later", due_at=timezone.now() + dt.timedelta(days=5))
    make_activity(org.workspace, org.rep_south, subject="hidden", due_at=timezone.now() - dt.timedelta(days=1))
    fetch()
    few, _ = fetch()
    assert fetch("?mine_today=true")[1] == ["late"]
    assert fetch("?overdue=true")[1] == ["late"]
    assert fetch(f"?deal_id={deal.pk}")[1] == ["late"]
    assert fetch("?ordering=-due_at")[1] == ["later", "late"]
    for index in range(10):
        make_activity(org.workspace, org.rep, subject=f"a{index}", deal=deal)
    assert fetch()[0] == few
