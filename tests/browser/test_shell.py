"""The shell in a real browser: log in, navigate, switch language, phone layout, no CSP refusals."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_to_russian_and_log_out(page, live_server, people, log_in, csp_violations):
    # Given a rep who logs in
    log_in(people.rep_email, people.password)
    # Then the shell shows the product navigation in English
    expect(page.locator("#nav-sell")).to_have_text("Sell")
    page.click("#nav-sell")
    expect(page.get_by_role("link", name="Team members")).to_be_visible()
    # When they switch to Russian
    page.click("#nav-language")
    page.click("button[name=language][value=ru]")
    # Then the shell is translated
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#nav-sell")).to_have_text("Продажи")
    # When they log out
    page.click("#nav-user")
    page.click("#logout-button")
    # Then they are back at the login page, logged out
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    assert csp_violations == []


def test_phone_navbar_collapses_and_opens(page, live_server, people, log_in, csp_violations):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(people.rep_email, people.password)
    expect(page.locator("#shell-nav")).to_be_hidden()
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.locator("#shell-nav")).to_be_visible()
    page.click("#nav-sell")
    expect(page.get_by_role("link", name="Teams", exact=True)).to_be_visible()
    assert csp_violations == []


def test_member_search_swaps_the_table_with_htmx(page, live_server, people, log_in, csp_violations):
    log_in(people.admin_email, people.password)
    page.goto(f"{live_server.url}/accounts/members/")
    expect(page.locator("#member-table tbody tr")).to_have_count(5)
    page.fill("#id_q", "olga")
    expect(page.locator("#member-table tbody tr")).to_have_count(1)
    expect(page.locator("#member-table")).to_contain_text("Olga Sidorova")
    expect(page).to_have_url(f"{live_server.url}/accounts/members/?q=olga")
    assert csp_violations == []


def test_create_team_and_token_through_forms(page, live_server, people, log_in, csp_violations):
    log_in(people.admin_email, people.password)
    page.goto(f"{live_server.url}/accounts/teams/")
    page.fill("#id_name", "East")
    page.select_option("#id_parent", label="Sales")
    page.click("text=Create team")
    expect(page.locator("#messages")).to_contain_text("East")
    expect(page.locator("#team-tree")).to_contain_text("East")
    page.goto(f"{live_server.url}/accounts/tokens/")
    page.fill("#id_name", "Reporting")
    page.click("text=Create token")
    expect(page.locator("#token-secret")).to_contain_text("vk_")
    assert csp_violations == []
