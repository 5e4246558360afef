"""GET /api/v1/funnel, /funnel/bottlenecks and /forecast: the same numbers as the pages, and clean errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Org
from voronka.crm.tests.factories import make_pipeline
from voronka.funnel.params import parse_period
from voronka.funnel.selectors.bottlenecks import bottleneck_scan
from voronka.funnel.selectors.forecast import forecast_report
from voronka.funnel.selectors.funnel import funnel_analyze

from .conftest import Demo, days_ago, plant_bottleneck, walk

pytestmark = pytest.mark.django_db


def _get(bearer, user, workspace, path: str, **params):
    return Client().get(f"/api/v1{path}", params, headers=bearer(user, workspace))


def test_funnel_api_equals_the_selector(demo: Demo, bearer) -> None:
    actor = demo.actor("manager@voronka.test")
    response = _get(bearer, actor.user, demo.workspace, "/funnel", period="this-year")
    assert response.status_code == 200, response.content
    body = response.json()
    value, period = parse_period("this-year", time_zone=demo.workspace.time_zone)
    report = funnel_analyze(actor=actor, pipeline=demo.pipeline(), period_param=value, period=period)
    assert body["pipeline"]["name"] == "Продажи B2B"
    assert body["period"] == {"value": "this-year", "label": period.label, "start": period.start.isoformat(),
                              "end": period.end.isoformat()}
    assert [s["reached"] for s in body["stages"]] == [s.reached for s in report.result.steps]
    assert [s["conversion"] for s in body["stages"]] == [s.conversion for s in report.result.steps]
    assert body["deals"] == report.result.deals and body["won"] == report.result.won
    assert sum(r["deals"] for s in body["stages"] for r in s["lost_reasons"]) == report.result.lost
    assert body["velocity"]["per_month"] == pytest.approx(report.result.velocity.per_day * 30)
    assert body["cohorts"][0]["month"].startswith(str(period.start.year))


def test_bottlenecks_api_explains_each_finding(demo: Demo, bearer) -> None:
    actor = demo.actor("admin@voronka.test")
    body = _get(bearer, actor.user, demo.workspace, "/funnel/bottlenecks", period="last-year").json()
    value, period = parse_period("last-year", time_zone=demo.workspace.time_zone)
    report = bottleneck_scan(actor=actor, pipeline=demo.pipeline(), period_param=value, period=period)
    assert body["tested"] == report.tested and len(body["findings"]) == len(report.findings)
    for finding, expected in zip(body["findings"], report.findings, strict=True):
        assert finding["q"] == pytest.approx(expected.comparison.q) and finding["q"] < 0.05
        assert finding["explanation"]
    conversion = [f for f in body["findings"] if f["kind"] == "conversion"]
    assert [f["rank"] for f in body["findings"]] == list(range(1, len(body["findings"]) + 1))
    assert conversion == sorted(conversion, key=lambda f: -f["revenue_lost"])


def test_forecast_api(demo: Demo, bearer) -> None:
    actor = demo.actor("admin@voronka.test")
    body = _get(bearer, actor.user, demo.workspace, "/forecast").json()
    value, period = parse_period("this-quarter", time_zone=demo.workspace.time_zone)
    report = forecast_report(actor=actor, period_param=value, period=period)
    assert body["period"]["value"] == "this-quarter" and body["pipeline"] is None
    assert body["open_deals"] == report.open_deals > 0
    assert body["p10"] <= body["p50"] <= body["p90"]
    assert body["p50"] == pytest.approx(report.simulation.p50)  # seeded: the same run
    assert sum(m["deals"] for m in body["months"]) == report.open_deals
    assert body["accuracy"]["snapshots"] == []


def test_a_planted_bottleneck_comes_first_in_english_and_russian(org: Org, bearer) -> None:
    # Given the southern rep losing twice as many deals at Lead as the northern rep
    pipeline = make_pipeline(org.workspace)
    plant_bottleneck(org, pipeline)
    # When the manager asks for the bottlenecks, in English and in Russian
    english = _get(bearer, org.manager, org.workspace, "/funnel/bottlenecks", period="this-year").json()
    russian = Client().get("/api/v1/funnel/bottlenecks", {"period": "this-year"},
                           headers={**bearer(org.manager, org.workspace), "Accept-Language": "ru"}).json()
    # Then the southern rep at Lead is first, explained with its q-value and money in each language's format
    top = english["findings"][0]
    assert (top["dimension"], top["slice"], top["stage"]) in {
        ("owner", f"owner:{org.rep_south.pk}", "Lead"), ("team", f"team:{org.south.pk}", "Lead")}
    assert top["value"] == pytest.approx(0.4) and top["company"] == pytest.approx(0.6)
    assert top["more_losses"] == pytest.approx(0.6 / 0.4 - 1)
    assert "50% more deals at Lead than the company (q < 0.001)" in top["explanation"]
    assert "per quarter" in top["explanation"]
    assert "q < 0,001" in russian["findings"][0]["explanation"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/funnel", {"period": "yesterday"}, "period"),
    ("/funnel", {"slice": "colour:red"}, "slice"),
    ("/funnel", {"slice": "team:abc"}, "slice"),
    ("/funnel", {"slice": "team:999999"}, "slice"),
    ("/funnel", {"pipeline": "x"}, "pipeline"),
    ("/funnel", {"pipeline": "0"}, "pipeline"),
    ("/funnel", {"pipeline": str(2**70)}, "pipeline"),
    ("/funnel", {"period": "x" * 50}, "period"),
    ("/funnel/bottlenecks", {"period": "2026-13"}, "period"),
    ("/forecast", {"period": "last-decade"}, "period"),
])
def test_bad_input_is_a_422_with_the_field(org: Org, bearer, path: str, params: dict, field: str) -> None:
    make_pipeline(org.workspace)
    response = _get(bearer, org.admin, org.workspace, path, **params)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]


def test_without_a_pipeline_the_funnel_says_so(org: Org, bearer) -> None:
    response = _get(bearer, org.admin, org.workspace, "/funnel")
    assert response.status_code == 404 and response.json()["code"] == "no_pipeline"
    assert _get(bearer, org.admin, org.workspace, "/forecast").status_code == 200


def test_an_empty_period_is_a_valid_empty_funnel(org: Org, bearer) -> None:
    pipeline = make_pipeline(org.workspace)
    walk(pipeline, org.rep, ["Lead"], days_ago(5))
    body = _get(bearer, org.admin, org.workspace, "/funnel", period="2001-Q1").json()
    assert body["deals"] == 0 and body["notices"][0]["code"] == "no_deals"
    assert body["notices"][0]["message"]


def test_visibility_applies_to_the_api(org: Org, bearer) -> None:
    pipeline = make_pipeline(org.workspace)
    walk(pipeline, org.rep, ["Lead", "Qualified"], days_ago(3))
    walk(pipeline, org.rep_south, ["Lead", "Lost"], days_ago(3))
    rep = _get(bearer, org.rep, org.workspace, "/funnel", period="this-year").json()
    admin = _get(bearer, org.admin, org.workspace, "/funnel", period="this-year").json()
    assert (rep["deals"], rep["lost"], admin["deals"], admin["lost"]) == (1, 0, 2, 1)
    forecast_rep = _get(bearer, org.rep, org.workspace, "/forecast").json()
    forecast_admin = _get(bearer, org.admin, org.workspace, "/forecast").json()
    assert (forecast_rep["open_deals"], forecast_admin["open_deals"]) == (1, 1)
    assert dt.date.fromisoformat(forecast_rep["period"]["start"]) <= timezone.now().date()
