"""The database triggers behind the rollups: every write to a row a rollup reads leaves a change marker
for the UTC day it is dated on (before and after), and changes that alter every day delete the coverage.
Runs on SQLite and PostgreSQL (the triggers differ: row triggers there, statement triggers here).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import Org
from voronka.crm.models import Activity, Company, Deal, Stage, StageTransition
from voronka.metrics.models import RollupCoverage, RollupMarker
from voronka.metrics.rollups.build import rollups_refresh
from voronka.metrics.selectors import metric_query_for
from voronka.metrics.spec import metric_query_build

from .world import World, build_world, msk

UTC = dt.UTC


@pytest.fixture
def world(org: Org) -> World:
    built = build_world(org)
    rollups_refresh(workspace_id=org.workspace.pk, time_zone=org.workspace.time_zone, rebuild=True)
    assert not RollupMarker.unscoped.exists()  # a full build starts from no markers
    return built


def marks(world: World) -> set[tuple[str, dt.date]]:
    return set(RollupMarker.unscoped.filter(workspace_id=world.org.workspace.pk).values_list("rollup", "day"))


def covered(world: World) -> set[str]:
    return set(RollupCoverage.unscoped.filter(workspace_id=world.org.workspace.pk, first_day__isnull=False)
               .values_list("rollup", flat=True))


def test_updating_a_deal_marks_its_days_before_and_after(world):
    d1 = world.deals["D1"]  # created 5 Jan 10:00 MSK, won 31 Jan 23:30 MSK (20:30 UTC)
    Deal.unscoped.filter(pk=d1.pk).update(closed_at=msk(2024, 2, 2, 1, 0), amount=Decimal("1200"))
    assert marks(world) == {
        ("deals_closed", dt.date(2024, 1, 31)), ("deals_closed", dt.date(2024, 2, 1)),  # 22:00 UTC on 1 Feb
        ("deals_created", dt.date(2024, 1, 5)), ("deals_reached", dt.date(2024, 1, 5)),
    }


def test_an_open_deal_marks_its_expected_close_date_and_a_deleted_one_all_its_days(world):
    d6 = world.deals["D6"]  # open, created 20 Jan, expected 31 Mar
    Deal.unscoped.filter(pk=d6.pk).update(expected_close_date=dt.date(2024, 4, 10))
    assert ("deals_open", dt.date(2024, 3, 31)) in marks(world)
    assert ("deals_open", dt.date(2024, 4, 10)) in marks(world)
    RollupMarker.unscoped.all().delete()
    world.deals["D3"].delete()  # lost 20 Feb 12:00 MSK, created 3 Feb 09:00 MSK, with its transitions
    assert marks(world) == {("deals_closed", dt.date(2024, 2, 20)), ("deals_created", dt.date(2024, 2, 3)),
                            ("deals_reached", dt.date(2024, 2, 3))}


def test_a_moment_is_marked_with_its_utc_hour_and_a_date_without_one(world):
    d6 = world.deals["D6"]  # created 20 Jan 10:00 MSK (07:00 UTC), open, expected 31 Mar
    Deal.unscoped.filter(pk=d6.pk).update(amount=Decimal("1100"))
    hours = set(RollupMarker.unscoped.filter(workspace_id=world.org.workspace.pk).values_list("rollup", "day", "hour"))
    assert hours == {("deals_created", dt.date(2024, 1, 20), 7), ("deals_reached", dt.date(2024, 1, 20), 7),
                     ("deals_open", dt.date(2024, 3, 31), None)}


def test_a_new_deal_marks_its_days_once_however_many_rows_change(world):
    org = world.org
    stage = world.stages["Lead"]
    for hour in (1, 2, 3):
        for minute in (0, 30):
            at = dt.datetime(2024, 5, 1, hour, minute, tzinfo=UTC)
            Deal.unscoped.create(workspace=org.workspace, pipeline=world.pipeline, stage=stage, owner=org.rep,
                                 title=f"New {hour}:{minute}", created_at=at, stage_entered_at=at)
    rows = RollupMarker.unscoped.filter(workspace_id=org.workspace.pk, rollup="deals_created")
    assert sorted(rows.values_list("day", "hour")) == [(dt.date(2024, 5, 1), 1), (dt.date(2024, 5, 1), 2),
                                                       (dt.date(2024, 5, 1), 3)]


def test_activities_and_stage_transitions_mark_their_rollups(world):
    org = world.org
    make = Activity.unscoped.create
    make(workspace=org.workspace, owner=org.rep, kind="call", subject="Call", done_at=msk(2024, 4, 2, 10))
    d7 = world.deals["D7"]  # created 5 Mar 10:00 MSK
    StageTransition.unscoped.create(workspace=org.workspace, deal=d7, from_stage=world.stages["Lead"],
                                    to_stage=world.stages["Qualified"], at=timezone.now())
    assert marks(world) == {("activities_done", dt.date(2024, 4, 2)), ("deals_reached", dt.date(2024, 3, 5))}


def test_a_companys_new_industry_marks_its_deals_and_a_save_without_one_does_not(world):
    retail = world.retail  # D1's company
    retail.name = "Retail Co Ltd"
    retail.save()
    assert marks(world) == set()
    Company.unscoped.filter(pk=retail.pk).update(industry="Wholesale")
    assert marks(world) == {("deals_closed", dt.date(2024, 1, 31)), ("deals_created", dt.date(2024, 1, 5))}


def test_a_channel_fee_or_a_stage_probability_invalidates_whole_rollups(world):
    assert covered(world) == {"deals_closed", "deals_created", "deals_open", "activities_done", "deals_reached"}
    world.market.name = "Marketplace"
    world.market.save()
    assert len(covered(world)) == 5  # a rename changes no number
    world.market.fee_percent = Decimal("12.5")
    world.market.save()
    assert covered(world) == {"deals_created", "deals_open", "activities_done", "deals_reached"}
    Stage.unscoped.filter(pk=world.stages["Proposal"].pk).update(probability=55)
    assert covered(world) == {"deals_created", "activities_done"}


def test_another_workspaces_rollups_never_count(world, other_org):
    build_world(other_org)
    rollups_refresh(workspace_id=other_org.workspace.pk, time_zone=other_org.workspace.time_zone, rebuild=True)
    org = world.org
    query = metric_query_build(metrics=["revenue", "deals_won", "activities_done"], granularity="month",
                               date_from="2024-01-01", date_to="2024-03-31")
    for who in (org.admin, org.rep):
        result = metric_query_for(actor=org.actor(who), query=query, now=msk(2024, 3, 15, 12))
        totals = {key: sum(row.values[key] for row in result.rows) for key in ("revenue", "deals_won")}
        # the hand-worked totals of test_engine_values.py: all of it for the admin, D1 and D4 for the rep
        assert totals == ({"revenue": Decimal("7500.00"), "deals_won": 4} if who == org.admin
                          else {"revenue": Decimal("3000.00"), "deals_won": 2})
    assert RollupCoverage.unscoped.filter(workspace_id=other_org.workspace.pk).count() == 5
