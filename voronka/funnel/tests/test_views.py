"""The funnel pages: every role sees its own numbers, empty states explain, bad input never fails, few queries."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Org
from voronka.core.navigation import Part
from voronka.crm.tests.factories import make_pipeline
from voronka.funnel.views import nav_entries

from .conftest import Demo, days_ago, walk

pytestmark = pytest.mark.django_db
PAGES = ["funnel:funnel", "funnel:bottlenecks", "funnel:stalled", "funnel:forecast", "funnel:model"]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _figures(html: str) -> dict[str, dict]:
    """The plotly figures a page embeds with json_script."""
    found = re.findall(r'<script id="(figure-[a-z]+)" type="application/json">(.*?)</script>', html, re.S)
    return {name: json.loads(body) for name, body in found}


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_every_role_opens_every_page(org: Org, name: str, role: str) -> None:
    pipeline = make_pipeline(org.workspace)
    walk(pipeline, org.rep, ["Lead", "Qualified", "Won"], days_ago(40))
    response = _client(getattr(org, role)).get(reverse(name))
    assert response.status_code == 200
    assert "funnel-tabs" in response.content.decode()


def test_funnel_page_shows_charts_and_tables_of_the_demo(demo: Demo) -> None:
    client = _client(demo.actor("manager@voronka.test").user)
    response = client.get(reverse("funnel:funnel"), {"period": "this-year"})
    html = response.content.decode()
    assert response.status_code == 200
    figures = _figures(html)
    assert set(figures) == {"figure-funnel", "figure-sankey", "figure-time", "figure-lost"}
    report = response.context["report"]
    assert figures["figure-funnel"]["data"][0]["x"] == [s.reached for s in report.result.steps]
    assert figures["figure-sankey"]["data"][0]["type"] == "sankey"
    assert 'id="funnel-stages"' in html and 'id="funnel-cohorts"' in html and 'id="funnel-lost-reasons"' in html
    assert "plotly.min.js" in html and "funnel/js/charts.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_htmx_filter_change_swaps_only_the_results(demo: Demo) -> None:
    client = _client(demo.actor("admin@voronka.test").user)
    response = client.get(reverse("funnel:funnel"), {"period": "this-year", "slice": "channel:1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert 'hx-swap-oob="true"' in html  # the tabs carry the new filters


def test_empty_states(org: Org) -> None:
    client = _client(org.admin)
    html = client.get(reverse("funnel:funnel")).content.decode()
    assert 'id="funnel-no-pipeline"' in html
    make_pipeline(org.workspace)
    assert 'id="funnel-empty"' in client.get(reverse("funnel:funnel")).content.decode()
    assert 'id="bottlenecks-none"' in client.get(reverse("funnel:bottlenecks")).content.decode()
    assert 'id="stalled-none"' in client.get(reverse("funnel:stalled")).content.decode()
    assert 'id="model-none"' in client.get(reverse("funnel:model")).content.decode()
    forecast = client.get(reverse("funnel:forecast")).content.decode()
    assert "No forecast was recorded" in forecast


@pytest.mark.parametrize("query", [
    {"period": "yesterday"}, {"period": "2026-Q9"}, {"period": "1812"}, {"slice": "evil"}, {"slice": "team:x"},
    {"slice": "team:99999999"}, {"slice": "owner:" + "9" * 30}, {"page": "-3"}, {"page": "x"},
    {"period": "\x00"}, {"slice": "lead_source:" + "x" * 500},
])
@pytest.mark.parametrize("name", PAGES)
def test_bad_input_is_a_message_never_a_500(org: Org, name: str, query: dict[str, str]) -> None:
    pipeline = make_pipeline(org.workspace)
    walk(pipeline, org.rep, ["Lead", "Qualified"], days_ago(10))
    response = _client(org.admin).get(reverse(name), query)
    assert response.status_code == 200


def test_a_bad_period_says_so_and_shows_the_default(org: Org) -> None:
    make_pipeline(org.workspace)
    html = _client(org.admin).get(reverse("funnel:funnel"), {"period": "yesterday"}).content.decode()
    assert "funnel-input-error" in html and "Showing the default instead." in html


@pytest.mark.parametrize("name", ["funnel:funnel", "funnel:bottlenecks", "funnel:stalled", "funnel:forecast"])
def test_another_workspaces_pipeline_is_404(org: Org, other_org: Org, name: str) -> None:
    foreign = make_pipeline(other_org.workspace)
    response = _client(org.admin).get(reverse(name), {"pipeline": foreign.pk})
    assert response.status_code == 404


def test_a_rep_sees_only_their_deals_on_the_funnel(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    walk(pipeline, org.rep, ["Lead", "Qualified"], days_ago(5), title="Mine")
    walk(pipeline, org.rep_south, ["Lead", "Lost"], days_ago(5), title="Theirs")
    rep = _client(org.rep).get(reverse("funnel:funnel"), {"period": "this-year"}).context["result"]
    admin = _client(org.admin).get(reverse("funnel:funnel"), {"period": "this-year"}).context["result"]
    assert (rep.deals, admin.deals) == (1, 2)


def _count(client: Client, url: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", PAGES)
def test_queries_do_not_grow_with_deals(org: Org, name: str) -> None:
    pipeline = make_pipeline(org.workspace)
    client = _client(org.manager)
    query = {"period": "this-year"}
    walk(pipeline, org.rep, ["Lead", "Qualified", "Won"], days_ago(30))
    client.get(reverse(name), query)  # settle the session and the slice-options cache
    small = _count(client, reverse(name), query)
    for n in range(40):
        walk(pipeline, org.rep if n % 2 else org.rep_south, ["Lead", "Qualified", "Proposal", "Lost"],
             days_ago(60 + n), title=f"Deal {n}")
    large = _count(client, reverse(name), query)
    assert small == large
    assert large <= 20


def test_nav_entries_are_under_improve() -> None:
    entries = nav_entries()
    assert {e.url_name for e in entries} == set(PAGES)
    assert {e.part for e in entries} == {Part.IMPROVE}


def test_stalled_deals_link_to_deal_pages_with_owners(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)  # Lead allows 14 days
    old = walk(pipeline, org.rep, ["Lead"], days_ago(30), title="Forgotten deal")
    walk(pipeline, org.rep, ["Lead"], days_ago(1), title="Fresh deal")
    response = _client(org.manager).get(reverse("funnel:stalled"))
    html = response.content.decode()
    assert reverse("crm:deal-detail", args=[old.pk]) in html
    assert "Fresh deal" not in html
    owners = response.context["report"].owners
    assert [(o.owner_id, o.deals) for o in owners] == [(org.rep.pk, 1)]
    assert org.rep.display_name in html


def test_forecast_page_shows_the_range(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = walk(pipeline, org.rep, ["Lead", "Negotiation"], days_ago(5), amount=10_000)
    deal.expected_close_date = timezone.now().date() + dt.timedelta(days=3)
    deal.save(update_fields=["expected_close_date"])
    response = _client(org.admin).get(reverse("funnel:forecast"), {"period": "this-quarter"})
    html = response.content.decode()
    assert 'id="forecast-p50"' in html and 'id="forecast-range"' in html
    assert set(_figures(html)) >= {"figure-months", "figure-range"}


@pytest.mark.parametrize("value", ["x", "9" * 30, "-1", "0"])
def test_a_malformed_pipeline_is_404_not_500(org: Org, value: str) -> None:
    make_pipeline(org.workspace)
    for name in ("funnel:funnel", "funnel:bottlenecks", "funnel:stalled", "funnel:forecast"):
        assert _client(org.admin).get(reverse(name), {"pipeline": value}).status_code == 404
