"""Pipelines, their stages and the lost-reason catalogue (configured by administrators)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.models import Team, Workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from ..models import CustomEntity, CustomField, Deal, LostReason, Pipeline, Stage, StageKind

# Deal fields a stage may require before a deal enters it; "custom.<key>" names a deal custom field.
GATE_FIELDS = ("company", "contacts", "amount", "expected_close_date", "channel", "lead_source")
CUSTOM_PREFIX = "custom."


def _standard_stages() -> list[tuple[str, int, str, int | None]]:
    # Translated when seeded: the workspace gets names in the language of whoever created it.
    return [
        (_("Lead"), 10, StageKind.OPEN, 14),
        (_("Qualified"), 25, StageKind.OPEN, 14),
        (_("Proposal"), 50, StageKind.OPEN, 21),
        (_("Negotiation"), 75, StageKind.OPEN, 14),
        (_("Won"), 100, StageKind.WON, None),
        (_("Lost"), 0, StageKind.LOST, None),
    ]


def _standard_lost_reasons() -> list[str]:
    return [_("Price"), _("Competitor"), _("No budget"), _("No decision"), _("Timing"), _("No response")]


def _clean_name(name: Any, *, field: str = "name", max_length: int = 120) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise ApplicationError(_("Fill in the name."), fields={field: [_("This field is required.")]})
    if len(name) > max_length:
        raise ApplicationError(
            _("The name is too long."), fields={field: [_("At most %(n)d characters.") % {"n": max_length}]}
        )
    return name


def _save_unique(obj: Model, *, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        raise ApplicationError(message, fields={"name": [_("Choose another name.")]}) from error


def _clean_probability(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ApplicationError(
            _("The probability must be between 0 and 100."), fields={"probability": [_("Enter 0–100.")]}
        )
    return value


def _clean_stalled(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
        raise ApplicationError(
            _("Days before a deal counts as stalled must be between 1 and 3650."),
            fields={"stalled_after_days": [_("Enter 1–3650 or leave empty.")]},
        )
    return value


def _clean_order(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 32767:
        raise ApplicationError(_("Invalid position."), fields={"order": [_("Enter 0–32767.")]})
    return value


def _clean_kind(value: Any) -> str:
    if value not in StageKind.values:
        raise ApplicationError(_("Choose the stage kind."), fields={"kind": [_("Choose open, won or lost.")]})
    return str(value)


def allowed_required_fields(*, workspace_id: int) -> list[str]:
    """Names a stage may list in `required_fields`."""
    keys = CustomField.unscoped.filter(workspace_id=workspace_id, entity=CustomEntity.DEAL).values_list(
        "key", flat=True
    )
    return [*GATE_FIELDS, *(CUSTOM_PREFIX + key for key in keys)]


def _clean_required_fields(value: Any, *, workspace_id: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ApplicationError(
            _("Required fields must be a list of field names."), fields={"required_fields": [_("Invalid value.")]}
        )
    allowed = set(allowed_required_fields(workspace_id=workspace_id))
    unknown = sorted({item for item in value if item not in allowed})
    if unknown:
        raise ApplicationError(
            _("Unknown deal fields: %(names)s.") % {"names": ", ".join(unknown)},
            fields={"required_fields": [_("Unknown field: %(name)s") % {"name": name} for name in unknown]},
        )
    return list(dict.fromkeys(value))  # keeps the order, drops repeats


def _check_kinds(pipeline: Pipeline) -> None:
    """A pipeline keeps exactly one won stage and at least one lost stage."""
    kinds = list(Stage.objects.filter(pipeline=pipeline).values_list("kind", flat=True))
    if kinds.count(StageKind.WON) != 1:
        raise ApplicationError(
            _("A pipeline needs exactly one won stage."), code="stage_kinds", fields={"kind": [_("One won stage.")]}
        )
    if kinds.count(StageKind.LOST) < 1:
        raise ApplicationError(
            _("A pipeline needs at least one lost stage."), code="stage_kinds",
            fields={"kind": [_("At least one lost stage.")]},
        )


def _create_stages(workspace_id: int, pipeline: Pipeline, rows: Iterable[tuple[str, int, str, int | None]]) -> None:
    Stage.unscoped.bulk_create(
        Stage(workspace_id=workspace_id, pipeline=pipeline, name=name, order=order, probability=probability,
              kind=kind, stalled_after_days=stalled)
        for order, (name, probability, kind, stalled) in enumerate(rows)
    )


@transaction.atomic
def pipeline_seed_defaults(*, workspace: Workspace) -> Pipeline:
    """The workspace's default pipeline with the standard stages and lost reasons; safe to call again."""
    existing = (
        Pipeline.unscoped.filter(workspace=workspace).order_by("-is_default", "order", "id").first()
    )
    if existing is None:
        existing = Pipeline.unscoped.create(workspace=workspace, name=_("Sales"), is_default=True, order=0)
        _create_stages(workspace.pk, existing, _standard_stages())
    if not LostReason.unscoped.filter(workspace=workspace).exists():
        LostReason.unscoped.bulk_create(
            LostReason(workspace=workspace, name=name) for name in _standard_lost_reasons()
        )
    return existing


