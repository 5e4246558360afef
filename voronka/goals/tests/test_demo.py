"""goals_seed_demo: an objective, a company quarterly revenue goal split to the teams by history, two rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from voronka.core.scoping import workspace_scope
from voronka.demo.generator import demo_load
from voronka.goals.models import AlertRule, Goal, Objective
from voronka.goals.services.demo import goals_seed_demo
from voronka.goals.services.evaluate import alerts_evaluate_workspace


@pytest.mark.django_db
def test_seed_once_with_parts_that_add_up() -> None:
    workspace = demo_load(fraction=0.02).workspace
    first = goals_seed_demo(workspace)
    second = goals_seed_demo(workspace)
    assert (first.created, second.created) == (True, False)
    assert second.goal.pk == first.goal.pk
    with workspace_scope(workspace):
        assert Objective.objects.count() == 1
        goal = Goal.objects.get(parent__isnull=True)
        assert (goal.metric_key, goal.scope, goal.period_kind) == ("revenue", "company", "quarter")
        assert goal.target > 0 and goal.target == goal.target.quantize(Decimal("1000"))
        children = list(Goal.objects.filter(parent=goal))
        assert {c.team.name for c in children} == {"Москва", "Санкт-Петербург", "Онлайн"}
        assert sum(c.target for c in children) == goal.target
        assert sorted(AlertRule.objects.values_list("kind", flat=True)) == ["control", "goal_at_risk"]
        # the rules evaluate without errors as the administrator sees the numbers
        summary = alerts_evaluate_workspace(workspace=workspace)
        assert (summary.rules, summary.skipped) == (2, 0)
