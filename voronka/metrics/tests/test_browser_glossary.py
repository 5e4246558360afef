"""The glossary in a real browser: reached from the menu, searched with the form, no CSP refusals.

SCREENSHOTS=1 also saves desktop and phone screenshots in English and Russian to var/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import (  # noqa: F401 — fixtures shared with the browser suite
    browser_type_launch_args,
    csp_violations,
    log_in,
    people,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def test_the_glossary_is_in_the_menu_and_searchable(page, live_server, people, log_in, csp_violations):  # noqa: F811
    log_in(people.rep_email, people.password)
    page.click("#nav-improve")
    page.click("#nav-improve + .dropdown-menu >> text=Metric glossary")
    page.wait_for_url(f"{live_server.url}/metrics/")
    assert page.locator("#glossary-metrics article").count() == 16
    page.fill("#glossary-q", "margin")
    page.click("#glossary-search button[type=submit]")
    page.wait_for_url(f"{live_server.url}/metrics/?q=margin")
    assert page.locator("#glossary-metrics article").all_inner_texts()[0].startswith("Gross margin")
    assert page.locator("#glossary-metrics article").count() == 1
    assert page.locator("#glossary-count").inner_text() == "Shown: 1 of 16"
    page.click("text=Show all")
    page.wait_for_url(f"{live_server.url}/metrics/")  # the count below must read the new page, not the old one
    assert page.locator("#glossary-metrics article").count() == 16
    assert csp_violations == []


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to take screenshots")
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_screenshots(page, live_server, people, log_in, csp_violations, language, screen):  # noqa: F811
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[screen])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    log_in(people.rep_email, people.password)
    page.goto(f"{live_server.url}/metrics/")
    page.screenshot(path=str(folder / f"metrics-glossary-{language}-{screen}.png"), full_page=True)
    page.goto(f"{live_server.url}/metrics/?q=revenue")
    page.screenshot(path=str(folder / f"metrics-glossary-search-{language}-{screen}.png"), full_page=True)
    assert csp_violations == []
