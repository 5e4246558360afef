"""SMART goals and KPI alerts in a real browser, in English and in Russian: a manager of the demo company sets
a quarterly revenue goal for a team, sees the SMART check flag an unrealistic target, splits the goal among
the team's reps, sees progress and forecast, and gets an alert when a rule fires (the evaluation task run
in-process, its email caught by a real SMTP server). SCREENSHOTS=1 saves every page at desktop and phone width."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MANAGER = "manager@voronka.test"
# plotly.min.js injects two <style> elements when it loads (its global style, empty at first, and maplibre's
# CSS); style-src 'self' refuses them and the charts draw without them. Reported to the lead (a CSP hash).
PLOTLY_STYLE_HASHES = ("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                       "sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o=")


def _refusals(found: list[str]) -> list[str]:
    return [text for text in found if not any(digest in text for digest in PLOTLY_STYLE_HASHES)]


@pytest.fixture
def demo() -> Any:
    """A sliver of the demo company (18 months of deals), committed for the live server."""
    from django.core.cache import cache

    from voronka.demo.generator import demo_load

    cache.clear()  # the SMART check keeps past periods for a few minutes; ids repeat between tests
    return demo_load(fraction=0.02).workspace


def _shoot(page: Any, name: str, language: str) -> None:
    if not os.environ.get("SCREENSHOTS"):
        return
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for screen, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)  # let plotly resize
        page.screenshot(path=str(folder / f"goals-{name}-{language}-{screen}.png"), full_page=True)
    page.set_viewport_size(size)


def _realistic_target(workspace: Any, team_name: str) -> Decimal:
    """The median quarter of the team's revenue, from the same check the form runs (a target within reach)."""
    from django.utils import timezone

    from voronka.accounts.actor import actor_for
    from voronka.accounts.models import Team, User
    from voronka.core.periods import Period
    from voronka.core.scoping import workspace_scope
    from voronka.goals.services.goals import goal_check
    from voronka.goals.services.progress import local_today

    with workspace_scope(workspace):
        actor = actor_for(user=User.objects.get(email=MANAGER), workspace_id=workspace.pk)
        team = Team.objects.get(name=team_name)
        quarter = Period.containing("quarter", local_today(workspace.time_zone, timezone.now()))
        _draft, check = goal_check(actor=actor, data={"metric": "revenue", "scope": "team", "team_id": team.pk,
                                                      "target": "1", "period_kind": "quarter",
                                                      "period_start": quarter.start})
    assert check.judgement is not None and check.judgement.median
    return Decimal(str(round(check.judgement.median)))


