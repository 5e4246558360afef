"""Splitting goals: by history (exact shares of the engine's numbers) or equally; sums exact to the kopeck."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import Org
from voronka.accounts.roles import Role
from voronka.accounts.tests.factories import MembershipFactory, UserFactory
from voronka.core.models import AuditEntry
from voronka.goals.models import Goal
from voronka.goals.services.split import SplitError, goal_split, goal_split_plan

from .factories import at, goal, won

NOW = at("2026-11-15", 12)

pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def north_reps(org: Org) -> list:  # type: ignore[type-arg]
    extra = []
    for email in ("b@acme.test", "c@acme.test"):
        user = UserFactory(email=email, full_name=email[0].upper() + " Rep")
        MembershipFactory(workspace=org.workspace, user=user, role=Role.REP, team=org.north)
        extra.append(user)
    return [org.rep, *extra]


def test_by_history_gives_each_team_its_share_of_the_last_four_quarters(org: Org) -> None:
    # North won 200,000 and South 100,000 in 2025-Q4 … 2026-Q3; older and newer sales do not count
    won(org.workspace, org.rep, "2025-10-05", 150_000)
    won(org.workspace, org.rep, "2026-09-30", 50_000, hour=23, minute=30)
    won(org.workspace, org.rep_south, "2026-03-01", 100_000)
    won(org.workspace, org.rep_south, "2025-09-30", 900_000)  # 2025-Q3: before the window
    won(org.workspace, org.rep, "2026-10-02", 900_000)  # this quarter: not history
    parent = goal(org.workspace, target="1000000.00")
    plan = goal_split_plan(actor=org.actor(org.admin), goal=parent, now=NOW)
    assert (plan.mode_used, str(plan.history_from), str(plan.history_to)) == ("history", "2025-10-01", "2026-09-30")
    assert [(row.label, row.history, row.target) for row in plan.rows] == [
        ("North", Decimal("200000.00"), Decimal("666666.67")),  # ⅔ — the spare kopeck (largest fraction)
        ("South", Decimal("100000.00"), Decimal("333333.33")),
    ]
    assert plan.sums_to_target
    assert Goal.objects.count() == 1  # a preview saves nothing


def test_confirming_creates_the_parts(org: Org) -> None:
    won(org.workspace, org.rep, "2026-05-05", 300)
    won(org.workspace, org.rep_south, "2026-05-05", 100)
    parent = goal(org.workspace, target="1000.00", pace="linear")
    _plan, children = goal_split(actor=org.actor(org.admin), goal=parent, now=NOW)
    assert [(c.scope, c.team_id, c.target, c.parent_id, c.pace, c.period_start) for c in children] == [
        ("team", org.north.pk, Decimal("750.00"), parent.pk, "linear", parent.period_start),
        ("team", org.south.pk, Decimal("250.00"), parent.pk, "linear", parent.period_start)]
    assert AuditEntry.objects.filter(action="goals.goal.split").count() == 1
    with pytest.raises(SplitError) as again:
        goal_split(actor=org.actor(org.admin), goal=parent, now=NOW)
    assert again.value.code == "already_split"
    assert Goal.objects.count() == 3


def test_equal_split_of_a_team_goal_among_its_reps(org: Org, north_reps: list) -> None:  # type: ignore[type-arg]
    parent = goal(org.workspace, scope="team", team=org.north, target="100.00")
    plan = goal_split_plan(actor=org.actor(org.manager), goal=parent, mode="equal", child_scope="rep", now=NOW)
    assert sorted(row.target for row in plan.rows) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert plan.rows[0].target == Decimal("33.34")  # the remainder goes to the first in order
    counts = goal(org.workspace, metric="deals_won", scope="team", team=org.north, target="10")
    _plan, children = goal_split(actor=org.actor(org.manager), goal=counts, mode="equal", child_scope="rep", now=NOW)
    assert [c.target for c in children] == [Decimal(4), Decimal(3), Decimal(3)]
    assert {c.user_id for c in children} == {u.pk for u in north_reps}
    assert all(c.team_id == org.north.pk and c.owner_id == c.user_id for c in children)


def test_without_history_the_split_is_equal_with_a_note(org: Org) -> None:
    parent = goal(org.workspace, target="10.00")
    plan = goal_split_plan(actor=org.actor(org.admin), goal=parent, now=NOW)
    assert plan.mode_used == "equal" and "equal" in plan.note
    assert [row.target for row in plan.rows] == [Decimal("5.00"), Decimal("5.00")]


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"children": "north"}, "invalid_split"),
    ({"mode": "random"}, "invalid_split"),
    ({"child_scope": "company"}, "invalid_split"),
    ({"children": []}, "no_children"),
])
def test_bad_split_requests(org: Org, kwargs: dict, code: str) -> None:  # type: ignore[type-arg]
    parent = goal(org.workspace)
    with pytest.raises(SplitError) as refused:
        goal_split(actor=org.actor(org.admin), goal=parent, now=NOW, **kwargs)
    assert refused.value.code == code
    assert Goal.objects.count() == 1


def test_children_must_be_below_the_goal_and_not_overlap(org: Org, other_org: Org) -> None:
    actor = org.actor(org.admin)
    company = goal(org.workspace)
    with pytest.raises(SplitError, match="count twice"):
        goal_split_plan(actor=actor, goal=company, children=[org.sales.pk, org.north.pk])
    with pytest.raises(SplitError):
        goal_split_plan(actor=actor, goal=company, children=[other_org.north.pk])
    north = goal(org.workspace, scope="team", team=org.north)
    with pytest.raises(SplitError, match="not below"):
        goal_split_plan(actor=actor, goal=north, children=[org.south.pk])
    with pytest.raises(SplitError, match="not in the goal's team"):
        goal_split_plan(actor=actor, goal=north, child_scope="rep", children=[org.rep_south.pk])


def test_ratios_and_rep_goals_are_not_split(org: Org) -> None:
    actor = org.actor(org.admin)
    with pytest.raises(SplitError) as ratio:
        goal_split_plan(actor=actor, goal=goal(org.workspace, metric="win_rate", target="0.3"))
    assert ratio.value.code == "metric_not_additive"
    with pytest.raises(SplitError) as rep:
        goal_split_plan(actor=actor, goal=goal(org.workspace, scope="rep", user=org.rep, team=org.north))
    assert rep.value.code == "cannot_split"
