"""The pipeline board page, its lazy columns and moving a deal by the select form or by drag and drop (htmx)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Org
from voronka.core.navigation import Part
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Deal, StageTransition, TimelineEntry
from voronka.crm.services.deals import deal_update
from voronka.crm.tests.factories import make_company, make_deal, make_pipeline, stage
from voronka.crm.views.board import nav_entries

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _column_url(pipeline, name: str, query: str = "") -> str:
    url = reverse("crm:board-column", args=[stage(pipeline, name).pk])
    return f"{url}?{query}" if query else url


def _heads(response) -> dict[str, tuple[int, Decimal, Decimal]]:
    return {c.stage.name: (c.totals.count, c.totals.total, c.totals.weighted) for c in response.context["columns"]}


@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_every_role_sees_the_board(org: Org, role: str) -> None:
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, owner=org.rep)
    response = _client(getattr(org, role)).get(reverse("crm:board"))
    assert response.status_code == 200
    assert [c.stage.name for c in response.context["columns"]] == ["Lead", "Qualified", "Proposal", "Negotiation"]
    assert [s.name for s in response.context["closing_stages"]] == ["Won", "Lost"]
    assert f'id="cards-{stage(pipeline, "Lead").pk}"' in response.content.decode()


def test_rep_column_totals_sum_only_their_own_deals(org: Org) -> None:
    # Given two deals of the rep and one of another rep in the same stage
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, owner=org.rep, amount=1000)
    make_deal(pipeline, owner=org.rep, amount=500, probability_override=50)
    make_deal(pipeline, owner=org.rep_south, amount=7000)
    make_deal(pipeline, owner=org.rep, stage_name="Won", amount=9999)  # closed: not on the board
    # When the rep and the manager open the board
    rep_heads = _heads(_client(org.rep).get(reverse("crm:board")))
    manager_heads = _heads(_client(org.manager).get(reverse("crm:board")))
    # Then the rep's Lead column counts and sums only what the rep sees; weighted = amount × probability
    assert rep_heads["Lead"] == (2, Decimal("1500.00"), Decimal("350.00"))
    assert manager_heads["Lead"] == (3, Decimal("8500.00"), Decimal("1050.00"))
    assert rep_heads["Qualified"] == (0, Decimal(0), Decimal(0))


def test_rep_column_lists_only_their_own_cards(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    mine = make_deal(pipeline, owner=org.rep, title="Mine")
    theirs = make_deal(pipeline, owner=org.rep_south, title="Theirs")
    response = _client(org.rep).get(_column_url(pipeline, "Lead"), **HTMX)
    assert response.status_code == 200
    assert [d.pk for d in response.context["cards"]] == [mine.pk]
    assert f'id="deal-card-{theirs.pk}"' not in response.content.decode()


def test_filters_and_sort_narrow_the_column(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    small = make_deal(pipeline, owner=org.rep, amount=10)
    big = make_deal(pipeline, owner=org.rep, amount=900)
    other = make_deal(pipeline, owner=org.rep_south, amount=500)
    client = _client(org.admin)
    by_amount = client.get(_column_url(pipeline, "Lead", "sort=amount"))
    assert [d.pk for d in by_amount.context["cards"]] == [big.pk, other.pk, small.pk]
    only_rep = client.get(_column_url(pipeline, "Lead", f"sort=amount&owner={org.rep.pk}"))
    assert [d.pk for d in only_rep.context["cards"]] == [big.pk, small.pk]
    heads = _heads(client.get(reverse("crm:board") + f"?team={org.south.pk}"))
    assert heads["Lead"] == (1, Decimal("500.00"), Decimal("50.00"))
    # Nonsense in the query string is ignored, never a 500
    nonsense = "?owner=x&created_from=2024-99-99&sort=evil&pipeline=-1"
    assert client.get(reverse("crm:board") + nonsense).status_code == 200


def test_a_column_loads_fifty_cards_and_offers_more(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    for _ in range(51):
        make_deal(pipeline, owner=org.rep)
    client = _client(org.rep)
    first = client.get(_column_url(pipeline, "Lead"))
    assert len(first.context["cards"]) == 50
    assert first.context["has_more"] is True
    assert "offset=50" in first.content.decode()
    second = client.get(_column_url(pipeline, "Lead", "offset=50"))
    assert len(second.context["cards"]) == 1
    assert second.context["has_more"] is False


def test_stalled_cards_get_a_badge(org: Org) -> None:
    import datetime as dt

    from django.utils import timezone

    pipeline = make_pipeline(org.workspace)  # Lead is stalled after 14 days
    old = make_deal(pipeline, owner=org.rep, created_at=timezone.now() - dt.timedelta(days=20))
    make_deal(pipeline, owner=org.rep)
    html = _client(org.rep).get(_column_url(pipeline, "Lead")).content.decode()
    assert html.count("deal-stalled") == 1
    assert f'id="deal-card-{old.pk}"' in html
    assert "20 days in stage" in html


def test_move_by_select_form_writes_one_transition_and_shows_on_the_timeline(org: Org) -> None:
    # Given a rep's deal in Lead
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    proposal = stage(pipeline, "Proposal")
    client = _client(org.rep)
    # When the rep picks Proposal in the card's select and presses Move (a plain form POST)
    response = client.post(reverse("crm:deal-move", args=[deal.pk]),
                           {"stage_id": proposal.pk, "version": 1, "next": "/crm/board/"})
    # Then the board reloads, the deal is in Proposal and exactly one transition was written
    assert response.status_code == 302
    assert response["Location"] == "/crm/board/"
    with workspace_scope(org.workspace):
        deal.refresh_from_db()
        assert deal.stage_id == proposal.pk
        assert deal.version == 2
        assert StageTransition.objects.filter(deal=deal).count() == 2  # created + this move
        assert StageTransition.objects.filter(deal=deal, to_stage=proposal).count() == 1
    page = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "→ <strong>Proposal</strong>" in page


def test_move_by_drag_and_drop_answers_the_card_and_fresh_headers(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep, amount=200)
    proposal = stage(pipeline, "Proposal")
    response = _client(org.rep).post(reverse("crm:deal-move", args=[deal.pk]) + f"?pipeline={pipeline.pk}",
                                     {"stage_id": proposal.pk, "version": 1}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    html = response.content.decode()
    assert f'<div id="deal-card-{deal.pk}" hx-swap-oob="delete"></div>' in html
    assert f'hx-swap-oob="afterbegin:#cards-{proposal.pk}"' in html
    assert 'data-version="2"' in html
    heads = {c.stage.name: c.totals.count for c in response.context["columns"]}
    assert heads == {"Lead": 0, "Qualified": 0, "Proposal": 1, "Negotiation": 0}
    assert html.count('hx-swap-oob="true"') == 4


def test_move_to_won_removes_the_card(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    response = _client(org.rep).post(reverse("crm:deal-move", args=[deal.pk]),
                                     {"stage_id": stage(pipeline, "Won").pk, "version": 1}, **HTMX)
    assert response.status_code == 200
    assert "afterbegin" not in response.content.decode()
    with workspace_scope(org.workspace):
        assert Deal.objects.get(pk=deal.pk).status == "won"


def test_move_to_lost_asks_for_the_reason_and_changes_nothing(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    lost = stage(pipeline, "Lost")
    client = _client(org.rep)
    response = client.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": lost.pk, "version": 1}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#crm-modal-content"
    assert "crm-open-modal" in response["HX-Trigger"]
    assert 'name="lost_reason"' in response.content.decode()
    plain = client.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": lost.pk, "version": 1})
    assert plain.status_code == 302
    assert plain["Location"].startswith(reverse("crm:deal-lost", args=[deal.pk]))
    with workspace_scope(org.workspace):
        assert Deal.objects.get(pk=deal.pk).stage.name == "Lead"
        assert StageTransition.objects.filter(deal=deal).count() == 1


def test_stale_version_is_a_409_with_who_changed_it_and_nothing_changes(org: Org) -> None:
    # Given the manager edited the rep's deal after the rep loaded the board
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    org.manager.full_name = "Anna Manager"
    org.manager.save()
    with workspace_scope(org.workspace):
        deal_update(actor=org.actor(org.manager), deal=deal, data={"amount": "5"}, version=1)
    proposal = stage(pipeline, "Proposal")
    client = _client(org.rep)
    # When the rep moves it with the version they saw (page and htmx)
    page = client.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": proposal.pk, "version": 1})
    partial = client.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": proposal.pk, "version": 1}, **HTMX)
    # Then both are refused with 409 naming who changed it, and the deal stays where it was
    assert page.status_code == 409
    assert "Anna Manager changed this" in page.content.decode()
    assert partial.status_code == 409
    assert partial["HX-Retarget"] == "#messages"
    assert "Anna Manager changed this deal" in partial.content.decode()
    assert 'data-version="2"' in partial.content.decode()  # the card comes back as it is now
    with workspace_scope(org.workspace):
        deal.refresh_from_db()
        assert (deal.stage.name, deal.version) == ("Lead", 2)
        assert StageTransition.objects.filter(deal=deal).count() == 1


def test_stage_gate_names_the_missing_fields(org: Org) -> None:
    from voronka.crm.models import Stage

    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    proposal = stage(pipeline, "Proposal")
    Stage.unscoped.filter(pk=proposal.pk).update(required_fields=["expected_close_date"])
    client = _client(org.rep)
    page = client.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": proposal.pk, "version": 1})
    partial = client.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": proposal.pk, "version": 1}, **HTMX)
    assert page.status_code == 400
    assert "Missing:</strong> expected close date" in page.content.decode()
    assert partial.status_code == 400
    assert "Missing: expected close date" in partial.content.decode()
    with workspace_scope(org.workspace):
        assert Deal.objects.get(pk=deal.pk).stage_id == stage(pipeline, "Lead").pk


def test_bad_move_input_is_a_400_not_a_500(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    client = _client(org.rep)
    assert client.post(reverse("crm:deal-move", args=[deal.pk]), {"stage_id": "x", "version": ""}).status_code == 400
    other = make_pipeline(org.workspace, name="Other")
    response = client.post(reverse("crm:deal-move", args=[deal.pk]),
                           {"stage_id": stage(other, "Proposal").pk, "version": 1})
    assert response.status_code == 400


def test_marketer_cannot_move_and_nothing_changes(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    response = _client(org.marketer).post(reverse("crm:deal-move", args=[deal.pk]),
                                          {"stage_id": stage(pipeline, "Proposal").pk, "version": 1})
    assert response.status_code == 403
    with workspace_scope(org.workspace):
        assert Deal.objects.get(pk=deal.pk).version == 1


def test_rep_cannot_move_another_reps_deal(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep_south)
    response = _client(org.rep).post(reverse("crm:deal-move", args=[deal.pk]),
                                     {"stage_id": stage(pipeline, "Proposal").pk, "version": 1})
    assert response.status_code == 404
    with workspace_scope(org.workspace):
        assert Deal.objects.get(pk=deal.pk).version == 1


def test_cross_workspace_stage_and_deal_are_404_and_nothing_changes(org: Org, other_org: Org) -> None:
    mine = make_pipeline(org.workspace)
    deal = make_deal(mine, owner=org.rep)
    foreign = make_pipeline(other_org.workspace)
    foreign_deal = make_deal(foreign, owner=other_org.rep)
    client = _client(org.admin)
    assert client.get(_column_url(foreign, "Lead")).status_code == 404
    assert client.post(reverse("crm:deal-move", args=[deal.pk]),
                       {"stage_id": stage(foreign, "Proposal").pk, "version": 1}).status_code == 404
    assert client.post(reverse("crm:deal-move", args=[foreign_deal.pk]),
                       {"stage_id": stage(mine, "Proposal").pk, "version": 1}).status_code == 404
    assert Deal.unscoped.get(pk=deal.pk).version == 1
    assert Deal.unscoped.get(pk=foreign_deal.pk).version == 1


def test_script_in_titles_and_company_names_is_escaped_on_the_board(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    company = make_company(org.workspace, owner=org.rep, name="<script>alert('c')</script>")
    make_deal(pipeline, owner=org.rep, title='<script>alert("t")</script>', company=company)
    html = _client(org.rep).get(_column_url(pipeline, "Lead")).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;c&#x27;)&lt;/script&gt;" in html


def test_empty_states(org: Org) -> None:
    client = _client(org.rep)
    none = client.get(reverse("crm:board")).content.decode()
    assert 'id="board-empty"' in none
    make_pipeline(org.workspace)
    empty = client.get(reverse("crm:board")).content.decode()
    assert 'id="board-no-deals"' in empty
    assert reverse("crm:deal-create") in empty
    assert reverse("crm:imports") not in empty  # reps may not import
    assert reverse("crm:imports") in _client(org.manager).get(reverse("crm:board")).content.decode()


def test_pipeline_switcher_picks_the_pipeline(org: Org) -> None:
    first = make_pipeline(org.workspace, name="New business")
    second = make_pipeline(org.workspace, name="Renewals", order=1)
    make_deal(second, owner=org.rep, amount=300)
    client = _client(org.rep)
    assert client.get(reverse("crm:board")).context["pipeline"] == first
    response = client.get(reverse("crm:board") + f"?pipeline={second.pk}")
    assert response.context["pipeline"] == second
    assert _heads(response)["Lead"] == (1, Decimal("300.00"), Decimal("30.00"))


def _many(org: Org, pipeline, count: int) -> None:
    company = make_company(org.workspace, owner=org.rep)
    for n in range(count):
        make_deal(pipeline, owner=org.rep, stage_name=["Lead", "Qualified", "Proposal"][n % 3], company=company)


def _count_queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_deals(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    client = _client(org.rep)
    board, column = reverse("crm:board"), _column_url(pipeline, "Lead")
    _many(org, pipeline, 10)
    client.get(board)  # settle the session
    small = (_count_queries(client, board), _count_queries(client, column))
    _many(org, pipeline, 90)
    large = (_count_queries(client, board), _count_queries(client, column))
    assert small == large
    assert large[0] <= 12 and large[1] <= 8


def test_board_and_column_stay_within_a_query_budget(org: Org, django_assert_max_num_queries) -> None:
    pipeline = make_pipeline(org.workspace)
    _many(org, pipeline, 30)
    client = _client(org.manager)
    client.get(reverse("crm:board"))
    with django_assert_max_num_queries(12):
        client.get(reverse("crm:board"))
    with django_assert_max_num_queries(8):
        client.get(_column_url(pipeline, "Lead"))


def test_nav_entries_are_under_sell() -> None:
    entries = nav_entries()
    assert [(e.url_name, e.part) for e in entries] == [("crm:board", Part.SELL), ("crm:my-tasks", Part.SELL)]


def test_moving_writes_the_timeline_entry(org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    _client(org.rep).post(reverse("crm:deal-move", args=[deal.pk]),
                          {"stage_id": stage(pipeline, "Qualified").pk, "version": 1})
    entry = TimelineEntry.unscoped.get(deal=deal, kind="stage_changed")
    assert (entry.data["from"], entry.data["to"]) == ("Lead", "Qualified")