@transaction.atomic
def pipeline_create(*, actor: Actor, name: str, team: Team | None = None, is_default: bool = False,
                    order: int | None = None) -> Pipeline:
    """Add a pipeline with the standard stages (edit them afterwards)."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, team)
    if order is None:
        last = Pipeline.objects.filter(workspace_id=actor.workspace.pk).order_by("-order").first()
        order = last.order + 1 if last else 0
    pipeline = Pipeline(workspace=actor.workspace, name=_clean_name(name), team=team, is_default=is_default,
                        order=order)
    _save_unique(pipeline, message=_("A pipeline with this name already exists."))
    _create_stages(actor.workspace.pk, pipeline, _standard_stages())
    if is_default:
        Pipeline.objects.filter(workspace_id=actor.workspace.pk).exclude(pk=pipeline.pk).update(is_default=False)
    audit_record(action="pipeline.create", actor=actor.user, target=pipeline, diff={"name": pipeline.name})
    return pipeline


_KEEP: Any = object()


@transaction.atomic
def pipeline_update(*, actor: Actor, pipeline: Pipeline, name: str | None = None, team: Any = _KEEP,
                    is_default: bool | None = None, order: int | None = None) -> Pipeline:
    """Rename, reassign to a team (None: the whole workspace), make default or reorder a pipeline."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, pipeline, team if isinstance(team, Team) else None)
    diff: dict[str, list[Any]] = {}
    if name is not None and _clean_name(name) != pipeline.name:
        diff["name"] = [pipeline.name, _clean_name(name)]
        pipeline.name = _clean_name(name)
    if team is not _KEEP and (team.pk if team else None) != pipeline.team_id:
        diff["team"] = [pipeline.team_id, team.pk if team else None]
        pipeline.team = team
    if is_default is not None and is_default != pipeline.is_default:
        diff["is_default"] = [pipeline.is_default, is_default]
        pipeline.is_default = is_default
    if order is not None and order != pipeline.order:
        diff["order"] = [pipeline.order, order]
        pipeline.order = order
    if diff:
        _save_unique(pipeline, message=_("A pipeline with this name already exists."))
        if pipeline.is_default:
            Pipeline.objects.filter(workspace_id=actor.workspace.pk).exclude(pk=pipeline.pk).update(
                is_default=False
            )
        audit_record(action="pipeline.update", actor=actor.user, target=pipeline, diff=diff)
    return pipeline


@transaction.atomic
def pipeline_delete(*, actor: Actor, pipeline: Pipeline) -> None:
    """Delete a pipeline that holds no deals."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, pipeline)
    if Deal.objects.filter(pipeline=pipeline).exists():
        raise ApplicationError(
            _("This pipeline still has deals. Move or delete them first."), code="pipeline_in_use"
        )
    audit_record(action="pipeline.delete", actor=actor.user, target=pipeline, diff={"name": pipeline.name})
    pipeline.delete()


@transaction.atomic
def stage_create(*, actor: Actor, pipeline: Pipeline, name: str, probability: int = 0,
                 kind: str = StageKind.OPEN, stalled_after_days: int | None = None,
                 required_fields: list[str] | None = None, order: int | None = None) -> Stage:
    """Add a stage to a pipeline (at the end unless `order` says where)."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, pipeline)
    Pipeline.objects.select_for_update().filter(pk=pipeline.pk).first()  # serialise edits of one pipeline
    if order is None:
        last = Stage.objects.filter(pipeline=pipeline).order_by("-order").first()
        order = last.order + 1 if last else 0
    stage = Stage(
        workspace=actor.workspace, pipeline=pipeline, name=_clean_name(name), order=order,
        probability=_clean_probability(probability), kind=_clean_kind(kind),
        stalled_after_days=_clean_stalled(stalled_after_days),
        required_fields=_clean_required_fields(required_fields, workspace_id=actor.workspace.pk),
    )
    _save_unique(stage, message=_("This pipeline already has a stage with this name."))
    if stage.kind == StageKind.WON:
        _check_kinds(pipeline)
    audit_record(action="stage.create", actor=actor.user, target=stage,
                 diff={"name": stage.name, "pipeline": pipeline.pk, "kind": stage.kind})
    return stage


