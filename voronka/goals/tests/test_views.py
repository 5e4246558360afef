"""Goals pages: list with progress, the form and its live SMART checklist, the goal page and chart, split,
objectives, alert rules, alert history and notifications; field errors, query counts."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.goals.models import Alert, AlertRule, Goal, Notification, Objective

from .factories import at, goal, objective, rule, won

NOW = at("2026-11-15", 12)
pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture(autouse=True)
def frozen_now():  # type: ignore[no-untyped-def]
    with mock.patch("django.utils.timezone.now", return_value=NOW.astimezone(dt.UTC)):
        yield NOW


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(org: Org, **overrides: Any) -> dict[str, Any]:
    data = {"metric": "revenue", "scope": "team", "team_id": org.north.pk, "user_id": "", "target": "900000",
            "period_kind": "quarter", "period_start": "2026-10-01", "period_end": "",
            "objective_id": objective(org.workspace).pk, "pace": "seasonal"}
    data.update(overrides)
    return data


def test_list_shows_progress_and_status(org: Org) -> None:
    won(org.workspace, org.rep, "2026-10-10", 300_000)
    north = goal(org.workspace, scope="team", team=org.north, pace="linear")
    goal(org.workspace, scope="team", team=org.south, start="2026-07-01", end="2026-09-30")  # not running today
    html = _client(org.manager).get("/goals/").content.decode()
    assert f'data-goal="{north.pk}"' in html and html.count("data-goal=") == 1
    assert "₽300,000.00" in html and 'data-status="off_track"' in html
    assert "goal-w-33" in html and "goal-at-50" in html  # a third done, half expected
    every = _client(org.manager).get("/goals/?period=all&scope=team").content.decode()
    assert every.count("data-goal=") == 2


def test_list_costs_a_fixed_number_of_queries(org: Org) -> None:
    client = _client(org.admin)
    client.get("/goals/")
    goal(org.workspace, scope="team", team=org.north)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/goals/").status_code == 200
        return len(queries)

    one = count()
    for team in (org.south, org.sales):
        goal(org.workspace, scope="team", team=team)
    goal(org.workspace, scope="rep", user=org.rep, team=org.north)
    goal(org.workspace, metric="deals_won", target="10")
    # a second metric adds its own reads (actual, three past years), each with the rollups' coverage and
    # change markers; the rest is shared
    assert count() == one + 4 * 2


def test_rep_sees_only_own_goals(org: Org) -> None:
    mine = goal(org.workspace, scope="rep", user=org.rep, team=org.north)
    theirs = goal(org.workspace, scope="rep", user=org.rep_south, team=org.south)
    team = goal(org.workspace, scope="team", team=org.north)
    html = _client(org.rep).get("/goals/").content.decode()
    assert f'data-goal="{mine.pk}"' in html
    assert f'data-goal="{theirs.pk}"' not in html and f'data-goal="{team.pk}"' not in html
    assert _client(org.rep).get(f"/goals/{theirs.pk}/").status_code == 404
    assert "New goal" not in html


def test_create_through_the_form(org: Org) -> None:
    response = _client(org.manager).post("/goals/new/", _form(org))
    assert response.status_code == 302
    created = Goal.objects.get()
    assert response["Location"] == f"/goals/{created.pk}/"
    assert (created.team_id, created.target, created.period_end) == (org.north.pk, Decimal("900000"),
                                                                    dt.date(2026, 12, 31))


def test_field_errors_are_shown_and_nothing_is_saved(org: Org) -> None:
    client = _client(org.manager)
    response = client.post("/goals/new/", _form(org, target="lots", period_kind="custom", period_start="2026-10-10",
                                                 period_end="2026-10-01"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a number." in html and "The period ends before it starts." in html
    assert 'id="id_target"' in html and "is-invalid" in html
    foreign = client.post("/goals/new/", _form(org, team_id=999_999))
    assert foreign.status_code == 422 and "Choose a team whose numbers you can see." in foreign.content.decode()
    assert Goal.objects.count() == 0


def test_a_ratio_target_is_typed_as_a_percentage(org: Org) -> None:
    response = _client(org.admin).post("/goals/new/", _form(org, metric="win_rate", target="35"))
    assert response.status_code == 302
    assert Goal.objects.get().target == Decimal("0.35")
    edit = _client(org.admin).get(f"/goals/{Goal.objects.get().pk}/edit/").content.decode()
    assert 'value="35"' in edit


def test_live_smart_check_flags_an_unrealistic_target_and_saving_needs_confirmation(org: Org) -> None:
    for year in (2024, 2025, 2026):
        for month in (2, 5, 8, 11):
            if (year, month) < (2026, 10):
                won(org.workspace, org.rep, f"{year}-{month:02d}-10", 100_000)
    client = _client(org.manager)
    check = client.post("/goals/check/", _form(org, target="500000"), headers={"HX-Request": "true"})
    html = check.content.decode()
    assert check.status_code == 200
    assert 'data-smart="achievable" data-level="warning"' in html
    assert "above the best 5 %" in html and 'name="confirm"' in html
    refused = client.post("/goals/new/", _form(org, target="500000"))
    assert refused.status_code == 422 and Goal.objects.count() == 0
    assert client.post("/goals/new/", _form(org, target="500000", confirm="on")).status_code == 302
    assert Goal.objects.get().stretch_confirmed
    ok = client.post("/goals/check/", _form(org, target="100000")).content.decode()
    assert 'data-smart="achievable" data-level="ok"' in ok and 'name="confirm"' not in ok


def test_live_check_names_field_errors(org: Org) -> None:
    html = _client(org.manager).post("/goals/check/", {"metric": "revenue", "scope": "team", "target": "x"}
                                     ).content.decode()
    assert 'data-field="target"' in html and "Enter a number." in html
    assert 'data-smart="relevant" data-level="error"' in html


def test_goal_page_has_numbers_chart_and_parts(org: Org) -> None:
    won(org.workspace, org.rep, "2026-10-10", 300_000)
    won(org.workspace, org.rep, "2025-10-15", 100_000)
    won(org.workspace, org.rep, "2025-12-10", 300_000)
    parent = goal(org.workspace, scope="team", team=org.sales, target="900000", objective=objective(org.workspace))
    goal(org.workspace, scope="team", team=org.north, parent=parent, target="600000")
    goal(org.workspace, scope="team", team=org.south, parent=parent, target="300000")
    response = _client(org.manager).get(f"/goals/{parent.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="kpi-actual">₽300,000.00' in html
    assert 'id="kpi-expected">₽225,000.00' in html  # seasonal: 900,000 × 100k/400k
    assert 'id="kpi-forecast">₽1,200,000.00' in html  # run rate 300,000 ÷ ¼
    assert 'id="children-total">₽900,000.00' in html and "equals the target" in html
    figure = json.loads(re.search(r'<script id="goal-figure" type="application/json">(.*?)</script>', html,
                                  re.S).group(1))
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Linear pace", "Seasonal pace", "Actual", "Forecast"]
    assert figure["data"][2]["y"][-1] == 300_000.0 and figure["data"][3]["y"][-1] == 1_200_000.0
    assert "plotly/plotly.min.js" in html and "<script>" not in html


def test_goal_page_costs_a_fixed_number_of_queries(org: Org) -> None:
    parent = goal(org.workspace, scope="team", team=org.sales)
    client = _client(org.admin)
    client.get(f"/goals/{parent.pk}/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/goals/{parent.pk}/").status_code == 200
        return len(queries)

    before = count()
    for team in (org.north, org.south):
        goal(org.workspace, scope="team", team=team, parent=parent, target="1")
    assert count() == before  # the parts share the parent's reads


def test_split_preview_and_confirm(org: Org) -> None:
    won(org.workspace, org.rep, "2026-05-05", 300)
    won(org.workspace, org.rep_south, "2026-05-05", 100)
    parent = goal(org.workspace, scope="team", team=org.sales, target="1000.00")
    client = _client(org.manager)
    page = client.get(f"/goals/{parent.pk}/split/").content.decode()
    assert f'value="{org.north.pk}"' in page and "checked" in page
    data = {"mode": "history", "child_scope": "team", "teams": [org.north.pk, org.south.pk], "action": "preview"}
    preview = client.post(f"/goals/{parent.pk}/split/", data, headers={"HX-Request": "true"}).content.decode()
    assert 'data-target="750.00"' in preview and 'data-target="250.00"' in preview
    assert "add up to the target exactly" in preview and Goal.objects.count() == 1
    confirmed = client.post(f"/goals/{parent.pk}/split/", {**data, "action": "confirm"}, headers={"HX-Request": "true"})
    assert confirmed.status_code == 204 and confirmed["HX-Redirect"] == f"/goals/{parent.pk}/"
    assert sorted(Goal.objects.filter(parent=parent).values_list("target", flat=True)) == [Decimal("250.00"),
                                                                                        Decimal("750.00")]
    again = client.post(f"/goals/{parent.pk}/split/", {**data, "action": "confirm"})
    assert again.status_code == 422 and "already split" in again.content.decode()


def test_archive_asks_first(org: Org) -> None:
    target = goal(org.workspace, scope="team", team=org.north)
    client = _client(org.manager)
    assert "Archive goal" in client.get(f"/goals/{target.pk}/archive/").content.decode()
    assert Goal.objects.get().status == "active"
    assert client.post(f"/goals/{target.pk}/archive/").status_code == 302
    assert Goal.objects.get().status == "archived"


def test_objectives_page(org: Org) -> None:
    client = _client(org.manager)
    assert client.post("/goals/objectives/", {"title": "Win the north"}).status_code == 302
    assert client.post("/goals/objectives/", {"title": ""}).status_code == 400
    aim = Objective.objects.get()
    html = _client(org.rep).get("/goals/objectives/").content.decode()
    assert "Win the north" in html and 'id="objective-form"' not in html
    assert _client(org.rep).post("/goals/objectives/", {"title": "x"}).status_code == 403
    assert client.post(f"/goals/objectives/{aim.pk}/edit/", {"title": "Win", "version": 1}).status_code == 302
    assert Objective.objects.get().title == "Win" and Objective.objects.count() == 1


def test_rule_create_edit_delete(org: Org) -> None:
    client = _client(org.manager)
    data = {"name": "North MTD", "kind": "threshold", "metric": "win_rate", "scope": "team", "team_id": org.north.pk,
            "comparison": "below", "threshold": "25", "window": "month_to_date", "grain": "week",
            "history_periods": 12, "sigma": "3", "recipient_ids": [org.manager.pk], "is_active": "on"}
    assert client.post("/goals/alerts/rules/new/", data).status_code == 302
    created = AlertRule.objects.get()
    assert created.threshold == Decimal("0.25") and created.owner_id == org.manager.pk
    listing = client.get("/goals/alerts/rules/").content.decode()
    assert "North MTD" in listing and "25.0\u00a0%" in listing
    refused = client.post("/goals/alerts/rules/new/", {**data, "recipient_ids": [org.rep_south.pk]})
    assert refused.status_code == 422 and "may not see these numbers" in refused.content.decode()
    edited = client.post(f"/goals/alerts/rules/{created.pk}/edit/", {**data, "threshold": "30", "version": 1})
    assert edited.status_code == 302 and AlertRule.objects.get().threshold == Decimal("0.30")
    assert "cannot be undone" in client.get(f"/goals/alerts/rules/{created.pk}/delete/").content.decode()
    assert client.post(f"/goals/alerts/rules/{created.pk}/delete/").status_code == 302
    assert AlertRule.objects.count() == 0


def test_alert_history_acknowledge_and_notifications(org: Org) -> None:
    watched = rule(org.workspace, org.manager, scope="team", team=org.north)
    alert = Alert.objects.create(workspace=org.workspace, rule=watched, window_key="mtd:2026-11", fired_at=NOW,
                                 value=Decimal(5), limit=Decimal(1000),
                                 details={"kind": "threshold", "comparison": "below", "window": "month_to_date",
                                          "window_label": "2026-11-01 – 2026-11-15", "unit": "money"})
    Notification.objects.create(workspace=org.workspace, alert=alert, user=org.manager)
    client = _client(org.manager)
    history = client.get("/goals/alerts/").content.decode()
    assert "Revenue for team North" in history and "below the threshold ₽1,000.00" in history
    notes = client.get("/goals/notifications/").content.decode()
    assert 'data-read="0"' in notes
    assert client.post(f"/goals/alerts/{alert.pk}/acknowledge/").status_code == 302
    assert Alert.objects.get().acknowledged_by_id == org.manager.pk
    assert 'data-read="1"' in client.get("/goals/notifications/").content.decode()
    # the southern rep sees none of it
    assert "Revenue for team North" not in _client(org.rep_south).get("/goals/alerts/").content.decode()


def test_russian_pages_render(org: Org) -> None:
    goal(org.workspace, scope="team", team=org.north)
    client = _client(org.manager)
    client.cookies["django_language"] = "ru"
    for path in ("/goals/", "/goals/new/", "/goals/objectives/", "/goals/alerts/", "/goals/alerts/rules/",
                 "/goals/notifications/", f"/goals/{Goal.objects.get().pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="ru">' in response.content.decode()
