"""Reports in a real browser: a sales manager builds revenue and deals won by channel for last quarter,
sees the table and the chart, exports CSV and XLSX, saves the report and subscribes to it weekly;
in English and in Russian. With SCREENSHOTS=1 it also saves the pages at desktop and phone width."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MANAGER = "manager@acme.test"


def _quarter(people: Any) -> dict[str, Any]:
    """A manager over the reps' team and last quarter's deals in two channels (and one without)."""
    from voronka.accounts.models import Membership, Team, Workspace
    from voronka.accounts.roles import Role
    from voronka.accounts.tests.factories import MembershipFactory, UserFactory
    from voronka.analytics.report_periods import preset_range
    from voronka.analytics.selectors.reports import local_today
    from voronka.channels.models import SalesChannel
    from voronka.crm.models import Deal
    from voronka.crm.tests.factories import make_deal, make_pipeline

    workspace = Workspace.objects.get(slug="acme-co")
    north = Team.unscoped.get(workspace=workspace, name="North")
    manager = UserFactory(email=MANAGER, full_name="Mila Manager")
    MembershipFactory(workspace=workspace, user=manager, role=Role.MANAGER,
                      team=Team.unscoped.get(workspace=workspace, name="Sales"))
    rep = Membership.unscoped.get(workspace=workspace, user__email=people.rep_email).user
    start, _end = preset_range("last_quarter", local_today(workspace))
    moment = dt.datetime.combine(start + dt.timedelta(days=20), dt.time(12), tzinfo=ZoneInfo(workspace.time_zone))
    shop = SalesChannel.unscoped.create(workspace=workspace, name="Интернет-магазин", kind="online_store",
                                        fee_percent=Decimal("3"), fixed_cost_per_month=Decimal("1500"),
                                        acquisition_cost=Decimal("300"))
    partners = SalesChannel.unscoped.create(workspace=workspace, name="Partners", kind="partner",
                                            acquisition_cost=Decimal("2500"))
    pipeline = make_pipeline(workspace)
    for n, (amount, channel) in enumerate([(12000, shop), (8000, shop), (30000, partners), (500, None)]):
        deal = make_deal(pipeline, rep, stage_name="Won", amount=amount, channel=channel, created_at=moment)
        Deal.unscoped.filter(pk=deal.pk).update(created_at=moment - dt.timedelta(days=9 + 7 * n),
                                                cost=Decimal(amount) * Decimal("0.4"))
    make_deal(pipeline, rep, stage_name="Lost", amount=999, channel=partners, created_at=moment)
    assert Deal.unscoped.filter(team=north).count() == 5
    return {"workspace": workspace, "manager": manager}


def _build_report(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/analytics/reports/")
    form = page.locator("#report-form")
    for box in form.locator("#report-metrics input[type=checkbox]").all():
        box.uncheck()
    for box in form.locator("#report-slices input[type=checkbox]").all():
        box.uncheck()
    form.locator("#report-metrics input[value=revenue]").check()
    form.locator("#report-metrics input[value=deals_won]").check()
    form.locator("#report-slices input[value=channel]").check()
    page.select_option("#id_granularity", "total")
    page.select_option("#id_period", "last_quarter")
    expect(page.locator("#id_date_from")).to_be_hidden()  # only for custom dates
    page.click("#report-show")
    page.locator("#report-table").wait_for()


def _table(page: Any) -> list[list[str]]:
    return [[cell.inner_text().strip() for cell in row.locator("td").all()]
            for row in page.locator("#report-table tbody tr").all()]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_manager_builds_exports_saves_and_subscribes(page, live_server, people, log_in, csp_violations, language):
    from voronka.analytics.models import ReportSubscription, SavedReport

    data = _quarter(people)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    log_in(MANAGER, people.password)

    # build: revenue and deals won by channel, last quarter (htmx swaps the result in, the URL follows)
    _build_report(page, live_server)
    # (metrics come in the catalogue's order: deals won, then revenue; rows biggest first by the first one)
    expect(page).to_have_url(re.compile(r"metrics=deals_won&metrics=revenue&slices=channel"))
    money = {"en": ["₽30,000.00", "₽20,000.00", "₽500.00"],
             "ru": ["30\u00a0000,00\u00a0₽", "20\u00a0000,00\u00a0₽", "500,00\u00a0₽"]}[language]
    with translation.override(language):
        none = gettext("(not set)")  # the row of deals without a channel
    assert _table(page) == [["Интернет-магазин", "2", money[1]], ["Partners", "1", money[0]], [none, "1", money[2]]]
    # the charts are drawn by plotly (one per metric)
    expect(page.locator("#report-charts .plotly-chart.plotly-ready")).to_have_count(2)
    expect(page.locator("#report-chart-0-plot .main-svg").first).to_be_visible()

    # export CSV and XLSX: the same rows, numbers as numbers
    with page.expect_download() as csv_download:
        page.click("#report-export-csv")
    assert csv_download.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows[0]) == 3
    assert rows[1:] == [["Интернет-магазин", "2", "20000.00"], ["Partners", "1", "30000.00"], [none, "1", "500.00"]]
    with page.expect_download() as xlsx_download:
        page.click("#report-export-xlsx")
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes())).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1:] == [
        ["Интернет-магазин", 2, 20000], ["Partners", 1, 30000], [none, 1, 500]]

    # save it, shared with nobody
    page.fill("#id_name", "Revenue by channel")
    page.click("#report-save")
    page.locator("#report-title", has_text="Revenue by channel").wait_for()
    report = SavedReport.unscoped.get(owner=data["manager"])
    assert report.spec["metrics"] == ["deals_won", "revenue"]
    assert report.spec["period"] == "last_quarter"
    assert _table(page)[0][0] == "Интернет-магазин"

    # subscribe weekly, on Fridays
    page.click("#report-subscribe")
    page.select_option("#id_weekday", "4")
    page.click("#report-subscribe-save")
    page.locator("#report-subscribed").wait_for()
    subscription = ReportSubscription.unscoped.get(report=report)
    assert (subscription.user_id, subscription.weekday) == (data["manager"].pk, 4)

    # the saved list shows it with its weekly day
    page.click("#report-saved-link")
    expect(page.locator("#saved-reports tbody tr")).to_have_count(1)
    assert csp_violations == []


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to take screenshots")
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_screenshots(page, live_server, people, log_in, csp_violations, language, screen):
    from voronka.analytics.models import SavedReport

    data = _quarter(people)
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[screen])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    log_in(MANAGER, people.password)
    _build_report(page, live_server)
    page.wait_for_timeout(500)
    page.screenshot(path=str(folder / f"reports-builder-{language}-{screen}.png"), full_page=True)
    report = SavedReport.unscoped.create(workspace=data["workspace"], owner=data["manager"], name="Revenue by channel",
                                         spec={"metrics": ["revenue", "deals_won"], "slices": ["channel"],
                                               "granularity": "total", "period": "last_quarter", "filters": {}})
    for name, path in {"saved": "/analytics/reports/saved/",
                       "subscribe": f"/analytics/reports/{report.pk}/subscribe/",
                       "channels": "/analytics/channels/",
                       "errors": "/analytics/reports/?metrics=new_leads&slices=pipeline&period=custom"
                                 "&date_from=2026-06-30&date_to=2026-01-01"}.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_timeout(500)
        page.screenshot(path=str(folder / f"reports-{name}-{language}-{screen}.png"), full_page=True)
    assert csp_violations == []
