"""Whose numbers: a rep counts only their rows, a manager their team subtree, nobody another workspace's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import Org
from voronka.channels.models import SalesChannel
from voronka.metrics.engine import Scope, metric_query_run
from voronka.metrics.selectors import metric_query_for, scope_for
from voronka.metrics.spec import metric_query_build

from .world import World, build_world, msk

NOW = msk(2024, 3, 15, 12)
METRICS = ["new_deals", "deals_won", "revenue", "pipeline_value", "stalled_deals", "new_leads", "activities_done"]


@pytest.fixture
def world(org: Org) -> World:
    return build_world(org)


def totals(org: Org, who: str, **spec):
    query = metric_query_build(metrics=spec.pop("metrics", METRICS), date_from="2024-01-01", date_to="2024-03-31",
                               **spec)
    return metric_query_for(actor=org.actor(getattr(org, who)), query=query, now=NOW).rows[0].values


@pytest.mark.parametrize(("who", "expected"), [
    # everything: D1–D9, C1–C3, A1–A3
    ("admin", {"new_deals": 8, "deals_won": 4, "revenue": Decimal("7500.00"), "pipeline_value": Decimal("5000.00"),
               "stalled_deals": 1, "new_leads": 3, "activities_done": 3}),
    ("marketer", {"new_deals": 8, "deals_won": 4, "revenue": Decimal("7500.00"),
                  "pipeline_value": Decimal("5000.00"), "stalled_deals": 1, "new_leads": 3, "activities_done": 3}),
    # the Sales subtree (Sales, North, South): all but the admin's D8, which has no team
    ("manager", {"new_deals": 8, "deals_won": 3, "revenue": Decimal("6000.00"), "pipeline_value": Decimal("5000.00"),
                 "stalled_deals": 1, "new_leads": 3, "activities_done": 3}),
    # own rows: D1, D3, D4, D6; C1, C3; A1, A2
    ("rep", {"new_deals": 4, "deals_won": 2, "revenue": Decimal("3000.00"), "pipeline_value": Decimal("1000.00"),
             "stalled_deals": 1, "new_leads": 2, "activities_done": 2}),
    # own rows: D2, D5, D9; C2; A3
    ("rep_south", {"new_deals": 3, "deals_won": 1, "revenue": Decimal("3000.00"),
                   "pipeline_value": Decimal("4000.00"), "stalled_deals": 0, "new_leads": 1, "activities_done": 1}),
])
def test_each_role_counts_what_it_may_see(world, who, expected):
    assert totals(world.org, who) == expected


def test_a_rep_breaking_down_by_owner_sees_only_their_own_row(world):
    org = world.org
    query = metric_query_build(metrics=["revenue"], date_from="2024-01-01", date_to="2024-03-31", slices=["owner"])
    result = metric_query_for(actor=org.actor(org.rep), query=query, now=NOW)
    assert [(row.slices, row.values) for row in result.rows] == [((org.rep.pk,), {"revenue": Decimal("3000.00")})]
    # and naming a colleague in a filter gives nothing, not their numbers
    assert totals(org, "rep", metrics=["revenue", "new_deals"], filters={"owner": [org.rep_south.pk]}) == {
        "revenue": Decimal("0.00"), "new_deals": 0}


def test_a_manager_of_a_lower_team_sees_that_subtree_only(world):
    org = world.org
    # given the manager moved down to manage North only
    from voronka.accounts.models import Membership

    Membership.unscoped.filter(workspace=org.workspace, user=org.manager).update(team=org.north)
    # then North's deals (the rep's D1, D3, D4, D6) and the manager's own D7 count; South's do not
    assert totals(org, "manager", metrics=["new_deals", "revenue"]) == {"new_deals": 5,
                                                                        "revenue": Decimal("3000.00")}


def test_reps_who_see_their_team_still_do_not_see_other_teams(world):
    org = world.org
    org.workspace.reps_see_team = True
    org.workspace.save()
    # North has only the rep's own deals; South's are still out of sight
    assert totals(org, "rep", metrics=["new_deals"]) == {"new_deals": 4}


def test_another_workspaces_ids_in_filters_give_nothing(world, other_org):
    org = world.org
    theirs = build_world(other_org)
    foreign = {
        "owner": [other_org.rep.pk], "team": [other_org.north.pk], "pipeline": [theirs.pipeline.pk],
        "channel": [theirs.market.pk], "product": [theirs.product_a.pk],
    }
    for key, values in foreign.items():
        assert totals(org, "admin", metrics=["new_deals", "revenue"], filters={key: values}) == {
            "new_deals": 0, "revenue": Decimal("0.00")}, key
    # and each workspace counts only its own rows
    assert totals(org, "admin", metrics=["revenue"]) == {"revenue": Decimal("7500.00")}
    assert totals(other_org, "admin", metrics=["revenue"]) == {"revenue": Decimal("7500.00")}
    assert totals(other_org, "admin", metrics=["new_deals"], filters={"owner": [org.rep.pk]}) == {"new_deals": 0}


def test_a_foreign_channel_label_is_never_shown(world, other_org):
    org = world.org
    SalesChannel.unscoped.create(workspace=other_org.workspace, name="Their secret channel")
    query = metric_query_build(metrics=["new_deals"], date_from="2024-01-01", date_to="2024-03-31",
                               slices=["channel"])
    result = metric_query_for(actor=org.actor(org.admin), query=query, now=NOW)
    assert "Their secret channel" not in {label for labels in result.labels.values() for label in labels.values()}


def test_work_without_a_request_builds_its_own_scope(world):
    # given a scheduled job: no active workspace, the viewer of the rep the report belongs to
    org = world.org
    viewer = org.actor(org.rep).viewer
    scope = Scope(workspace_id=org.workspace.pk, time_zone=org.workspace.time_zone, viewer=viewer, now=NOW)
    query = metric_query_build(metrics=["revenue"], date_from="2024-01-01", date_to="2024-03-31", slices=["team"])
    result = metric_query_run(scope=scope, query=query)
    # then it reads the same numbers the rep sees, labels included
    assert [(row.slices, row.values) for row in result.rows] == [((org.north.pk,), {"revenue": Decimal("3000.00")})]
    assert result.label("team", org.north.pk) == "North"
    assert scope_for(org.actor(org.rep), now=NOW) == scope