@transaction.atomic
def stage_update(*, actor: Actor, stage: Stage, **changes: Any) -> Stage:
    """Change a stage's name, probability, kind, stalled days or required fields."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, stage)
    cleaners: dict[str, Callable[[Any], Any]] = {
        "name": _clean_name,
        "probability": _clean_probability,
        "kind": _clean_kind,
        "stalled_after_days": _clean_stalled,
        "required_fields": lambda value: _clean_required_fields(value, workspace_id=actor.workspace.pk),
        "order": _clean_order,
    }
    diff: dict[str, list[Any]] = {}
    for field, value in changes.items():
        if field not in cleaners:
            continue
        clean = cleaners[field](value)
        if clean != getattr(stage, field):
            diff[field] = [getattr(stage, field), clean]
            setattr(stage, field, clean)
    if "kind" in diff and Deal.objects.filter(stage=stage).exists():
        raise ApplicationError(
            _("Deals sit in this stage: its kind cannot change. Move them first."), code="stage_in_use",
            fields={"kind": [_("Deals sit in this stage.")]},
        )
    if diff:
        _save_unique(stage, message=_("This pipeline already has a stage with this name."))
        if "kind" in diff:
            _check_kinds(stage.pipeline)
        audit_record(action="stage.update", actor=actor.user, target=stage, diff=diff)
    return stage


@transaction.atomic
def stage_delete(*, actor: Actor, stage: Stage) -> None:
    """Delete a stage no deal sits in, keeping one won and a lost stage."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, stage)
    if Deal.objects.filter(stage=stage).exists():
        raise ApplicationError(_("Deals sit in this stage. Move them first."), code="stage_in_use")
    pipeline = stage.pipeline
    audit_record(action="stage.delete", actor=actor.user, target=stage, diff={"name": stage.name})
    try:
        with transaction.atomic():
            stage.delete()
    except (ProtectedError, IntegrityError) as error:  # a stage named in the funnel history is protected
        raise ApplicationError(
            _("Deals have passed through this stage; it stays in their history."), code="stage_in_use"
        ) from error
    _check_kinds(pipeline)


@transaction.atomic
def stage_reorder(*, actor: Actor, pipeline: Pipeline, stage_ids: list[int]) -> list[Stage]:
    """Put the pipeline's stages in the given order; the list names every stage once."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, pipeline)
    stages = {stage.pk: stage for stage in Stage.objects.select_for_update().filter(pipeline=pipeline)}
    if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(stages):
        raise ApplicationError(
            _("List every stage of this pipeline once."), fields={"stage_ids": [_("List every stage once.")]}
        )
    before = [stage.pk for stage in sorted(stages.values(), key=lambda stage: (stage.order, stage.pk))]
    for order, stage_id in enumerate(stage_ids):
        stages[stage_id].order = order
    Stage.objects.bulk_update(stages.values(), ["order"])
    audit_record(action="stage.reorder", actor=actor.user, target=pipeline, diff={"order": [before, stage_ids]})
    return [stages[stage_id] for stage_id in stage_ids]


@transaction.atomic
def lost_reason_create(*, actor: Actor, name: str) -> LostReason:
    """Add a reason a deal can be lost for."""
    actor.require(Capability.CRM_CONFIGURE)
    reason = LostReason(workspace=actor.workspace, name=_clean_name(name))
    _save_unique(reason, message=_("This lost reason already exists."))
    audit_record(action="lost_reason.create", actor=actor.user, target=reason, diff={"name": reason.name})
    return reason


@transaction.atomic
def lost_reason_update(*, actor: Actor, lost_reason: LostReason, name: str | None = None,
                       is_active: bool | None = None) -> LostReason:
    """Rename a lost reason or retire it (retired reasons stay on old deals)."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, lost_reason)
    diff: dict[str, list[Any]] = {}
    if name is not None and _clean_name(name) != lost_reason.name:
        diff["name"] = [lost_reason.name, _clean_name(name)]
        lost_reason.name = _clean_name(name)
    if is_active is not None and is_active != lost_reason.is_active:
        diff["is_active"] = [lost_reason.is_active, is_active]
        lost_reason.is_active = is_active
    if diff:
        _save_unique(lost_reason, message=_("This lost reason already exists."))
        audit_record(action="lost_reason.update", actor=actor.user, target=lost_reason, diff=diff)
    return lost_reason
