"""Dashboards in a real browser: range, edit (add, reorder, remove), save, share, drill down; en and ru.

Screenshots of the dashboard, the editor and the drill page at desktop and phone width are saved in
var/screenshots/ (dashboards-*.png) on every run.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(settings.VAR_DIR) / "screenshots"


def _sales(people: Any) -> dict[str, Any]:
    """Won, lost and open deals this month (and last year) for the admin and two reps, on two channels."""
    from voronka.accounts.models import User, Workspace
    from voronka.channels.models import SalesChannel
    from voronka.crm.models import Activity
    from voronka.crm.tests.factories import _team_of, make_deal, make_pipeline

    workspace = Workspace.objects.get(slug="acme-co")
    admin = User.objects.get(email=people.admin_email)
    reps = [User.objects.get(email=f"rep{n}@acme.test") for n in range(3)]
    pipeline = make_pipeline(workspace, name="B2B")
    web = SalesChannel.unscoped.create(workspace=workspace, name="Web")
    partners = SalesChannel.unscoped.create(workspace=workspace, name="Partners")
    now = timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def this_month(hours: int) -> dt.datetime:
        return max(month_start + dt.timedelta(hours=12), now - dt.timedelta(hours=hours))

    plan = [(admin, "Won", 120_000, 2, web), (reps[0], "Won", 45_500, 5, web), (reps[1], "Won", 80_000, 7, partners),
            (reps[2], "Lost", 30_000, 9, None), (reps[0], "Negotiation", 60_000, 3, web),
            (reps[1], "Proposal", 25_000, 4, partners), (reps[0], "Qualified", 10_000, 6, None)]
    for owner, stage_name, amount, hours, channel in plan:
        make_deal(pipeline, owner, stage_name=stage_name, amount=amount, created_at=this_month(hours),
                  channel=channel, expected_close_date=now.date(), title=f"{stage_name} {amount}")
    make_deal(pipeline, reps[0], stage_name="Won", amount=50_000, created_at=now - dt.timedelta(days=365),
              channel=web, title="Last year")
    for n, owner in enumerate(reps):
        Activity.unscoped.create(workspace=workspace, owner=owner, team=_team_of(workspace, owner), kind="call",
                                 subject=f"Call {n}", done_at=this_month(n + 1))
    return {"workspace": workspace, "admin": admin, "reps": reps}


def _wait_for_charts(page: Any) -> None:
    page.locator(".plotly-chart.plotly-ready .main-svg").first.wait_for()
    page.wait_for_function("document.querySelectorAll('.plotly-chart').length === "
                           "document.querySelectorAll('.plotly-chart.plotly-ready').length")


def _tile_order(page: Any) -> list[str]:
    return page.locator("#dashboard-tiles article").evaluate_all("nodes => nodes.map(n => n.dataset.metric)")


def test_edit_share_and_drill_down(page, browser, live_server, people, log_in, csp_violations):
    data = _sales(people)
    log_in(people.admin_email, people.password)
    page.goto(f"{live_server.url}/analytics/dashboards/")
    _wait_for_charts(page)
    assert _tile_order(page) == ["revenue", "deals_won", "win_rate", "average_check", "pipeline_value",
                                 "activities_done"]
    assert page.locator("#widget-0 .tile-value").inner_text() == "₽245,500"  # 120,000 + 45,500 + 80,000
    assert page.locator(".plotly-chart.plotly-ready").count() == 4

    # change the range: the page updates in place and the URL says so
    page.select_option("#id_range_preset", "this_year")
    expect(page).to_have_url(re.compile(r"range_preset=this_year"))
    expect(page.locator("#dashboard-period")).to_contain_text(f"01/01/{timezone.now().year}")
    _wait_for_charts(page)

    # edit: add a widget, move the first down, remove "Activities done", save
    page.click("#dashboard-edit")
    page.wait_for_url(re.compile(r"/analytics/dashboards/\d+/edit/$"))
    rows = page.locator("#widget-rows .widget-row:not(.is-removed)")
    expect(rows).to_have_count(10)
    page.click("#widget-add")
    expect(rows).to_have_count(11)
    new_row = rows.nth(10)
    new_row.locator("select[name$='-metric']").select_option("gross_profit")
    new_row.locator("select[name$='-chart']").select_option("bar")
    # the editor greys out breakdowns the metric does not support
    assert new_row.locator("select[name$='-slice'] option[value='activity_type']").is_disabled()
    new_row.locator("select[name$='-slice']").select_option("product")
    rows.nth(0).locator("[data-widget-action='down']").click()
    assert rows.nth(0).locator("select[name$='-metric']").input_value() == "deals_won"
    rows.nth(5).locator("[data-widget-action='remove']").click()  # activities_done
    expect(rows).to_have_count(10)
    page.fill("#id_name", "Sales room")
    page.screenshot(path=str(SHOTS / "dashboards-editor-en-desktop.png"), full_page=True)
    page.click("#dashboard-save")
    page.wait_for_url(f"{live_server.url}/analytics/dashboards/")
    page.locator(".alert", has_text="Dashboard “Sales room” saved.").wait_for()
    _wait_for_charts(page)
    assert _tile_order(page) == ["deals_won", "revenue", "win_rate", "average_check", "pipeline_value"]
    assert page.locator("[data-metric='gross_profit'][data-chart='bar']").count() == 1

    # share with a team
    page.select_option("#share-team", label="North")
    page.click("#dashboard-share")
    page.locator(".alert", has_text="Shared with North").wait_for()
    expect(page.locator("#dashboard-sharing")).to_contain_text("Shared with North")

    # drill down from a tile to the deals behind it
    page.select_option("#id_range_preset", "this_month")
    expect(page).to_have_url(re.compile(r"range_preset=this_month"))
    page.locator("[data-metric='revenue'] .tile-drill").click()
    page.wait_for_url(re.compile(r"/analytics/drill/\?metric=revenue"))
    expect(page.locator("#drill-table tbody tr")).to_have_count(3)
    expect(page.locator("#drill-number")).to_have_text("₽245,500.00")
    page.locator("#drill-table a", has_text="Won 80000").click()
    page.wait_for_url(re.compile(r"/crm/deals/\d+/$"))

    assert csp_violations == []

    # a rep of North sees the shared dashboard read-only, with their own numbers only
    rep_page = browser.new_context().new_page()
    rep_page.goto(f"{live_server.url}/accounts/login/")
    rep_page.fill("#id_email", data["reps"][0].email)
    rep_page.fill("#id_password", people.password)
    rep_page.click("main form button[type=submit]")
    rep_page.wait_for_url(f"{live_server.url}/")
    rep_page.goto(f"{live_server.url}/analytics/dashboards/all/")
    rep_page.locator("#dashboards-shared a", has_text="Sales room").click()
    rep_page.locator("#dashboard-tiles").wait_for()
    expect(rep_page.locator("#dashboard-sharing")).to_contain_text("read-only")
    assert rep_page.locator("#dashboard-edit").count() == 0
    rep_page.select_option("#id_range_preset", "this_month")
    expect(rep_page.locator("[data-metric='revenue'] .tile-value")).to_have_text("₽45,500")


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_pages_in_both_languages_and_screen_sizes(page, live_server, people, log_in, csp_violations, language,
                                                  screen):
    _sales(people)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[screen])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    log_in(people.admin_email, people.password)
    page.goto(f"{live_server.url}/analytics/dashboards/")
    _wait_for_charts(page)
    assert page.locator("html").get_attribute("lang") == language
    value = page.locator("[data-metric='revenue'] .tile-value").inner_text()
    assert value == ("245\u00a0500\u00a0₽" if language == "ru" else "₽245,500")
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(SHOTS / f"dashboards-company-{language}-{screen}.png"), full_page=True)
    page.locator("[data-metric='revenue'] .tile-drill").click()
    page.locator("#drill-table").wait_for()
    page.screenshot(path=str(SHOTS / f"dashboards-drill-{language}-{screen}.png"), full_page=True)
    page.goto(f"{live_server.url}/analytics/dashboards/")
    page.click("#dashboard-edit")
    page.locator("#widget-editor").wait_for()
    page.screenshot(path=str(SHOTS / f"dashboards-editor-{language}-{screen}.png"), full_page=True)
    assert csp_violations == []
