"""The channel comparison page: the hand-worked quarter in the table, drill-down links, charts, the
definitions, bad periods, roles, and a query budget."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from voronka.channels.models import SalesChannel

from .channel_fixtures import build_quarter

Q2 = "period=custom&date_from=2026-04-01&date_to=2026-06-30"


def url(query: str = "") -> str:
    return reverse("analytics:channels") + (f"?{query}" if query else "")


def row(html: str, key: str) -> list[str]:
    """A channel's cells across the page's two tables (leads and sales, then profit and costs)."""
    matches = re.findall(rf'<tr[^>]*data-channel="{key}">(.*?)</tr>', html, re.S)
    assert len(matches) == 2, key
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for match in matches for cell in re.findall(r"<td[^>]*>(.*?)</td>", match, re.S)]


def test_the_quarter_in_the_table(org, login_as, django_assert_max_num_queries):
    quarter = build_quarter(org)
    client = login_as(org.manager)
    client.get(url(Q2))
    with django_assert_max_num_queries(20):
        response = client.get(url(Q2))
    assert response.status_code == 200
    html = response.content.decode()
    # leads, lead→deal, deals, won, win rate, revenue, average check, cycle, gross profit after fees,
    # fixed costs, acquisition spend, profit after fixed costs, CAC, ROI
    assert row(html, quarter.shop.pk) == [
        "2", "50.0%", "3", "2", "66.7%", "₽15,000.00", "₽7,500.00", "33.0 d", "₽8,500.00",
        "₽3,000.00", "₽400.00", "₽5,500.00", "₽1,700.00", "150.0%"]
    assert row(html, quarter.partners.pk) == [
        "1", "0.0%", "2", "1", "100.0%", "₽20,000.00", "₽20,000.00", "29.6 d", "₽5,000.00",
        "₽0.00", "₽500.00", "₽5,000.00", "₽500.00", "900.0%"]
    assert row(html, quarter.idle.pk) == [
        "0", "—", "0", "0", "—", "₽0.00", "—", "—", "₽0.00", "₽900.00", "₽0.00", "-₽900.00", "—", "-100.0%"]
    assert row(html, "none")[3] == "1" and row(html, "none")[-1] == "—"
    assert row(html, "total") == [
        "3", "33.3%", "6", "4", "80.0%", "₽36,000.00", "₽9,000.00", "31.8 d", "₽14,500.00",
        "₽3,900.00", "₽900.00", "₽10,600.00", "₽1,200.00", "202.1%"]
    assert f'data-channel="{quarter.retired.pk}"' not in html  # inactive and quiet in the quarter
    assert "(Acquisition spend + fixed costs) ÷ customers won." in html
    assert "3.00 months" in html


def test_numbers_drill_down_to_their_rows(org, login_as):
    quarter = build_quarter(org)
    html = login_as(org.admin).get(url(Q2)).content.decode()
    shop = "".join(re.findall(rf'<tr[^>]*data-channel="{quarter.shop.pk}">(.*?)</tr>', html, re.S))
    links = re.findall(r'href="([^"]+)"', shop)
    base = "/analytics/drill/?metric={}&amp;date_from=2026-04-01&amp;date_to=2026-06-30&amp;granularity=total" \
           "&amp;bucket=total&amp;slice.channel=" + str(quarter.shop.pk)
    assert base.format("revenue") in links
    assert base.format("deals_won") in links  # deals won, and CAC / acquisition spend behind it
    assert base.format("gross_profit") in links  # gross profit, and ROI behind it
    total = re.search(r'<tr[^>]*data-channel="total">(.*?)</tr>', html, re.S).group(1)
    assert "/analytics/drill/?metric=revenue&amp;date_from=2026-04-01&amp;date_to=2026-06-30&amp;granularity=" \
           "total&amp;bucket=total\"" in total


def test_charts_are_json_for_charts_js(org, login_as):
    build_quarter(org)
    html = login_as(org.admin).get(url(Q2)).content.decode()
    for chart in ("channel-chart-revenue", "channel-chart-profit", "channel-chart-cac", "channel-chart-roi"):
        assert f'data-figure="{chart}"' in html
    roi = json.loads(re.search(r'<script id="channel-chart-roi" type="application/json">(.*?)</script>', html,
                               re.S).group(1))
    assert roi["data"][0]["y"] == ["Idle", "Shop", "Partners"]
    assert roi["data"][0]["x"] == [-100.0, 150.0, 900.0]
    assert "<script>" not in html.split("<main", 1)[1]  # no inline script


def test_a_rep_sees_own_numbers_only(org, login_as):
    quarter = build_quarter(org)
    html = login_as(org.rep).get(url(Q2)).content.decode()
    assert row(html, quarter.shop.pk)[3] == "2"
    assert row(html, quarter.partners.pk)[5] == "₽0.00"
    assert row(html, "total")[5] == "₽16,000.00"


@pytest.mark.parametrize(("query", "field", "message", "status"), [
    ("period=custom&date_from=2026-06-30&date_to=2026-04-01", "date_to", "The period ends before it starts.", 422),
    ("period=custom&date_from=2026-06-30", "date_to", "Enter a date as YYYY-MM-DD.", 400),
    ("period=custom&date_from=x&date_to=2026-06-30", "date_from", "Enter a valid date.", 400),
    ("period=always", "period", "Select a valid choice.", 400),
])
def test_bad_periods_are_field_errors(org, login_as, query, field, message, status):
    response = login_as(org.rep).get(url(query))
    assert response.status_code == status
    html = response.content.decode()
    assert message in re.search(rf'id="id_{field}-errors">(.*?)</div>', html, re.S).group(1)
    assert 'id="channel-table-sales"' not in html


def test_the_default_period_is_last_quarter(org, login_as):
    response = login_as(org.marketer).get(url())
    assert response.status_code == 200
    assert 'value="last_quarter" selected' in response.content.decode()


def test_without_costs_cac_and_roi_explain_what_is_missing(org, login_as):
    quarter = build_quarter(org)
    SalesChannel.unscoped.filter(workspace=org.workspace).update(fixed_cost_per_month=0, acquisition_cost=0)
    html = login_as(org.admin).get(url(Q2)).content.decode()
    assert 'id="channel-no-costs"' in html
    assert 'data-figure="channel-chart-revenue"' in html
    assert 'data-figure="channel-chart-roi"' not in html and 'data-figure="channel-chart-cac"' not in html
    assert row(html, quarter.shop.pk)[-1] == "—"  # ROI


def test_no_channels_and_no_deals_is_an_empty_state(org, login_as):
    SalesChannel.unscoped.filter(workspace=org.workspace).delete()
    html = login_as(org.admin).get(url(Q2)).content.decode()
    assert 'id="channel-empty"' in html


def test_htmx_gets_only_the_area(org, login_as):
    build_quarter(org)
    html = login_as(org.admin).get(url(Q2), HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="channel-area">')
