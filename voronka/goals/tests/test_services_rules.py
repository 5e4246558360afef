"""Alert rules: what may be watched, by whom, and who may be told."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import Org
from voronka.core.errors import ConflictError, PermissionDeniedError
from voronka.goals.models import Alert, AlertRule
from voronka.goals.services.rules import RuleError, rule_create, rule_delete, rule_update

from .factories import goal

pytestmark = pytest.mark.usefixtures("scoped")


def _rule(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Revenue below plan", "kind": "threshold", "metric": "revenue", "scope": "company",
                            "comparison": "below", "threshold": "500000", "window": "month_to_date"}
    data.update(overrides)
    return data


def test_create_a_threshold_rule_owned_by_the_actor(org: Org) -> None:
    rule = rule_create(actor=org.actor(org.admin), data=_rule(recipient_ids=[org.admin.pk, org.marketer.pk]))
    assert (rule.owner_id, rule.threshold, rule.kind, rule.scope) == (org.admin.pk, Decimal("500000"), "threshold",
                                                                      "company")
    assert set(rule.recipients.values_list("pk", flat=True)) == {org.admin.pk, org.marketer.pk}


def test_a_ratio_threshold_is_a_share_and_a_snapshot_metric_may_be_watched(org: Org) -> None:
    actor = org.actor(org.manager)
    rule = rule_create(actor=actor, data=_rule(metric="win_rate", threshold="0.25", scope="team",
                                               team_id=org.north.pk))
    assert rule.threshold == Decimal("0.25")
    stalled = rule_create(actor=actor, data=_rule(metric="stalled_deals", comparison="above", threshold="5",
                                                  scope="team", team_id=org.sales.pk))
    assert stalled.metric_key == "stalled_deals"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": ""}, "name"),
    ({"metric": "nope"}, "metric"),
    ({"metric": "stage_conversion"}, "metric"),
    ({"threshold": "abc"}, "threshold"),
    ({"threshold": None}, "threshold"),
    ({"metric": "win_rate", "threshold": "25"}, "threshold"),
    ({"comparison": "sideways"}, "comparison"),
    ({"window": "forever"}, "window"),
    ({"kind": "control", "metric": "stalled_deals"}, "metric"),
    ({"kind": "control", "history_periods": 2}, "history_periods"),
    ({"kind": "control", "sigma": "0.5"}, "sigma"),
    ({"kind": "goal_at_risk", "goal_id": 123456}, "goal_id"),
    ({"recipient_ids": [987654]}, "recipient_ids"),
    ({"recipient_ids": "everyone"}, "recipient_ids"),
])
def test_bad_rules_are_field_errors(org: Org, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleError) as refused:
        rule_create(actor=org.actor(org.admin), data=_rule(**overrides))
    assert field in refused.value.fields
    assert AlertRule.objects.count() == 0


def test_recipients_must_see_the_numbers(org: Org) -> None:
    # the southern rep may not see North's numbers, the marketer and the manager may
    with pytest.raises(RuleError) as refused:
        rule_create(actor=org.actor(org.manager), data=_rule(scope="team", team_id=org.north.pk,
                                                              recipient_ids=[org.manager.pk, org.rep_south.pk]))
    assert refused.value.fields["recipient_ids"][0].endswith(f"{org.rep_south.display_name}.")
    rule = rule_create(actor=org.actor(org.manager), data=_rule(scope="rep", user_id=org.rep.pk,
                                                                recipient_ids=[org.manager.pk, org.rep.pk]))
    assert set(rule.recipients.values_list("pk", flat=True)) == {org.manager.pk, org.rep.pk}


def test_manager_cannot_watch_the_whole_company_and_reps_cannot_manage_rules(org: Org) -> None:
    with pytest.raises(RuleError) as refused:
        rule_create(actor=org.actor(org.manager), data=_rule())
    assert "scope" in refused.value.fields
    with pytest.raises(PermissionDeniedError):
        rule_create(actor=org.actor(org.rep), data=_rule(scope="rep", user_id=org.rep.pk))
    assert AlertRule.objects.count() == 0


def test_goal_at_risk_takes_the_goals_scope(org: Org) -> None:
    watched = goal(org.workspace, scope="team", team=org.north)
    rule = rule_create(actor=org.actor(org.manager), data={"name": "North at risk", "kind": "goal_at_risk",
                                                           "goal_id": watched.pk})
    assert (rule.goal_id, rule.metric_key, rule.scope, rule.team_id) == (watched.pk, "revenue", "team", org.north.pk)


def test_update_and_delete(org: Org) -> None:
    actor = org.actor(org.admin)
    rule = rule_create(actor=actor, data=_rule())
    changed = rule_update(actor=actor, rule=rule, data={"threshold": "400000", "is_active": False}, version=1)
    assert (changed.threshold, changed.is_active, changed.version, changed.name) == (
        Decimal("400000"), False, 2, "Revenue below plan")
    with pytest.raises(ConflictError):
        rule_update(actor=actor, rule=changed, data={"threshold": "1"}, version=1)
    Alert.objects.create(workspace=org.workspace, rule=changed, window_key="x", fired_at=changed.created_at)
    rule_delete(actor=actor, rule=changed)
    assert (AlertRule.objects.count(), Alert.objects.count()) == (0, 0)