@pytest.mark.parametrize("language", ["en", "ru"])
def test_manager_sets_splits_follows_and_is_alerted(page, live_server, demo, log_in, csp_violations, smtp_sink,
                                                    language):  # type: ignore[no-untyped-def]
    from voronka.goals.models import Alert, Goal, Notification
    from voronka.goals.tasks import evaluate_alerts

    page.set_viewport_size(VIEWPORTS["desktop"])
    log_in(MANAGER, "demo")
    if language == "ru":  # the language switch in the navbar
        page.click("#nav-language")
        page.click("button[name=language][value=ru]")
        expect(page.locator("html")).to_have_attribute("lang", "ru")

    # An objective the goal will serve
    page.goto(f"{live_server.url}/goals/objectives/")
    page.fill("#id_title", "Grow Moscow" if language == "en" else "Рост Москвы")
    page.click("#objective-form button[type=submit]")
    expect(page.locator("#objective-list")).to_contain_text("Grow Moscow" if language == "en" else "Рост Москвы")
    _shoot(page, "objectives", language)

    # A quarterly revenue goal for the Moscow team: the SMART check flags a target out of reach
    page.goto(f"{live_server.url}/goals/new/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.select_option("#id_metric", "revenue")
    page.select_option("#id_scope", "team")
    page.select_option("#id_team_id", label="Москва")
    page.select_option("#id_objective_id", index=1)
    page.fill("#id_target", "999999999999")
    page.locator("#id_target").dispatch_event("change")
    expect(page.locator("[data-smart=achievable]")).to_have_attribute("data-level", "warning")
    expect(page.locator("#smart-confirm")).to_be_visible()
    for key in ("specific", "measurable", "relevant", "time_bound"):
        expect(page.locator(f"[data-smart={key}]")).to_have_attribute("data-level", "ok")
    _shoot(page, "form-flagged", language)
    page.click("#goal-save")  # without confirming: refused, nothing saved
    expect(page.locator("#goal-form-errors")).to_be_visible()
    expect(page.locator("#id_target")).to_have_class(re.compile("is-invalid"))
    assert Goal.unscoped.count() == 0
    # a target within reach passes
    target = _realistic_target(demo, "Москва")
    page.fill("#id_target", str(target))
    page.locator("#id_target").dispatch_event("change")
    expect(page.locator("[data-smart=achievable]")).to_have_attribute("data-level", "ok")
    expect(page.locator("#smart-confirm")).to_have_count(0)
    page.click("#goal-save")

    # The goal page: numbers, the chart, a status
    expect(page.locator("#goal-numbers")).to_be_visible()
    goal = Goal.unscoped.get()
    assert (goal.scope, goal.team.name, goal.target, goal.period_kind) == ("team", "Москва", target, "quarter")
    expect(page.locator("#kpi-forecast")).not_to_have_text("—")
    expect(page.locator("#goal-chart .main-svg").first).to_be_visible()
    _shoot(page, "detail", language)

    # Split it among the team's reps by history: the preview checks the sum, then confirm
    page.click("#goal-split-link")
    page.check("input[name=child_scope][value=rep]")
    page.click("#split-preview-button")
    expect(page.locator("#split-sum-check .text-success")).to_be_visible()
    _shoot(page, "split", language)
    page.click("#split-confirm")
    expect(page.locator("#goal-children")).to_be_visible()
    children = list(Goal.unscoped.filter(parent=goal))
    assert len(children) == 5 and sum(child.target for child in children) == goal.target
    expect(page.locator("#goal-children tfoot .text-success")).to_be_visible()
    _shoot(page, "detail-split", language)

    page.goto(f"{live_server.url}/goals/?period=this_quarter")
    expect(page.locator("#goal-table tbody tr")).to_have_count(6)
    _shoot(page, "list", language)

    # An alert rule: Moscow's revenue this month below an impossible bar fires on the next evaluation
    page.goto(f"{live_server.url}/goals/alerts/rules/new/")
    page.fill("#id_name", "Moscow MTD")
    page.select_option("#id_kind", "threshold")
    page.select_option("#id_metric", "revenue")
    page.select_option("#id_scope", "team")
    page.select_option("#id_team_id", label="Москва")
    page.select_option("#id_comparison", "below")
    page.fill("#id_threshold", "999999999999")
    _shoot(page, "rule-form", language)
    page.click("#rule-save")
    expect(page.locator("#rule-table")).to_contain_text("Moscow MTD")
    _shoot(page, "rules", language)
    evaluate_alerts.call()  # the periodic task, in-process
    assert Alert.unscoped.count() == 1
    page.goto(f"{live_server.url}/goals/notifications/")
    expect(page.locator("#notification-list [data-read='0']")).to_have_count(1)
    expect(page.locator("#notification-list")).to_contain_text("Moscow MTD")
    _shoot(page, "notifications", language)
    page.goto(f"{live_server.url}/goals/alerts/")
    expect(page.locator("#alert-list")).to_contain_text("Moscow MTD")
    _shoot(page, "alerts", language)
    assert Notification.unscoped.get().email_state == "sent"
    assert len(smtp_sink.to(MANAGER)) == 1
    assert _refusals(csp_violations) == []
