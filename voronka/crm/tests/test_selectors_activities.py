"""selectors/activities.py: filters, overdue, my tasks in the workspace time zone, query count."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import Org
from voronka.crm.selectors.activities import activity_list, my_tasks
from voronka.crm.tests.factories import make_company, make_deal, make_pipeline
from voronka.crm.tests.records_factories import make_activity


def subjects(queryset: object) -> list[str]:
    return [activity.subject for activity in queryset]  # type: ignore[attr-defined]


def test_filters_and_visibility(org: Org, scoped: object) -> None:
    now = timezone.now()
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    company = make_company(org.workspace, org.rep)
    make_activity(org.workspace, org.rep, subject="late call", kind="call", due_at=now - dt.timedelta(hours=1),
                  deal=deal)
    make_activity(org.workspace, org.rep, subject="done note", kind="note", done_at=now, company=company)
    make_activity(org.workspace, org.rep_south, subject="south task", due_at=now + dt.timedelta(days=2))
    rep, admin = org.actor(org.rep), org.actor(org.admin)
    assert sorted(subjects(activity_list(actor=rep))) == ["done note", "late call"]
    assert subjects(activity_list(actor=admin, kind="call")) == ["late call"]
    assert subjects(activity_list(actor=admin, done=True)) == ["done note"]
    assert sorted(subjects(activity_list(actor=admin, done=False))) == ["late call", "south task"]
    assert subjects(activity_list(actor=admin, overdue=True)) == ["late call"]
    assert subjects(activity_list(actor=admin, deal_id=deal.pk)) == ["late call"]
    assert subjects(activity_list(actor=admin, company_id=company.pk)) == ["done note"]
    assert subjects(activity_list(actor=admin, owner_id=org.rep_south.pk)) == ["south task"]
    assert subjects(activity_list(actor=admin, search="SOUTH")) == ["south task"]
    assert subjects(activity_list(actor=admin, ordering="due_at")) == ["late call", "south task", "done note"]


def test_my_tasks_are_todays_and_overdue_in_the_workspace_zone(org: Org, scoped: object) -> None:
    today = dt.date(2025, 3, 10)
    moscow = dt.timezone(dt.timedelta(hours=3))
    make_activity(org.workspace, org.rep, subject="overdue", due_at=dt.datetime(2025, 3, 9, 12, tzinfo=moscow))
    make_activity(org.workspace, org.rep, subject="today late", due_at=dt.datetime(2025, 3, 10, 23, 30, tzinfo=moscow))
    make_activity(org.workspace, org.rep, subject="tomorrow", due_at=dt.datetime(2025, 3, 11, 0, 30, tzinfo=moscow))
    make_activity(org.workspace, org.rep, subject="done", due_at=dt.datetime(2025, 3, 9, tzinfo=moscow),
                  done_at=timezone.now())
    make_activity(org.workspace, org.rep_south, subject="not mine", due_at=dt.datetime(2025, 3, 9, tzinfo=moscow))
    make_activity(org.workspace, org.rep, subject="no due date")
    assert subjects(my_tasks(actor=org.actor(org.rep), today=today)) == ["overdue", "today late"]


def test_query_count_does_not_grow(org: Org, scoped: object, django_assert_max_num_queries: object) -> None:
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    for index in range(10):
        make_activity(org.workspace, org.rep, subject=f"a{index}", deal=deal)
    actor = org.actor(org.rep)
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        rows = list(activity_list(actor=actor))
        assert {(row.deal.title, row.owner.email) for row in rows} == {(deal.title, org.rep.email)}
