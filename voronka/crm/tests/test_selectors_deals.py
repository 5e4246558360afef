"""selectors/deals.py: the filtered list, visibility, the stalled rule, the timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.crm.models import Deal, Tag, TimelineEntry
from voronka.crm.selectors.deals import deal_is_stalled, deal_list, deal_timeline, with_stalled
from voronka.crm.selectors.pipelines import pipeline_list
from voronka.crm.tests.deals_factories import make_deal, make_pipeline
from voronka.crm.tests.factories import make_company

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 20, 12, 0, tzinfo=dt.UTC)


def ids(queryset) -> set[int]:  # type: ignore[no-untyped-def]
    return {deal.pk for deal in queryset}


def test_rep_sees_own_manager_subtree_admin_all(org: Org, scoped: object) -> None:
    # Given deals of the rep (North), the southern rep and the admin
    pipeline = make_pipeline(org.workspace)
    mine = make_deal(pipeline, owner=org.rep)
    south = make_deal(pipeline, owner=org.rep_south)
    admins = make_deal(pipeline, owner=org.admin)
    # When each lists deals / Then each sees what the role allows
    assert ids(deal_list(actor=org.actor(org.rep))) == {mine.pk}
    assert ids(deal_list(actor=org.actor(org.manager))) == {mine.pk, south.pk}
    assert ids(deal_list(actor=org.actor(org.admin))) == {mine.pk, south.pk, admins.pk}
    assert ids(deal_list(actor=org.actor(org.marketer))) == {mine.pk, south.pk, admins.pk}


def test_other_workspace_never_listed(org: Org, other_org: Org, scoped: object) -> None:
    make_deal(make_pipeline(other_org.workspace), owner=other_org.admin)
    assert list(deal_list(actor=org.actor(org.admin))) == []


def test_filters(org: Org, scoped: object) -> None:
    # Given deals that differ in one attribute each
    pipeline = make_pipeline(org.workspace)
    acme = make_company(org.workspace, owner=org.admin, name="Acme Steel")
    a = make_deal(pipeline, owner=org.admin, title="Boiler", amount=500, company=acme, lead_source="web",
                  expected_close_date=dt.date(2025, 4, 1))
    b = make_deal(pipeline, owner=org.rep, stage_name="Proposal", amount=5000, title="Pump",
                  expected_close_date=dt.date(2025, 6, 1))
    c = make_deal(pipeline, owner=org.admin, stage_name="Won", amount=50, title="Valve",
                  created_at=dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    tag = Tag.objects.create(workspace=org.workspace, name="vip")
    b.tags.add(tag)
    actor = org.actor(org.admin)
    # When filtered / Then exactly the matching deals
    assert ids(deal_list(actor=actor, search="acme")) == {a.pk}
    assert ids(deal_list(actor=actor, search="PUMP")) == {b.pk}
    assert ids(deal_list(actor=actor, stage_id=b.stage_id)) == {b.pk}
    assert ids(deal_list(actor=actor, status="won")) == {c.pk}
    assert ids(deal_list(actor=actor, owner_id=org.rep.pk)) == {b.pk}
    assert ids(deal_list(actor=actor, team_id=org.north.pk)) == {b.pk}
    assert ids(deal_list(actor=actor, company_id=acme.pk)) == {a.pk}
    assert ids(deal_list(actor=actor, lead_source="web")) == {a.pk}
    assert ids(deal_list(actor=actor, tag="vip")) == {b.pk}
    assert ids(deal_list(actor=actor, amount_min=Decimal(100), amount_max=Decimal(1000))) == {a.pk}
    assert ids(deal_list(actor=actor, close_from=dt.date(2025, 5, 1))) == {b.pk}
    assert ids(deal_list(actor=actor, close_to=dt.date(2025, 5, 1))) == {a.pk}
    assert ids(deal_list(actor=actor, created_to=dt.date(2024, 12, 31))) == {c.pk}
    assert ids(deal_list(actor=actor, created_from=dt.date(2025, 1, 1))) == {a.pk, b.pk}
    assert ids(deal_list(actor=actor, pipeline_id=pipeline.pk)) == {a.pk, b.pk, c.pk}
    assert ids(deal_list(actor=actor, custom={"nope": "x"})) == set()


def test_ordering_whitelist(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    small = make_deal(pipeline, owner=org.admin, amount=1)
    big = make_deal(pipeline, owner=org.admin, amount=9)
    actor = org.actor(org.admin)
    assert [d.pk for d in deal_list(actor=actor, ordering="-amount")] == [big.pk, small.pk]
    assert [d.pk for d in deal_list(actor=actor, ordering="amount")] == [small.pk, big.pk]
    # an unknown field falls back to newest first instead of failing or leaking a column
    assert [d.pk for d in deal_list(actor=actor, ordering="owner__password")] == [big.pk, small.pk]


def test_stalled_rule_with_fixed_times(org: Org, scoped: object) -> None:
    # Given Lead stalls after 14 days; deals entered 15 days, 13 days ago, a won one long ago
    pipeline = make_pipeline(org.workspace)
    old = make_deal(pipeline, owner=org.admin, created_at=NOW - dt.timedelta(days=15))
    fresh = make_deal(pipeline, owner=org.admin, created_at=NOW - dt.timedelta(days=13))
    closed = make_deal(pipeline, owner=org.admin, stage_name="Won", created_at=NOW - dt.timedelta(days=400))
    actor = org.actor(org.admin)
    # When the stalled filter runs at NOW
    stalled = ids(deal_list(actor=actor, stalled=True, now=NOW))
    not_stalled = ids(deal_list(actor=actor, stalled=False, now=NOW))
    # Then only the open deal past its stage's limit is stalled, the same in SQL and in Python
    assert stalled == {old.pk}
    assert not_stalled == {fresh.pk, closed.pk}
    flags = {d.pk: d.is_stalled for d in with_stalled(Deal.objects.all(), NOW)}  # type: ignore[attr-defined]
    assert flags == {old.pk: True, fresh.pk: False, closed.pk: False}
    for deal in Deal.objects.select_related("stage"):
        assert deal_is_stalled(deal, NOW) is flags[deal.pk]


def test_list_query_count_does_not_grow(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    actor = org.actor(org.admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            for deal in deal_list(actor=actor):
                _ = (deal.stage.name, deal.owner, deal.company, [c.pk for c in deal.contact_list],  # type: ignore[attr-defined]
                     [t.name for t in deal.tag_list])  # type: ignore[attr-defined]
        return len(queries)

    make_deal(pipeline, owner=org.admin)
    one = count()
    for _ in range(5):
        make_deal(pipeline, owner=org.rep, company=make_company(org.workspace, owner=org.rep))
    assert count() == one == 3


def test_timeline_newest_first_with_actor(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.admin)
    first = TimelineEntry.objects.create(workspace=org.workspace, kind="note", at=NOW, deal=deal, actor=org.rep)
    second = TimelineEntry.objects.create(workspace=org.workspace, kind="note", at=NOW + dt.timedelta(hours=1),
                                          deal=deal, actor=org.admin)
    entries = list(deal_timeline(deal=deal))
    assert [e.pk for e in entries] == [second.pk, first.pk]
    assert entries[0].actor == org.admin


def test_pipeline_list_visibility(org: Org, scoped: object) -> None:
    # Given a workspace pipeline, one for North and one for South
    everyone = make_pipeline(org.workspace, name="All")
    north = make_pipeline(org.workspace, name="North", team=org.north)
    south = make_pipeline(org.workspace, name="South", team=org.south)
    # Then reps see theirs, the manager the subtree, the admin all
    assert ids(pipeline_list(actor=org.actor(org.rep))) == {everyone.pk, north.pk}
    assert ids(pipeline_list(actor=org.actor(org.rep_south))) == {everyone.pk, south.pk}
    assert ids(pipeline_list(actor=org.actor(org.manager))) == {everyone.pk, north.pk, south.pk}
    assert ids(pipeline_list(actor=org.actor(org.admin))) == {everyone.pk, north.pk, south.pk}
    stages = [s.name for s in pipeline_list(actor=org.actor(org.admin)).get(pk=everyone.pk).stages.all()]
    assert stages == ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
