"""Setting goals through the SMART check: each property explained, field errors, confirmation, visibility."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from conftest import Org
from voronka.accounts.models import Membership
from voronka.accounts.roles import Role
from voronka.accounts.tests.factories import MembershipFactory, UserFactory
from voronka.core.errors import ConflictError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.goals.models import Goal, GoalStatus
from voronka.goals.services.goals import GoalNotSmartError, goal_archive, goal_check, goal_create, goal_update

from .factories import at, goal, objective, won

NOW = at("2026-11-15", 12)
# Company revenue per quarter, 2024-Q4 … 2026-Q3 (2023-Q4 … 2024-Q3 had nothing yet): p95 176,500; median 145,000.
QUARTERS = {"2024-11-10": 120_000, "2025-02-10": 100_000, "2025-05-10": 140_000, "2025-08-10": 160_000,
            "2025-11-10": 150_000, "2026-02-10": 170_000, "2026-05-10": 130_000, "2026-08-10": 180_000}

pytestmark = pytest.mark.usefixtures("scoped")


@pytest.fixture
def history(org: Org) -> Org:
    for day, amount in QUARTERS.items():
        won(org.workspace, org.rep, day, amount)
    return org


def _data(org: Org, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"metric": "revenue", "scope": "company", "target": "170000", "period_kind": "quarter",
                            "period_start": "2026-11-03", "pace": "seasonal"}
    if "objective_id" not in overrides:
        data["objective_id"] = objective(org.workspace).pk
    data.update(overrides)
    return data


def _levels(check: Any) -> dict[str, str]:
    return {item.key: item.level for item in check.items}


def test_a_realistic_goal_passes_every_property(history: Org) -> None:
    draft, check = goal_check(actor=history.actor(history.admin), data=_data(history), now=NOW)
    assert draft.errors == {}
    assert (draft.period_start, draft.period_end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert _levels(check) == dict.fromkeys(("specific", "measurable", "achievable", "relevant", "time_bound"), "ok")
    # history: twelve quarters through the engine, the four before the first sale are empty
    assert [p.label for p in check.history][:2] == ["2023-Q4", "2024-Q1"]
    assert [p.value for p in check.history][4:] == [Decimal(v).quantize(Decimal("0.01")) for v in QUARTERS.values()]
    assert check.judgement is not None
    assert (check.judgement.periods, check.judgement.bound, check.judgement.median) == (8, 176_500.0, 145_000.0)


def test_an_unrealistic_target_is_flagged_with_the_growth_it_needs(history: Org) -> None:
    _draft, check = goal_check(actor=history.actor(history.admin), data=_data(history, target="200000"), now=NOW)
    item = check.item("achievable")
    assert item.level == "warning"
    assert "₽176,500.00" in item.message  # the 95th percentile
    assert "+11\u00a0%" in item.message and "+38\u00a0%" in item.message  # vs 180,000 last, vs 145,000 median
    assert "₽180,000.00" in item.message and "₽145,000.00" in item.message
    assert check.needs_confirmation


def test_saving_an_unrealistic_target_needs_confirmation(history: Org) -> None:
    actor = history.actor(history.manager)
    data = _data(history, target="200000", scope="team", team_id=history.sales.pk)
    with pytest.raises(GoalNotSmartError) as refused:
        goal_create(actor=actor, data=data, now=NOW)
    assert refused.value.code == "target_unrealistic"
    assert list(refused.value.fields) == ["target"]
    assert refused.value.extra["smart"]["needs_confirmation"] is True
    assert Goal.objects.count() == 0
    saved = goal_create(actor=actor, data=data, confirm=True, now=NOW)
    assert saved.stretch_confirmed and saved.target == Decimal("200000")
    assert (saved.scope, saved.team_id, saved.owner_id, saved.created_by_id) == (
        "team", history.sales.pk, history.manager.pk, history.manager.pk)
    assert AuditEntry.objects.filter(action="goals.goal.create", target_id=str(saved.pk)).count() == 1


@pytest.mark.parametrize(("overrides", "field", "property_key"), [
    ({"metric": ""}, "metric", "specific"),
    ({"metric": "no_such_metric"}, "metric", "measurable"),
    ({"metric": "stalled_deals"}, "metric", "measurable"),
    ({"metric": "stage_conversion"}, "metric", "measurable"),
    ({"scope": "team"}, "team_id", "specific"),
    ({"objective_id": None}, "objective_id", "relevant"),
    ({"period_kind": "custom", "period_start": "2026-10-01", "period_end": None}, "period_end", "time_bound"),
])
def test_each_property_explains_what_is_wrong_and_nothing_is_saved(
        history: Org, overrides: dict[str, Any], field: str, property_key: str) -> None:
    actor = history.actor(history.admin)
    _draft, check = goal_check(actor=actor, data=_data(history, **overrides), now=NOW)
    assert check.item(property_key).level == "error"
    assert check.item(property_key).message
    with pytest.raises(GoalNotSmartError) as refused:
        goal_create(actor=actor, data=_data(history, **overrides), now=NOW)
    assert refused.value.code == "goal_not_smart"
    assert field in refused.value.fields
    assert Goal.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"target": "a lot"}, "target", "Enter a number."),
    ({"target": ""}, "target", "Enter a target."),
    ({"target": "-5"}, "target", "The target cannot be negative."),
    ({"target": "1e20"}, "target", "The number is too large."),
    ({"target": "100.005"}, "target", "Money targets are in kopecks: at most two decimal places."),
    ({"metric": "deals_won", "target": "10.5"}, "target", "Deals won is a count: enter a whole number."),
    ({"metric": "win_rate", "target": "35"}, "target",
     "Win rate is a share: enter a value between 0 and 1 (0.35 for 35 %)."),
    ({"period_kind": "custom", "period_start": "2026-10-10", "period_end": "2026-10-01"}, "period_end",
     "The period ends before it starts."),
    ({"period_start": "tomorrow"}, "period_start", "Enter a date as YYYY-MM-DD."),
    ({"period_kind": "fortnight"}, "period_kind", "Choose month, quarter, year or custom dates."),
    ({"objective_id": 999_999}, "objective_id", "Choose an active objective of this workspace."),
])
def test_bad_input_is_a_field_error(history: Org, overrides: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(GoalNotSmartError) as refused:
        goal_create(actor=history.actor(history.admin), data=_data(history, **overrides), now=NOW)
    assert message in refused.value.fields[field]
    assert Goal.objects.count() == 0


def test_a_scope_the_actor_may_not_see_is_refused(history: Org) -> None:
    # Given a manager of North only
    north_manager = UserFactory(email="north-boss@acme.test")
    MembershipFactory(workspace=history.workspace, user=north_manager, role=Role.MANAGER, team=history.north)
    actor = history.actor(north_manager)
    cases = [({"scope": "team", "team_id": history.south.pk}, "team_id",
              "Choose a team whose numbers you can see."),
             ({"scope": "rep", "user_id": history.rep_south.pk}, "user_id",
              "Choose a member whose numbers you can see."),
             ({"scope": "company"}, "scope",
              "Only members who see the whole company's numbers can set a company goal."),
             ({"scope": "team", "team_id": "x"}, "team_id", "Choose a team whose numbers you can see.")]
    for overrides, field, message in cases:
        with pytest.raises(GoalNotSmartError) as refused:
            goal_create(actor=actor, data=_data(history, **overrides), now=NOW)
        assert refused.value.fields[field] == [message] or message in refused.value.fields[field]
    assert Goal.objects.count() == 0
    # while North and its rep are fine
    saved = goal_create(actor=actor, data=_data(history, scope="rep", user_id=history.rep.pk), now=NOW)
    assert (saved.user_id, saved.team_id, saved.owner_id) == (history.rep.pk, history.north.pk, history.rep.pk)


def test_another_workspaces_team_is_refused(history: Org, other_org: Org) -> None:
    with pytest.raises(GoalNotSmartError) as refused:
        goal_create(actor=history.actor(history.admin),
                    data=_data(history, scope="team", team_id=other_org.north.pk), now=NOW)
    assert "team_id" in refused.value.fields
    assert Goal.unscoped.count() == 0


def test_reps_and_marketers_cannot_set_goals(history: Org) -> None:
    for user in (history.rep, history.marketer):
        with pytest.raises(PermissionDeniedError):
            goal_create(actor=history.actor(user), data=_data(history), now=NOW)
    assert Goal.objects.count() == 0


def test_update_checks_the_version_and_keeps_split_goals_fixed(history: Org) -> None:
    actor = history.actor(history.admin)
    saved = goal_create(actor=actor, data=_data(history), now=NOW)
    changed = goal_update(actor=actor, goal=saved, data={"target": "160000"}, version=1, now=NOW)
    assert (changed.target, changed.version) == (Decimal("160000"), 2)
    with pytest.raises(ConflictError):
        goal_update(actor=actor, goal=changed, data={"target": "150000"}, version=1, now=NOW)
    assert Goal.objects.get().target == Decimal("160000")
    goal(history.workspace, scope="team", team=history.north, parent=changed, target="1")
    with pytest.raises(Exception) as locked:
        goal_update(actor=actor, goal=changed, data={"metric": "new_deals"}, version=2, now=NOW)
    assert getattr(locked.value, "code", "") == "goal_split_locked"


def test_update_of_a_confirmed_stretch_keeps_the_confirmation(history: Org) -> None:
    actor = history.actor(history.admin)
    saved = goal_create(actor=actor, data=_data(history, target="200000"), confirm=True, now=NOW)
    changed = goal_update(actor=actor, goal=saved, data={"pace": "linear"}, version=1, now=NOW)
    assert changed.pace == "linear" and changed.stretch_confirmed
    with pytest.raises(GoalNotSmartError):  # a new unrealistic target asks again
        goal_update(actor=actor, goal=changed, data={"target": "250000"}, version=2, now=NOW)


def test_archive_takes_the_parts_along(org: Org) -> None:
    parent = goal(org.workspace)
    child = goal(org.workspace, scope="team", team=org.north, parent=parent, target="1")
    grandchild = goal(org.workspace, scope="rep", user=org.rep, team=org.north, parent=child, target="1")
    other = goal(org.workspace, target="5")
    goal_archive(actor=org.actor(org.manager), goal=parent)
    statuses = dict(Goal.objects.values_list("pk", "status"))
    assert statuses == {parent.pk: GoalStatus.ARCHIVED, child.pk: GoalStatus.ARCHIVED,
                        grandchild.pk: GoalStatus.ARCHIVED, other.pk: GoalStatus.ACTIVE}
    assert Membership.objects.count() == 5  # nothing else touched


def test_past_periods_are_kept_briefly_per_viewer(history: Org) -> None:
    # Given the admin's live check has read the history
    data = _data(history)
    _draft, first = goal_check(actor=history.actor(history.admin), data=data, now=NOW)
    # When a deal is added to a past quarter
    won(history.workspace, history.rep, "2026-08-11", 20_000)
    # Then the admin's next keystroke reuses the history; another viewer reads it afresh
    _draft, again = goal_check(actor=history.actor(history.admin), data={**data, "target": "1"}, now=NOW)
    _draft, other = goal_check(actor=history.actor(history.marketer), data=data, now=NOW)
    assert again.history == first.history
    assert other.history[-1].value == Decimal("200000.00")
