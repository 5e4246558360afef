"""My tasks: today and overdue open tasks of the actor, and the done button."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Org
from voronka.crm.models import Activity, TimelineEntry
from voronka.crm.tests.factories import make_deal, make_pipeline

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _task(org: Org, owner, due: dt.datetime | None, subject: str = "Call", **kwargs) -> Activity:
    membership_team = {org.rep.pk: org.north, org.rep_south.pk: org.south}.get(owner.pk)
    return Activity.unscoped.create(workspace=org.workspace, owner=owner, team=membership_team, kind="task",
                                    subject=subject, due_at=due, **kwargs)


@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_every_role_gets_the_page(org: Org, role: str) -> None:
    response = _client(getattr(org, role)).get(reverse("crm:my-tasks"))
    assert response.status_code == 200
    assert 'id="tasks-empty"' in response.content.decode()


def test_overdue_and_today_only_own_open_tasks(org: Org) -> None:
    now = timezone.now()
    overdue = _task(org, org.rep, now - dt.timedelta(days=2), "Overdue one")
    today = _task(org, org.rep, now + dt.timedelta(minutes=1), "Today one")
    _task(org, org.rep, now + dt.timedelta(days=3), "Later")
    _task(org, org.rep, now - dt.timedelta(days=1), "Done already", done_at=now)
    _task(org, org.rep_south, now - dt.timedelta(days=1), "Someone else's")
    response = _client(org.rep).get(reverse("crm:my-tasks"))
    assert [t.pk for t in response.context["overdue"]] == [overdue.pk]
    assert [t.pk for t in response.context["due_today"]] == [today.pk]
    html = response.content.decode()
    assert "Later" not in html and "Someone else" not in html and "Done already" not in html


def test_done_button_completes_the_task_and_writes_the_timeline(org: Org) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    task = _task(org, org.rep, timezone.now(), "Send offer", deal=deal)
    response = _client(org.rep).post(reverse("crm:task-done", args=[task.pk]), {"outcome": "sent"}, **HTMX)
    assert response.status_code == 200
    assert "task-done" in response.content.decode()
    task.refresh_from_db()
    assert (task.done_at is not None, task.outcome) == (True, "sent")
    assert TimelineEntry.unscoped.filter(deal=deal, kind="activity_done").count() == 1
    again = _client(org.rep).post(reverse("crm:task-done", args=[task.pk]), {"outcome": "x"})
    assert again.status_code == 302
    task.refresh_from_db()
    assert task.outcome == "sent"


def test_someone_elses_or_foreign_task_is_404_and_unchanged(org: Org, other_org: Org) -> None:
    theirs = _task(org, org.rep_south, timezone.now())
    foreign = Activity.unscoped.create(workspace=other_org.workspace, owner=other_org.rep, kind="task",
                                       subject="x", due_at=timezone.now())
    assert _client(org.rep).post(reverse("crm:task-done", args=[theirs.pk])).status_code == 404
    assert _client(org.admin).post(reverse("crm:task-done", args=[foreign.pk])).status_code == 404
    assert Activity.unscoped.filter(done_at__isnull=False).count() == 0


def test_marketer_cannot_complete(org: Org) -> None:
    task = _task(org, org.rep, timezone.now())
    assert _client(org.marketer).post(reverse("crm:task-done", args=[task.pk])).status_code == 403
    task.refresh_from_db()
    assert task.done_at is None


def test_query_count_does_not_grow_with_tasks(org: Org) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    client = _client(org.rep)
    client.get(reverse("crm:my-tasks"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("crm:my-tasks"))
        return len(queries)

    _task(org, org.rep, timezone.now(), deal=deal)
    small = count()
    for _ in range(30):
        _task(org, org.rep, timezone.now() - dt.timedelta(days=1), deal=deal)
    assert count() == small <= 8
