"""Screenshots of the main pages for a human to look at (SCREENSHOTS=1 to run; saved in var/screenshots/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to take screenshots"),
]

PAGES = {"home": "/", "members": "/accounts/members/", "teams": "/accounts/teams/", "tokens": "/accounts/tokens/"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_screenshots(page, live_server, people, log_in, csp_violations, language, screen):
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[screen])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=str(folder / f"login-{language}-{screen}.png"), full_page=True)
    log_in(people.admin_email, people.password)
    for name, path in PAGES.items():
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(folder / f"{name}-{language}-{screen}.png"), full_page=True)
    if screen == "phone":
        page.click(".navbar-toggler")
        page.locator("#shell-nav.show").wait_for()
        page.click("#nav-sell")
        page.locator("#nav-sell + .dropdown-menu.show").wait_for()
        page.wait_for_timeout(400)  # let the collapse animation finish
        page.screenshot(path=str(folder / f"menu-{language}-{screen}.png"))
    assert csp_violations == []
