"""The board in a real browser: drag a card, move by the select, the lost dialog, the timeline; screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def board(people: Any) -> dict[str, Any]:
    """A pipeline with deals of the rep (rep0) and one of another rep; committed for the live server."""
    from voronka.accounts.models import User, Workspace
    from voronka.crm.models import LostReason
    from voronka.crm.tests.factories import make_company, make_deal, make_pipeline, stage

    workspace = Workspace.objects.get(slug="acme-co")
    rep = User.objects.get(email=people.rep_email)
    other = User.objects.get(email="rep1@acme.test")
    pipeline = make_pipeline(workspace, name="New business")
    LostReason.unscoped.create(workspace=workspace, name="Too expensive")
    company = make_company(workspace, owner=rep, name="Roga i Kopyta")
    deals = {
        "alpha": make_deal(pipeline, owner=rep, title="Alpha rollout", amount=120000, company=company),
        "beta": make_deal(pipeline, owner=rep, title="Beta licences", amount=45000),
        "gamma": make_deal(pipeline, owner=rep, stage_name="Proposal", title="Gamma support", amount=9900),
        "theirs": make_deal(pipeline, owner=other, title="Somebody else's deal", amount=1),
    }
    return {"pipeline": pipeline, "deals": deals, "stage": lambda name: stage(pipeline, name)}


def _count(page: Any, stage_id: int) -> Any:
    return page.locator(f"#column-head-{stage_id} .column-count")


def test_drag_a_card_to_another_stage_and_see_it_on_the_timeline(page, live_server, people, board, log_in,
                                                                   csp_violations):
    lead, qualified = board["stage"]("Lead"), board["stage"]("Qualified")
    alpha = board["deals"]["alpha"]
    # Given the rep on the board: two own deals in Lead, none of another rep's
    log_in(people.rep_email, people.password)
    page.goto(f"{live_server.url}/crm/board/")
    expect(page.locator(f"#deal-card-{alpha.pk}")).to_be_visible()
    expect(_count(page, lead.pk)).to_have_text("2")
    expect(_count(page, qualified.pk)).to_have_text("0")
    expect(page.locator("#board")).not_to_contain_text("Somebody else")
    # When they drag Alpha to Qualified
    page.drag_and_drop(f"#deal-card-{alpha.pk}", f"#cards-{qualified.pk}")
    # Then the card sits in Qualified and the column counts changed
    expect(page.locator(f"#cards-{qualified.pk} #deal-card-{alpha.pk}")).to_be_visible()
    expect(_count(page, lead.pk)).to_have_text("1")
    expect(_count(page, qualified.pk)).to_have_text("1")
    # And the deal's timeline shows the move
    page.click(f"#deal-card-{alpha.pk} .deal-card-title")
    expect(page.locator("#timeline")).to_contain_text("→ Qualified")
    assert csp_violations == []


def test_move_with_the_select_and_the_keyboard(page, live_server, people, board, log_in, csp_violations):
    beta = board["deals"]["beta"]
    negotiation = board["stage"]("Negotiation")
    log_in(people.rep_email, people.password)
    page.goto(f"{live_server.url}/crm/board/")
    select = page.locator(f"#move-{beta.pk}")
    expect(select).to_be_visible()
    select.focus()
    select.select_option(label="Negotiation")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#cards-{negotiation.pk} #deal-card-{beta.pk}")).to_be_visible()
    expect(_count(page, negotiation.pk)).to_have_text("1")
    page.goto(f"{live_server.url}/crm/deals/{beta.pk}/")
    expect(page.locator("#timeline")).to_contain_text("→ Negotiation")
    assert csp_violations == []


def test_dropping_on_lost_opens_the_dialog_that_asks_why(page, live_server, people, board, log_in, csp_violations):
    gamma = board["deals"]["gamma"]
    lost = board["stage"]("Lost")
    log_in(people.rep_email, people.password)
    page.goto(f"{live_server.url}/crm/board/")
    expect(page.locator(f"#deal-card-{gamma.pk}")).to_be_visible()
    page.drag_and_drop(f"#deal-card-{gamma.pk}", f"[data-drop-stage='{lost.pk}']")
    dialog = page.locator("#crm-modal")
    expect(dialog).to_be_visible()
    # Without a reason the dialog says what is missing
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_contain_text("Choose the reason the deal was lost.")
    dialog.locator("select[name=lost_reason]").select_option(label="Too expensive")
    dialog.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/crm/board/**")
    expect(page.locator(f"#deal-card-{gamma.pk}")).to_have_count(0)
    assert csp_violations == []


def test_inline_edit_and_quick_add_on_the_deal_page(page, live_server, people, board, log_in, csp_violations):
    beta = board["deals"]["beta"]
    log_in(people.rep_email, people.password)
    page.goto(f"{live_server.url}/crm/deals/{beta.pk}/")
    page.click("#field-amount .inline-edit")
    page.fill("#field-amount input[name=value]", "50000")
    page.click("#field-amount button[type=submit]")
    expect(page.locator("#field-amount .inline-value")).to_contain_text("50")
    page.fill("#quick-add textarea[name=body]", "Asked for a demo next week")
    page.click("#quick-add button[type=submit]")
    expect(page.locator("#timeline li").first).to_contain_text("Asked for a demo next week")
    # The won button still carries the current version after the inline edit
    page.click("#deal-won-button")
    expect(page.locator("#deal-status")).to_have_text("Won")
    assert csp_violations == []


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to take screenshots")
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_screenshots(page, live_server, people, board, log_in, csp_violations, language, screen):
    import datetime as dt

    from django.utils import timezone

    from voronka.crm.models import Activity, TimelineEntry

    alpha = board["deals"]["alpha"]
    now = timezone.now()
    for minutes, kind, data in [
        (90, "deal_created", {"stage": "Lead"}),
        (60, "note", {"subject": "Budget confirmed", "body": "Budget confirmed for Q3.\nDecision in two weeks."}),
        (30, "activity_done", {"kind": "call", "subject": "Discovery call", "outcome": "interested"}),
        (10, "stage_changed", {"from": "Lead", "to": "Qualified"}),
    ]:
        TimelineEntry.unscoped.create(workspace=alpha.workspace, deal=alpha, kind=kind, actor=alpha.owner,
                                      at=now - dt.timedelta(minutes=minutes), data=data)
    for hours, subject in [(-30, "Send the proposal"), (2, "Call the CFO")]:
        Activity.unscoped.create(workspace=alpha.workspace, owner=alpha.owner, team=alpha.team, kind="task",
                                 subject=subject, due_at=now + dt.timedelta(hours=hours), deal=alpha)
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(VIEWPORTS[screen])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    log_in(people.rep_email, people.password)
    page.goto(f"{live_server.url}/crm/board/")
    expect(page.locator(".deal-card").first).to_be_visible()
    page.screenshot(path=str(folder / f"crm-board-{language}-{screen}.png"), full_page=True)
    page.goto(f"{live_server.url}/crm/deals/{board['deals']['alpha'].pk}/")
    page.screenshot(path=str(folder / f"crm-deal-{language}-{screen}.png"), full_page=True)
    page.click("#deal-lost-button")
    expect(page.locator("#crm-modal")).to_be_visible()
    page.wait_for_timeout(400)
    page.screenshot(path=str(folder / f"crm-lost-{language}-{screen}.png"))
    page.goto(f"{live_server.url}/crm/tasks/")
    page.screenshot(path=str(folder / f"crm-tasks-{language}-{screen}.png"), full_page=True)
    assert csp_violations == []
