"""The goals API: progress in the read schema, the SMART check, splits, and 4xx JSON with codes for bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.goals.models import Alert, AlertRule, Goal, Notification, Objective

from .factories import at, goal, objective, won

NOW = at("2026-11-15", 12)


@pytest.fixture
def frozen_now():  # type: ignore[no-untyped-def]
    with mock.patch("django.utils.timezone.now", return_value=NOW.astimezone(dt.UTC)):
        yield NOW


def _client(org: Org, user: Any, bearer: Any) -> tuple[Client, dict[str, str]]:
    return Client(), bearer(user, org.workspace)


def _post(client: Client, path: str, body: Any, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1{path}", data=body, content_type="application/json", headers=headers)


def _goal_body(org: Org, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"metric": "revenue", "scope": "team", "team_id": org.north.pk, "target": "900000",
                            "period_kind": "quarter", "period_start": "2026-10-01",
                            "objective_id": objective(org.workspace).pk}
    body.update(overrides)
    return body


def test_create_and_read_with_progress(org: Org, bearer: Any, frozen_now: Any) -> None:
    won(org.workspace, org.rep, "2026-10-10", 300_000)
    client, headers = _client(org, org.manager, bearer)
    response = _post(client, "/goals", _goal_body(org, pace="linear"), headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["metric"], body["scope"], body["team"]["name"], body["target"]) == ("revenue", "team", "North",
                                                                                     "900000.0000")
    progress = body["progress"]
    assert (progress["status"], progress["actual"], progress["expected"], progress["run_rate"],
            progress["elapsed_days"]) == ("off_track", "300000.00", "450000.00", "600000.00", 46)
    listed = client.get("/api/v1/goals?on=2026-11-15", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["count"] == 1
    assert listed["items"][0]["progress"]["actual"] == "300000.00"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"target": "lots"}, "target"),
    ({"target": -1}, "target"),
    ({"period_kind": "custom", "period_start": "2026-10-10", "period_end": "2026-10-01"}, "period_end"),
    ({"metric": "unknown"}, "metric"),
    ({"objective_id": None}, "objective_id"),
    ({"scope": "company"}, "scope"),  # the manager does not see the whole company
    ({"scope": "rep", "user_id": 10**6}, "user_id"),
])
def test_bad_input_answers_422_with_the_field(org: Org, bearer: Any, overrides: dict[str, Any], field: str) -> None:
    client, headers = _client(org, org.manager, bearer)
    response = _post(client, "/goals", _goal_body(org, **overrides), headers)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "goal_not_smart"
    assert field in response.json()["fields"]
    assert Goal.unscoped.count() == 0


@pytest.mark.parametrize("body", [
    {"metric": "revenue"},  # scope, target and period missing
    {"metric": "revenue", "scope": "team", "target": "1", "period_start": "soon"},
    {"metric": "revenue", "scope": "galaxy", "target": "1", "period_start": "2026-10-01"},
    {"metric": "revenue", "scope": "team", "target": "1", "period_start": "2026-10-01", "period_kind": "week"},
])
def test_malformed_payloads_are_422_validation_errors(org: Org, bearer: Any, body: dict[str, Any]) -> None:
    client, headers = _client(org, org.admin, bearer)
    response = _post(client, "/goals", body, headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert Goal.unscoped.count() == 0


def test_unrealistic_target_needs_confirm(org: Org, bearer: Any, frozen_now: Any) -> None:
    for month, amount in zip(range(1, 13, 2), (100, 120, 90, 110, 100, 105), strict=True):
        for year in (2025, 2026):
            if (year, month) < (2026, 10):
                won(org.workspace, org.rep, f"{year}-{month:02d}-10", amount * 1000)
    client, headers = _client(org, org.manager, bearer)
    response = _post(client, "/goals", _goal_body(org, target="5000000"), headers)
    assert response.status_code == 422
    assert response.json()["code"] == "target_unrealistic"
    assert response.json()["smart"]["needs_confirmation"] is True
    assert "target" in response.json()["fields"]
    confirmed = _post(client, "/goals", _goal_body(org, target="5000000", confirm=True), headers)
    assert confirmed.status_code == 201 and confirmed.json()["stretch_confirmed"] is True


def test_check_endpoint_explains_each_property(org: Org, bearer: Any) -> None:
    client, headers = _client(org, org.manager, bearer)
    response = _post(client, "/goals/check", {"metric": "revenue", "scope": "team", "target": "abc"}, headers)
    assert response.status_code == 200
    body = response.json()
    levels = {item["key"]: item["level"] for item in body["items"]}
    assert levels == {"specific": "error", "measurable": "ok", "achievable": "pending", "relevant": "error",
                      "time_bound": "error"}
    assert body["fields"]["target"] == ["Enter a number."]
    saved = goal(org.workspace, scope="team", team=org.north)
    smart = client.get(f"/api/v1/goals/{saved.pk}/smart", headers=headers).json()
    assert {item["key"]: item["level"] for item in smart["items"]}["relevant"] == "error"


def test_split_preview_then_save(org: Org, bearer: Any, frozen_now: Any) -> None:
    won(org.workspace, org.rep, "2026-05-05", 300)
    won(org.workspace, org.rep_south, "2026-05-05", 100)
    parent = goal(org.workspace, scope="team", team=org.sales, target="1000.01")
    client, headers = _client(org, org.manager, bearer)
    preview = _post(client, f"/goals/{parent.pk}/split", {"dry_run": True}, headers)
    assert preview.status_code == 200
    assert [(r["label"], r["target"]) for r in preview.json()["rows"]] == [("North", "750.01"), ("South", "250.00")]
    assert preview.json()["saved"] is False and Goal.unscoped.count() == 1
    saved = _post(client, f"/goals/{parent.pk}/split", {"mode": "equal"}, headers)
    assert saved.status_code == 201
    assert saved.json()["total"] == "1000.01" and saved.json()["sums_to_target"] is True
    assert [r["target"] for r in saved.json()["rows"]] == ["500.01", "500.00"]
    assert all(r["goal_id"] for r in saved.json()["rows"])
    again = _post(client, f"/goals/{parent.pk}/split", {}, headers)
    assert (again.status_code, again.json()["code"]) == (422, "already_split")
    bad = _post(client, f"/goals/{parent.pk}/split", {"children": ["x"]}, headers)
    assert bad.status_code == 422


def test_update_conflict_and_archive(org: Org, bearer: Any) -> None:
    saved = goal(org.workspace, scope="team", team=org.north, objective=objective(org.workspace))
    client, headers = _client(org, org.manager, bearer)
    stale = client.patch(f"/api/v1/goals/{saved.pk}", data={"version": 7, "target": "1"},
                         content_type="application/json", headers=headers)
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert client.delete(f"/api/v1/goals/{saved.pk}", headers=headers).status_code == 204
    assert Goal.unscoped.get().status == "archived"
    listed = client.get("/api/v1/goals?status=archived&progress=false", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [saved.pk] and listed["items"][0]["progress"] is None


def test_rules_alerts_and_notifications(org: Org, bearer: Any) -> None:
    client, headers = _client(org, org.manager, bearer)
    created = _post(client, "/alert-rules", {"name": "North MTD", "metric": "revenue", "scope": "team",
                                              "team_id": org.north.pk, "threshold": "1000"}, headers)
    assert created.status_code == 201, created.content
    assert created.json()["recipient_ids"] == [org.manager.pk]
    bad = _post(client, "/alert-rules", {"name": "x", "metric": "revenue", "threshold": "abc", "scope": "team",
                                          "team_id": org.north.pk}, headers)
    assert bad.status_code == 422 and "threshold" in bad.json()["fields"]
    watched = AlertRule.unscoped.get()
    alert = Alert.unscoped.create(workspace=org.workspace, rule=watched, window_key="mtd:2026-11",
                                  fired_at=NOW, value=Decimal("5"), limit=Decimal("1000"),
                                  details={"kind": "threshold", "comparison": "below", "window": "month_to_date",
                                           "window_label": "2026-11-01 – 2026-11-15", "unit": "money"})
    note = Notification.unscoped.create(workspace=org.workspace, alert=alert, user=org.manager)
    alerts = client.get("/api/v1/alerts", headers=headers).json()
    assert alerts["count"] == 1
    assert alerts["items"][0]["message"] == ("Revenue for team North, Month to date (2026-11-01 – 2026-11-15): "
                                             "₽5.00, below the threshold ₽1,000.00.")
    acked = _post(client, f"/alerts/{alert.pk}/acknowledge", {}, headers)
    assert acked.status_code == 200 and acked.json()["acknowledged_by_id"] == org.manager.pk
    notes = client.get("/api/v1/notifications?unread=true", headers=headers).json()
    assert notes["count"] == 0  # acknowledging read it too
    assert Notification.unscoped.get(pk=note.pk).read_at is not None
    # the southern rep neither sees the alert nor may read the manager's notification
    rep_client, rep_headers = _client(org, org.rep_south, bearer)
    assert rep_client.get("/api/v1/alerts", headers=rep_headers).json()["count"] == 0
    assert _post(rep_client, f"/notifications/{note.pk}/read", {}, rep_headers).status_code == 404
    assert rep_client.get(f"/api/v1/alerts/{alert.pk}", headers=rep_headers).status_code in (404, 405)


def test_objectives(org: Org, bearer: Any) -> None:
    client, headers = _client(org, org.manager, bearer)
    created = _post(client, "/objectives", {"title": "  Grow  ", "description": "why"}, headers)
    assert created.status_code == 201 and created.json()["title"] == "Grow"
    empty = _post(client, "/objectives", {"title": "   "}, headers)
    assert empty.status_code == 422 and "title" in empty.json()["fields"]
    changed = client.patch(f"/api/v1/objectives/{created.json()['id']}", data={"version": 1, "is_active": False},
                           content_type="application/json", headers=headers)
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    assert Objective.unscoped.count() == 1


def test_goal_list_costs_a_fixed_number_of_queries(org: Org, bearer: Any, frozen_now: Any) -> None:
    won(org.workspace, org.rep, "2026-10-10", 300_000)
    client, headers = _client(org, org.admin, bearer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/goals", headers=headers).status_code == 200
        return len(queries)

    goal(org.workspace, scope="team", team=org.north)
    count()  # the token's first use writes its last-used time
    one = count()
    for team in (org.south, org.sales):
        goal(org.workspace, scope="team", team=team)
    goal(org.workspace, scope="rep", user=org.rep, team=org.north)
    goal(org.workspace)
    # goals of one metric and period share their metric queries and the team tree
    assert count() == one
