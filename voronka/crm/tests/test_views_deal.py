"""The deal page: header, stage bar, won/lost/reopen, inline edit with conflicts, the timeline, create."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Deal, DealLineItem, StageTransition, TimelineEntry
from voronka.crm.services.deals import deal_update
from voronka.crm.tests.deals_factories import make_lost_reason, make_product
from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fresh(deal: Deal) -> Deal:
    return Deal.unscoped.select_related("stage").get(pk=deal.pk)


@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_every_role_that_sees_the_deal_gets_the_page(org: Org, role: str) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep, title="Big order")
    response = _client(getattr(org, role)).get(reverse("crm:deal-detail", args=[deal.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Big order" in html
    assert ('id="deal-won-button"' in html) is (role != "marketer")


def test_rep_cannot_open_another_reps_deal(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep_south)
    assert _client(org.rep).get(reverse("crm:deal-detail", args=[deal.pk])).status_code == 404


def test_foreign_deal_is_404(org: Org, other_org: Org) -> None:
    deal = make_deal(make_pipeline(other_org.workspace), owner=other_org.rep)
    assert _client(org.admin).get(reverse("crm:deal-detail", args=[deal.pk])).status_code == 404


def test_header_shows_company_contacts_line_items_and_the_stage_bar(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    company = make_company(org.workspace, owner=org.rep, name="Roga i Kopyta")
    visible = make_contact(org.workspace, owner=org.rep, full_name="Ivan Visible")
    hidden = make_contact(org.workspace, owner=org.rep_south, full_name="Olga Hidden")
    deal = make_deal(pipeline, owner=org.rep, company=company, amount="1234.50")
    with workspace_scope(org.workspace):
        deal.contacts.set([visible, hidden])
    product = make_product(org.workspace, name="Widget")
    DealLineItem.unscoped.create(workspace=org.workspace, deal=deal, product=product, quantity=2, unit_price=100)
    html = _client(org.rep).get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "Roga i Kopyta" in html
    assert "Ivan Visible" in html
    assert "Olga Hidden" not in html  # a contact the rep may not see is not named
    assert "Widget" in html
    assert "₽" in html  # money in the workspace currency
    assert html.count('class="stage-bar-button"') == 4  # the open stages
    assert 'aria-current="step">Lead<' in html


def test_won_button_closes_the_deal(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    response = _client(org.rep).post(reverse("crm:deal-won", args=[deal.pk]), {"version": 1})
    assert response.status_code == 302
    assert _fresh(deal).status == "won"
    page = _client(org.rep).get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert 'id="deal-status"' in page and "Deal won" in page


def test_lost_without_a_reason_shows_the_dialog_error_and_changes_nothing(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    make_lost_reason(org.workspace, "Too expensive")
    deal = make_deal(pipeline, owner=org.rep)
    client = _client(org.rep)
    dialog = client.get(reverse("crm:deal-lost", args=[deal.pk]), **HTMX)
    assert dialog.status_code == 200
    assert "Too expensive" in dialog.content.decode()
    response = client.post(reverse("crm:deal-lost", args=[deal.pk]), {"version": 1, "lost_reason": ""}, **HTMX)
    assert response.status_code == 400
    assert "Choose the reason the deal was lost." in response.content.decode()
    assert response["HX-Retarget"] == "#crm-modal-content"
    plain = client.post(reverse("crm:deal-lost", args=[deal.pk]), {"version": 1})
    assert plain.status_code == 400
    assert _fresh(deal).status == "open"


def test_lost_with_a_reason_closes_the_deal_and_the_timeline_says_why(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    reason = make_lost_reason(org.workspace, "Too expensive")
    deal = make_deal(pipeline, owner=org.rep)
    client = _client(org.rep)
    response = client.post(reverse("crm:deal-lost", args=[deal.pk]),
                           {"version": 1, "lost_reason": reason.pk, "note": "went elsewhere", "next": "/crm/board/"},
                           **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/crm/board/"
    fresh = _fresh(deal)
    assert (fresh.status, fresh.lost_reason_id, fresh.lost_note) == ("lost", reason.pk, "went elsewhere")
    page = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "Deal lost: Too expensive" in page


def test_reopen_puts_a_closed_deal_back_in_an_open_stage(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep, stage_name="Won")
    response = _client(org.rep).post(reverse("crm:deal-reopen", args=[deal.pk]),
                                     {"version": 1, "stage": stage(pipeline, "Negotiation").pk})
    assert response.status_code == 302
    fresh = _fresh(deal)
    assert (fresh.status, fresh.stage.name) == ("open", "Negotiation")


def test_stage_bar_moves_the_deal(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    url = reverse("crm:deal-detail", args=[deal.pk])
    response = _client(org.rep).post(reverse("crm:deal-move", args=[deal.pk]),
                                     {"stage_id": stage(pipeline, "Negotiation").pk, "version": 1, "next": url})
    assert response["Location"] == url
    assert _fresh(deal).stage.name == "Negotiation"


def test_inline_edit_saves_one_field_and_tells_the_page_the_new_version(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep, amount=100)
    client = _client(org.rep)
    url = reverse("crm:deal-field", args=[deal.pk, "amount"])
    form = client.get(url, **HTMX)
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.content.decode()
    response = client.post(url, {"version": 1, "value": "2500.00"}, **HTMX)
    assert response.status_code == 200
    assert '"crm-deal-version": {"value": 2}' in response["HX-Trigger"]
    assert _fresh(deal).amount == Decimal("2500.00")
    assert TimelineEntry.unscoped.filter(deal=deal, kind="deal_updated").count() == 1


def test_inline_edit_with_a_stale_version_shows_who_changed_it_and_keeps_their_change(org: Org) -> None:
    # Given the manager changed the amount after the rep opened the editor
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep, amount=100)
    org.manager.full_name = "Anna Manager"
    org.manager.save()
    with workspace_scope(org.workspace):
        deal_update(actor=org.actor(org.manager), deal=deal, data={"amount": "700"}, version=1)
    # When the rep saves with the version they had
    response = _client(org.rep).post(reverse("crm:deal-field", args=[deal.pk, "amount"]),
                                     {"version": 1, "value": "50"}, **HTMX)
    # Then it is a 409 naming Anna, showing the current values, and Anna's amount stays
    assert response.status_code == 409
    html = response.content.decode()
    assert "Anna Manager changed this" in html
    assert "ago." in html
    assert "700" in html
    assert 'name="version" value="2"' in html
    fresh = _fresh(deal)
    assert (fresh.amount, fresh.version) == (Decimal("700.00"), 2)


def test_inline_edit_rejects_bad_values_and_unknown_fields(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    client = _client(org.rep)
    bad = client.post(reverse("crm:deal-field", args=[deal.pk, "probability_override"]),
                      {"version": 1, "value": "150"}, **HTMX)
    assert bad.status_code == 400
    assert client.get(reverse("crm:deal-field", args=[deal.pk, "status"])).status_code == 404
    assert _fresh(deal).version == 1


def test_marketer_sees_fields_but_cannot_edit(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    client = _client(org.marketer)
    url = reverse("crm:deal-field", args=[deal.pk, "amount"])
    assert 'name="value"' not in client.get(url).content.decode()
    assert client.post(url, {"version": 1, "value": "5"}).status_code == 403
    assert _fresh(deal).version == 1


def test_create_deal_owned_by_the_rep(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    company = make_company(org.workspace, owner=org.rep, name="Acme Ltd")
    client = _client(org.rep)
    page = client.get(reverse("crm:deal-create"))
    assert page.status_code == 200
    assert 'name="owner"' not in page.content.decode()  # reps cannot assign
    response = client.post(reverse("crm:deal-create"), {
        "title": "New one", "pipeline": pipeline.pk, "stage": "", "company": company.pk, "amount": "99.90",
        "owner": org.manager.pk,
    })
    assert response.status_code == 302
    deal = Deal.unscoped.get(title="New one")
    assert (deal.owner_id, deal.stage.name, deal.amount, deal.company_id) == (
        org.rep.pk, "Lead", Decimal("99.90"), company.pk)
    assert response["Location"] == reverse("crm:deal-detail", args=[deal.pk])
    assert StageTransition.unscoped.filter(deal=deal).count() == 1


def test_manager_assigns_the_owner_when_creating(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    response = _client(org.manager).post(reverse("crm:deal-create"), {
        "title": "For the rep", "pipeline": pipeline.pk, "stage": stage(pipeline, "Qualified").pk,
        "owner": org.rep.pk,
    })
    assert response.status_code == 302
    deal = Deal.unscoped.get(title="For the rep")
    assert (deal.owner_id, deal.team_id, deal.stage.name) == (org.rep.pk, org.north.pk, "Qualified")


def test_create_refuses_a_stage_of_another_pipeline_and_invisible_companies(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    other = make_pipeline(org.workspace, name="Other")
    hidden = make_company(org.workspace, owner=org.rep_south)
    client = _client(org.rep)
    response = client.post(reverse("crm:deal-create"), {
        "title": "X", "pipeline": pipeline.pk, "stage": stage(other, "Lead").pk, "company": hidden.pk,
    })
    assert response.status_code == 400
    assert Deal.unscoped.filter(title="X").count() == 0
    assert "That stage belongs to another pipeline." in response.content.decode()


def test_create_form_lists_only_visible_companies(org: Org) -> None:
    make_pipeline(org.workspace)
    make_company(org.workspace, owner=org.rep, name="Mine Inc")
    make_company(org.workspace, owner=org.rep_south, name="Theirs Inc")
    html = _client(org.rep).get(reverse("crm:deal-create")).content.decode()
    assert "Mine Inc" in html and "Theirs Inc" not in html


def test_timeline_renders_known_kinds_and_escapes_unknown_ones(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    TimelineEntry.unscoped.create(workspace=org.workspace, deal=deal, kind="survey_answered",
                                  at=deal.created_at, data={"answer": "<img src=x onerror=alert(1)>"})
    TimelineEntry.unscoped.create(workspace=org.workspace, deal=deal, kind="stage_changed", at=deal.created_at,
                                  data={"from": "Lead", "to": "<b>Proposal</b>"})
    html = _client(org.rep).get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "survey_answered" in html
    assert "→ <strong>&lt;b&gt;Proposal&lt;/b&gt;</strong>" in html


def test_script_in_title_and_company_is_escaped_on_the_deal_page(org: Org) -> None:
    company = make_company(org.workspace, owner=org.rep, name="<script>alert('c')</script>")
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep, title="<script>alert(1)</script>", company=company)
    html = _client(org.rep).get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_deal_page_queries_do_not_grow_with_the_timeline(org: Org) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    client = _client(org.rep)
    url = reverse("crm:deal-detail", args=[deal.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for n in range(30):
        TimelineEntry.unscoped.create(workspace=org.workspace, deal=deal, kind="note", at=deal.created_at,
                                      actor=[org.rep, org.manager, org.admin][n % 3], data={"subject": f"n{n}"})
        contact = make_contact(org.workspace, owner=org.rep)
        deal.contacts.add(contact)
    assert count() == small
    assert small <= 16


def test_owner_changes_inline_only_with_the_assign_capability(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    url = reverse("crm:deal-field", args=[deal.pk, "owner"])
    rep = _client(org.rep)
    assert 'name="value"' not in rep.get(url, **HTMX).content.decode()
    assert rep.post(url, {"version": 1, "value": org.rep_south.pk}, **HTMX).status_code == 403
    assert _fresh(deal).owner_id == org.rep.pk
    manager = _client(org.manager)
    assert 'name="value"' in manager.get(url, **HTMX).content.decode()
    response = manager.post(url, {"version": 1, "value": org.rep_south.pk}, **HTMX)
    assert response.status_code == 200
    fresh = _fresh(deal)
    assert (fresh.owner_id, fresh.team_id, fresh.version) == (org.rep_south.pk, org.south.pk, 2)
