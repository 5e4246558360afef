"""services/pipelines.py: seeding, pipeline and stage rules, lost reasons."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Org
from voronka.core.errors import ApplicationError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.crm.models import CustomField, LostReason, Pipeline, Stage, StageKind
from voronka.crm.services.pipelines import (
    lost_reason_create,
    lost_reason_update,
    pipeline_create,
    pipeline_delete,
    pipeline_seed_defaults,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_reorder,
    stage_update,
)
from voronka.crm.tests.deals_factories import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db


def stages_of(pipeline: Pipeline) -> list[tuple[str, int, str, int | None]]:
    return [(s.name, s.probability, s.kind, s.stalled_after_days)
            for s in Stage.objects.filter(pipeline=pipeline).order_by("order", "id")]


def test_seed_defaults_is_idempotent(org: Org, scoped: object) -> None:
    # When the defaults are seeded twice
    first = pipeline_seed_defaults(workspace=org.workspace)
    second = pipeline_seed_defaults(workspace=org.workspace)
    # Then one default pipeline with the standard stages and reasons
    assert first.pk == second.pk
    assert first.is_default is True
    assert Pipeline.objects.count() == 1
    assert stages_of(first) == [
        ("Lead", 10, "open", 14), ("Qualified", 25, "open", 14), ("Proposal", 50, "open", 21),
        ("Negotiation", 75, "open", 14), ("Won", 100, "won", None), ("Lost", 0, "lost", None),
    ]
    assert sorted(LostReason.objects.values_list("name", flat=True)) == [
        "Competitor", "No budget", "No decision", "No response", "Price", "Timing",
    ]


def test_pipeline_create_needs_configure(org: Org, scoped: object) -> None:
    with pytest.raises(PermissionDeniedError):
        pipeline_create(actor=org.actor(org.manager), name="B2B")
    assert Pipeline.objects.count() == 0


def test_pipeline_create_update_default(org: Org, scoped: object) -> None:
    actor = org.actor(org.admin)
    a = pipeline_create(actor=actor, name="A", is_default=True)
    b = pipeline_create(actor=actor, name=" B ", team=org.north)
    assert b.name == "B" and b.team == org.north and b.order == a.order + 1
    assert [s[2] for s in stages_of(b)].count("won") == 1
    pipeline_update(actor=actor, pipeline=b, is_default=True, team=None, name="B2")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.is_default, b.is_default, b.team_id, b.name) == (False, True, None, "B2")
    assert AuditEntry.objects.filter(action="pipeline.update", target_id=str(b.pk)).count() == 1
    with pytest.raises(ApplicationError) as error:
        pipeline_create(actor=actor, name="A")
    assert error.value.fields == {"name": ["Choose another name."]}
    with pytest.raises(ApplicationError):
        pipeline_create(actor=actor, name="   ")


def test_pipeline_delete_refused_while_deals_exist(org: Org, scoped: object) -> None:
    actor = org.actor(org.admin)
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, owner=org.rep)
    with pytest.raises(ApplicationError) as error:
        pipeline_delete(actor=actor, pipeline=pipeline)
    assert error.value.code == "pipeline_in_use"
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()
    empty = make_pipeline(org.workspace, name="Empty")
    pipeline_delete(actor=actor, pipeline=empty)
    assert not Pipeline.objects.filter(pk=empty.pk).exists()


def test_stage_rules(org: Org, scoped: object) -> None:
    actor = org.actor(org.admin)
    pipeline = make_pipeline(org.workspace)
    CustomField.objects.create(workspace=org.workspace, entity="deal", key="budget", label="Budget")
    # a stage with valid required fields, appended at the end
    demo = stage_create(actor=actor, pipeline=pipeline, name="Demo", probability=40, stalled_after_days=7,
                        required_fields=["company", "amount", "custom.budget"])
    assert (demo.order, demo.required_fields) == (6, ["company", "amount", "custom.budget"])
    # unknown required fields, probability out of range, a second won stage are refused
    cases: list[tuple[dict[str, Any], str]] = [
        ({"required_fields": ["owner"]}, "required_fields"),
        ({"required_fields": ["custom.nope"]}, "required_fields"),
        ({"probability": 101}, "probability"),
        ({"probability": -1}, "probability"),
        ({"kind": "won"}, "kind"),
        ({"kind": "maybe"}, "kind"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ApplicationError) as error:
            stage_create(actor=actor, pipeline=pipeline, name=f"X{field}{kwargs}", **kwargs)
        assert field in error.value.fields
    assert Stage.objects.filter(pipeline=pipeline).count() == 7
    # the only won stage cannot become open, the only lost stage cannot go
    with pytest.raises(ApplicationError) as error:
        stage_update(actor=actor, stage=stage(pipeline, "Won"), kind="open")
    assert error.value.code == "stage_kinds"
    assert stage(pipeline, "Won").kind == StageKind.WON
    with pytest.raises(ApplicationError):
        stage_delete(actor=actor, stage=stage(pipeline, "Lost"))
    assert Stage.objects.filter(pipeline=pipeline, kind="lost").count() == 1
    # a second lost stage may be added, then one removed
    stage_create(actor=actor, pipeline=pipeline, name="Disqualified", kind="lost")
    stage_delete(actor=actor, stage=stage(pipeline, "Disqualified"))
    updated = stage_update(actor=actor, stage=demo, probability=45, name="Demo call", required_fields=[])
    assert (updated.probability, updated.name, updated.required_fields) == (45, "Demo call", [])


def test_stage_with_deals_cannot_be_deleted_or_change_kind(org: Org, scoped: object) -> None:
    actor = org.actor(org.admin)
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, owner=org.rep, stage_name="Proposal")
    proposal = stage(pipeline, "Proposal")
    with pytest.raises(ApplicationError) as error:
        stage_delete(actor=actor, stage=proposal)
    assert error.value.code == "stage_in_use"
    with pytest.raises(ApplicationError):
        stage_update(actor=actor, stage=proposal, kind="lost")
    assert Stage.objects.get(pk=proposal.pk).kind == "open"


def test_stage_config_needs_configure(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    for user in (org.manager, org.rep, org.marketer):
        with pytest.raises(PermissionDeniedError):
            stage_create(actor=org.actor(user), pipeline=pipeline, name="Nope")
        with pytest.raises(PermissionDeniedError):
            stage_update(actor=org.actor(user), stage=stage(pipeline, "Lead"), probability=1)
    assert Stage.objects.filter(pipeline=pipeline).count() == 6
    assert stage(pipeline, "Lead").probability == 10


def test_stage_reorder(org: Org, scoped: object) -> None:
    actor = org.actor(org.admin)
    pipeline = make_pipeline(org.workspace)
    current = list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("pk", flat=True))
    wanted = [current[1], current[0], *current[2:]]
    stage_reorder(actor=actor, pipeline=pipeline, stage_ids=wanted)
    assert list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("pk", flat=True)) == wanted
    for bad in (wanted[:-1], [*wanted, wanted[0]], [*wanted[:-1], 999_999]):
        with pytest.raises(ApplicationError):
            stage_reorder(actor=actor, pipeline=pipeline, stage_ids=bad)
    assert list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("pk", flat=True)) == wanted


def test_lost_reasons(org: Org, scoped: object) -> None:
    actor = org.actor(org.admin)
    reason = lost_reason_create(actor=actor, name="Too slow")
    lost_reason_update(actor=actor, lost_reason=reason, is_active=False)
    reason.refresh_from_db()
    assert (reason.name, reason.is_active) == ("Too slow", False)
    with pytest.raises(ApplicationError):
        lost_reason_create(actor=actor, name="Too slow")
    with pytest.raises(PermissionDeniedError):
        lost_reason_create(actor=org.actor(org.rep), name="Other")
    assert LostReason.objects.count() == 1
