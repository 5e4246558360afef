"""Quick add of a note, call or task on the deal page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Org
from voronka.crm.models import Activity, TimelineEntry
from voronka.crm.tests.factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
URL = "/crm/activities/quick-add/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_url_is_named() -> None:
    assert reverse("crm:activity-quick-add") == URL


def test_a_note_prepends_to_the_timeline(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    TimelineEntry.unscoped.create(workspace=org.workspace, deal=deal, kind="deal_created", at=deal.created_at,
                                  data={"stage": "Lead"})
    response = _client(org.rep).post(URL, {"deal": deal.pk, "kind": "note", "body": "Client asked for a discount"},
                                     **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Client asked for a discount") < html.index("Deal created in Lead")
    assert 'id="quick-add"' in html and 'hx-swap-oob="true"' in html  # a fresh form
    note = Activity.unscoped.get(deal=deal)
    assert (note.kind, note.subject, note.owner_id, note.done_at is not None) == (
        "note", "Client asked for a discount", org.rep.pk, True)
    assert TimelineEntry.unscoped.filter(deal=deal, kind="note").count() == 1


def test_a_task_with_a_due_time_is_planned(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    response = _client(org.rep).post(URL, {"deal": deal.pk, "kind": "task", "subject": "Send the offer",
                                           "due_at": "2030-05-01T10:30"})
    assert response.status_code == 302
    task = Activity.unscoped.get(deal=deal)
    assert (task.kind, task.subject, task.done_at) == ("task", "Send the offer", None)
    # 10:30 in the workspace zone (Europe/Moscow, UTC+3) is 07:30 UTC
    assert task.due_at.isoformat() == "2030-05-01T07:30:00+00:00"


def test_an_empty_form_is_a_400_and_writes_nothing(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    response = _client(org.rep).post(URL, {"deal": deal.pk, "kind": "task", "subject": ""}, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#quick-add"
    assert "A task needs a subject." in response.content.decode()
    assert Activity.unscoped.count() == 0


def test_another_reps_or_workspaces_deal_is_404(org: Org, other_org: Org) -> None:
    theirs = make_deal(make_pipeline(org.workspace), owner=org.rep_south)
    foreign = make_deal(make_pipeline(other_org.workspace), owner=other_org.rep)
    client = _client(org.rep)
    assert client.post(URL, {"deal": theirs.pk, "kind": "note", "body": "x"}).status_code == 404
    assert _client(org.admin).post(URL, {"deal": foreign.pk, "kind": "note", "body": "x"}).status_code == 404
    assert client.post(URL, {"deal": "abc", "kind": "note", "body": "x"}).status_code == 404
    assert Activity.unscoped.count() == 0


def test_marketer_cannot_add(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    assert _client(org.marketer).post(URL, {"deal": deal.pk, "kind": "note", "body": "x"}).status_code == 403
    assert Activity.unscoped.count() == 0


def test_script_in_a_note_is_escaped(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    response = _client(org.rep).post(URL, {"deal": deal.pk, "kind": "note", "subject": "<script>x()</script>",
                                           "body": "<b>bold</b>"}, **HTMX)
    html = response.content.decode()
    assert "<script>x()" not in html and "<b>bold" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html


def test_queries_do_not_grow_with_the_timeline(org: Org, django_assert_max_num_queries) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    client = _client(org.rep)
    for n in range(20):
        TimelineEntry.unscoped.create(workspace=org.workspace, deal=deal, kind="note", at=deal.created_at,
                                      actor=org.rep, data={"subject": f"n{n}"})
    with django_assert_max_num_queries(22):
        client.post(URL, {"deal": deal.pk, "kind": "note", "body": "one more"}, **HTMX)
