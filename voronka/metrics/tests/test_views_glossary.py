"""The metric glossary page: every metric explained, searchable with a plain GET, in English and Russian."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from conftest import Org
from voronka.core.navigation import registered, visible_parts
from voronka.metrics.catalogue import metrics_all, slices_all

URL = "/metrics/"


def page(org: Org, who: str = "rep", language: str = "en", **params: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(getattr(org, who))
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def shown_keys(html: str) -> list[str]:
    return re.findall(r'<article class="card h-100" id="metric-([a-z_]+)"', html)


def test_the_url_name():
    assert reverse("metrics:glossary") == URL


@pytest.mark.parametrize("who", ["admin", "manager", "rep", "marketer"])
def test_every_role_reads_every_metric_with_its_definition(org, who):
    html = page(org, who)
    assert shown_keys(html) == [m.key for m in metrics_all()]
    for metric in metrics_all():
        assert str(metric.name) in html
        assert str(metric.description).replace("'", "&#x27;") in html
    assert "Money, RUB" in html and "Share, %" in html and "Days" in html
    assert "Lower is better" in html and "Higher is better" in html
    for slice_ in slices_all():
        assert f"<code>{slice_.key}</code>" in html


def test_a_metric_card_lists_its_slices_and_direction(org):
    html = page(org)
    card = html[html.index('id="metric-stalled_deals"'):]
    card = card[:card.index("</article>")]
    assert "A snapshot of now, no history" in card
    assert "Lower is better" in card
    assert re.findall(r'<span class="badge[^"]*">([^<]+)</span>', card) == [
        "Owner", "Team", "Pipeline", "Sales channel", "Lead source", "Industry"]
    conversion = html[html.index('id="metric-stage_conversion"'):]
    assert "Always broken down by: Stage" in conversion[:conversion.index("</article>")]


@pytest.mark.parametrize(("q", "expected"), [
    ("margin", ["gross_margin"]),
    ("MARGIN", ["gross_margin"]),
    ("won period", ["deals_won", "revenue", "win_rate", "gross_profit", "sales_cycle"]),
    ("activity type", ["activities_done"]),
    ("stalled_deals", ["stalled_deals"]),
    ("", [m.key for m in metrics_all()]),
])
def test_search_keeps_metrics_with_every_word(org, q, expected):
    html = page(org, q=q)
    assert shown_keys(html) == expected
    assert f"Shown: {len(expected)} of {len(metrics_all())}" in html


def test_a_search_with_no_match_says_so_and_escapes_the_words(org):
    html = page(org, q='<script>alert("x")</script>')
    assert shown_keys(html) == []
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'id="glossary-empty"' in html


def test_a_very_long_search_is_cut_not_refused(org):
    html = page(org, q="margin" + " " * 10 + "x" * 5000)
    assert shown_keys(html) == []


def test_russian_page_uses_the_russian_catalogue(org):
    html = page(org, language="ru")
    assert '<html lang="ru">' in html
    with translation.override("ru"):
        names = [str(m.name) for m in metrics_all()]
    for name in names:
        assert name in html


def test_search_matches_the_language_shown(org):
    with translation.override("ru"):
        name = str(next(m for m in metrics_all() if m.key == "win_rate").name)
    assert shown_keys(page(org, language="ru", q=name)) == ["win_rate"]


def test_the_menu_lists_the_glossary_under_improve(org):
    entry = next(e for e in registered() if e.url_name == "metrics:glossary")
    assert (entry.part.value, entry.capability) == ("improve", "metrics.view")
    parts = visible_parts(lambda capability: True)
    assert any(link.url == URL for part in parts for link in part.links)


def test_the_page_costs_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    client = Client()
    client.force_login(org.rep)
    client.get(URL)
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"q": "revenue"}).status_code == 200


def test_anonymous_is_sent_to_log_in(org):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
