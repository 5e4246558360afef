"""services/activities.py, and deleting activities through services/records.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import Org
from voronka.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from voronka.crm.models import Activity, TimelineEntry
from voronka.crm.services.activities import activity_complete, activity_create, activity_delete, activity_update
from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline
from voronka.crm.tests.records_factories import make_activity


def test_create_a_task_linked_to_visible_records(org: Org, scoped: object) -> None:
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    contact = make_contact(org.workspace, org.rep)
    due = timezone.now() + dt.timedelta(days=1)
    activity = activity_create(actor=org.actor(org.rep), data={
        "kind": "call", "subject": " Call ", "due_at": due, "deal_id": deal.pk, "contact": contact,
        "done_at": timezone.now(), "team": org.south.pk,
    })
    assert (activity.kind, activity.subject, activity.due_at, activity.done_at) == ("call", "Call", due, None)
    assert (activity.deal_id, activity.contact_id, activity.company_id) == (deal.pk, contact.pk, None)
    assert (activity.owner_id, activity.team_id) == (org.rep.pk, org.north.pk)


def test_naive_due_is_read_in_the_workspace_zone(org: Org, scoped: object) -> None:
    activity = activity_create(actor=org.actor(org.rep), data={"subject": "x", "due_at": "2025-03-01T09:00:00"})
    assert activity.due_at == dt.datetime(2025, 3, 1, 6, 0, tzinfo=dt.UTC)  # Moscow is UTC+3


def test_a_note_is_done_at_once_and_on_the_timeline(org: Org, scoped: object) -> None:
    company = make_company(org.workspace, org.rep)
    note = activity_create(actor=org.actor(org.rep), data={"kind": "note", "subject": "Met", "body": "Long talk",
                                                           "company": company})
    assert note.done_at is not None
    entry = TimelineEntry.objects.get(kind="note")
    assert (entry.company_id, entry.data["activity_id"], entry.data["body"]) == (company.pk, note.pk, "Long talk")


@pytest.mark.parametrize(
    ("data", "field"),
    [({"subject": ""}, "subject"), ({"subject": "x" * 201}, "subject"), ({"subject": "x", "kind": "fax"}, "kind"),
     ({"subject": "x", "due_at": "tomorrow"}, "due_at"), ({"subject": "x", "due_at": "0001-01-01T00:00"}, "due_at")],
)
def test_create_refuses_bad_input(data: dict[str, object], field: str, org: Org, scoped: object) -> None:
    with pytest.raises(ApplicationError) as error:
        activity_create(actor=org.actor(org.rep), data=data)
    assert field in error.value.fields
    assert Activity.objects.count() == 0


def test_links_must_be_visible_and_marketers_cannot_log(org: Org, other_org: Org, scoped: object) -> None:
    hidden = make_deal(make_pipeline(org.workspace), org.rep_south)
    foreign = make_company(other_org.workspace, other_org.rep)
    with pytest.raises(NotFoundError):
        activity_create(actor=org.actor(org.rep), data={"subject": "x", "deal_id": hidden.pk})
    with pytest.raises(NotFoundError):
        activity_create(actor=org.actor(org.rep), data={"subject": "x", "company_id": foreign.pk})
    with pytest.raises(PermissionDeniedError):
        activity_create(actor=org.actor(org.marketer), data={"subject": "x"})
    assert Activity.objects.count() == 0


def test_complete_sets_done_and_writes_the_timeline_once(org: Org, scoped: object) -> None:
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    contact = make_contact(org.workspace, org.rep)
    activity = make_activity(org.workspace, org.rep, deal=deal, contact=contact)
    done = activity_complete(actor=org.actor(org.rep), activity=activity, outcome=" Agreed ")
    assert (done.outcome, done.version, done.done_at is not None) == ("Agreed", 2, True)
    entry = TimelineEntry.objects.get(kind="activity_done")
    assert (entry.deal_id, entry.contact_id, entry.company_id, entry.data["outcome"]) == (
        deal.pk, contact.pk, None, "Agreed")
    with pytest.raises(ApplicationError) as error:
        activity_complete(actor=org.actor(org.rep), activity=done)
    assert error.value.code == "already_done"
    assert TimelineEntry.objects.filter(kind="activity_done").count() == 1


def test_update_and_conflict(org: Org, scoped: object) -> None:
    activity = make_activity(org.workspace, org.rep, subject="Old")
    updated = activity_update(actor=org.actor(org.rep), activity=activity, data={"subject": "New"}, version=1)
    assert (updated.subject, updated.version) == ("New", 2)
    with pytest.raises(ConflictError):
        activity_update(actor=org.actor(org.rep), activity=activity, data={"subject": "Lost"}, version=1)
    activity.refresh_from_db()
    assert activity.subject == "New"


def test_reps_delete_only_their_own_activities(org: Org, scoped: object) -> None:
    own = make_activity(org.workspace, org.rep)
    theirs = make_activity(org.workspace, org.rep_south)
    with pytest.raises(PermissionDeniedError):
        activity_delete(actor=org.actor(org.rep), activity=theirs)
    activity_delete(actor=org.actor(org.rep), activity=own)
    assert list(Activity.objects.values_list("pk", flat=True)) == [theirs.pk]
    with pytest.raises(PermissionDeniedError):
        activity_delete(actor=org.actor(org.marketer), activity=make_activity(org.workspace, org.marketer))
