"""The new-activity page: the form, field errors, links chosen among visible records, owner, the links to it
from the activity list and the record pages, other workspaces' ids (R1) and a query count that stays put."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Activity, CustomField, TimelineEntry
from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline

URL = reverse("crm:activity-create")


def _activities(org: Org) -> list[tuple]:
    with workspace_scope(org.workspace):
        return list(Activity.objects.values_list("kind", "subject", "deal_id", "contact_id", "company_id",
                                                 "owner_id", "done_at"))


def _options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return set() if select is None else set(re.findall(r"<option value=\"(\d+)\"", select.group(1)))


def test_a_rep_plans_a_call_on_a_deal_and_lands_on_the_deal(org: Org, login_as) -> None:
    # Given the rep's deal
    deal = make_deal(make_pipeline(org.workspace), org.rep, title="Boiler")
    client = login_as(org.rep)
    # When the rep opens the page from the deal and submits a call
    page = client.get(URL, {"deal": deal.pk})
    assert page.status_code == 200
    assert f'<option value="{deal.pk}" selected>' in page.content.decode()
    response = client.post(f"{URL}?deal={deal.pk}", {
        "kind": "call", "subject": "Call the buyer", "body": "About the price", "due_at": "2026-12-01T10:30",
        "deal_id": deal.pk,
    })
    # Then the call is planned on the deal, owned by the rep, and the deal page is next
    assert response.status_code == 302 and response["Location"] == reverse("crm:deal-detail", args=[deal.pk])
    [(kind, subject, deal_id, contact_id, company_id, owner_id, done_at)] = _activities(org)
    assert (kind, subject, deal_id, contact_id, company_id, owner_id, done_at) == (
        "call", "Call the buyer", deal.pk, None, None, org.rep.pk, None)
    with workspace_scope(org.workspace):
        assert TimelineEntry.objects.filter(deal=deal, kind="activity_planned").count() == 1


def test_each_kind_can_be_created(org: Org, login_as) -> None:
    client = login_as(org.manager)
    for kind in ("call", "meeting", "email", "task", "note"):
        assert client.post(URL, {"kind": kind, "subject": f"A {kind}"}).status_code == 302
    assert sorted(kind for kind, *_rest in _activities(org)) == ["call", "email", "meeting", "note", "task"]
    notes = [done for kind, *_rest, done in _activities(org) if kind == "note"]
    assert notes[0] is not None  # a note is done when written


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "call", "subject": ""}, "subject"),
        ({"kind": "call", "subject": "x" * 201}, "subject"),
        ({"kind": "dance", "subject": "Party"}, "kind"),
        ({"kind": "task", "subject": "Due when?", "due_at": "tomorrowish"}, "due_at"),
        ({"kind": "task", "subject": "Somebody's deal", "deal_id": "999999"}, "deal_id"),
        ({"kind": "task", "subject": "NUL", "body": "a\x00b"}, "body"),
    ],
)
def test_bad_input_shows_field_errors_and_creates_nothing(org: Org, login_as, data: dict, field: str) -> None:
    response = login_as(org.rep).post(URL, data)
    assert response.status_code == 400
    assert f'id="id_{field}-errors"' in response.content.decode()
    assert _activities(org) == []


def test_a_required_custom_field_is_asked_for(org: Org, login_as) -> None:
    with workspace_scope(org.workspace):
        CustomField.objects.create(workspace=org.workspace, entity="activity", key="result", label="Result",
                                   is_required=True)
    client = login_as(org.rep)
    response = client.post(URL, {"kind": "call", "subject": "Call"})
    assert response.status_code == 400 and 'id="id_cf_result-errors"' in response.content.decode()
    assert client.post(URL, {"kind": "call", "subject": "Call", "cf_result": "ok"}).status_code == 302
    assert len(_activities(org)) == 1


def test_links_offer_only_visible_records(org: Org, login_as) -> None:
    # Given deals, contacts and companies of two reps in different teams
    pipeline = make_pipeline(org.workspace)
    mine = (make_deal(pipeline, org.rep), make_contact(org.workspace, org.rep), make_company(org.workspace, org.rep))
    theirs = (make_deal(pipeline, org.rep_south), make_contact(org.workspace, org.rep_south),
              make_company(org.workspace, org.rep_south))
    html = login_as(org.rep).get(URL).content.decode()
    # Then the rep may link only their own
    for name, own, other in zip(("deal_id", "contact_id", "company_id"), mine, theirs, strict=True):
        assert _options(html, name) == {str(own.pk)}, name
        assert str(other.pk) not in _options(html, name)
    # And posting someone else's record anyway is a field error, nothing is created
    response = login_as(org.rep).post(URL, {"kind": "task", "subject": "Sneaky", "contact_id": theirs[1].pk})
    assert response.status_code == 400 and _activities(org) == []


def test_an_invisible_or_foreign_record_in_the_query_string_is_a_404(org: Org, other_org: Org, login_as) -> None:
    foreign = make_deal(make_pipeline(other_org.workspace), other_org.rep)
    south = make_contact(org.workspace, org.rep_south)
    client = login_as(org.rep)
    assert client.get(URL, {"deal": foreign.pk}).status_code == 404
    assert client.post(f"{URL}?deal={foreign.pk}", {"kind": "task", "subject": "x"}).status_code == 404
    assert client.get(URL, {"contact": south.pk}).status_code == 404
    assert client.get(URL, {"company": "not-a-number"}).status_code == 200
    assert _activities(org) == []


def test_the_owner_is_chosen_with_the_assign_capability_only(org: Org, login_as) -> None:
    # A manager plans a task for a rep
    manager = login_as(org.manager)
    assert 'name="owner_id"' in manager.get(URL).content.decode()
    assert manager.post(URL, {"kind": "task", "subject": "For the rep", "owner_id": org.rep.pk}).status_code == 302
    assert [owner for *_rest, owner, _done in _activities(org)] == [org.rep.pk]
    # A rep has no owner field; a forged owner_id is ignored (the rep owns it)
    rep = login_as(org.rep)
    assert 'name="owner_id"' not in rep.get(URL).content.decode()
    assert rep.post(URL, {"kind": "task", "subject": "Mine", "owner_id": org.rep_south.pk}).status_code == 302
    assert sorted(owner for *_rest, owner, _done in _activities(org)) == sorted([org.rep.pk, org.rep.pk])


def test_a_marketer_may_not_create_activities(org: Org, login_as) -> None:
    client = login_as(org.marketer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": "task", "subject": "No"}).status_code == 403
    assert _activities(org) == []


def test_the_page_is_linked_from_the_list_and_the_record_pages(org: Org, login_as) -> None:
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    contact = make_contact(org.workspace, org.rep)
    company = make_company(org.workspace, org.rep)
    client = login_as(org.rep)
    assert f'href="{URL}"' in client.get(reverse("crm:activity-list")).content.decode()
    for name, record in (("deal", deal), ("contact", contact), ("company", company)):
        html = client.get(reverse(f"crm:{name}-detail", args=[record.pk])).content.decode()
        assert f'href="{URL}?{name}={record.pk}"' in html, name
    # A marketer sees the records but gets no link
    html = login_as(org.marketer).get(reverse("crm:company-detail", args=[company.pk])).content.decode()
    assert "activity-create-link" not in html


def test_a_contact_page_link_returns_to_the_contact(org: Org, login_as) -> None:
    contact = make_contact(org.workspace, org.rep)
    response = login_as(org.rep).post(f"{URL}?contact={contact.pk}",
                                      {"kind": "meeting", "subject": "Lunch", "contact_id": contact.pk})
    assert response["Location"] == reverse("crm:contact-detail", args=[contact.pk])


def test_query_count_does_not_grow_with_the_records(org: Org, login_as) -> None:
    client = login_as(org.manager)
    pipeline = make_pipeline(org.workspace)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    make_deal(pipeline, org.rep)
    queries()  # the first request of a session does its one-time work
    one = queries()
    for _ in range(10):
        make_deal(pipeline, org.rep, company=make_company(org.workspace, org.rep))
        make_contact(org.workspace, org.rep_south)
    assert queries() == one


def test_user_text_is_escaped(org: Org, login_as) -> None:
    make_deal(make_pipeline(org.workspace), org.rep, title="<script>alert(1)</script>")
    html = login_as(org.rep).get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
