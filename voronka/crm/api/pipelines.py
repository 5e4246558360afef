"""crm API: pipelines, their stages and the lost-reason catalogue.

Reads are open to every member (a team pipeline only to its team and the managers above it);
writes need the configure capability, checked by the services.
"""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from voronka.accounts.access import access_team
from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES, Pagination
from voronka.core.errors import NotFoundError
from voronka.core.idempotency import idempotent

from ..access import access_lost_reason, access_pipeline, access_stage
from ..models import LostReason, Pipeline, Stage
from ..schemas.pipelines import (
    LostReasonCreate,
    LostReasonRead,
    LostReasonUpdate,
    PipelineCreate,
    PipelineRead,
    PipelineUpdate,
    StageCreate,
    StageRead,
    StageReorder,
    StageUpdate,
)
from ..selectors.pipelines import lost_reason_list, pipeline_list, visible_pipelines
from ..services.pipelines import (
    lost_reason_create,
    lost_reason_update,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_reorder,
    stage_update,
)

router = Router(tags=["crm:deals"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _pipeline(actor: Actor, pipeline_id: Any) -> Pipeline:
    """A pipeline of the workspace the actor works in; a team pipeline of another team is a 404."""
    pipeline = access_pipeline(actor=actor, pipeline_id=pipeline_id)
    if not visible_pipelines(actor).filter(pk=pipeline.pk).exists():
        raise NotFoundError()
    return pipeline


def _stage(actor: Actor, stage_id: Any) -> Stage:
    stage = access_stage(actor=actor, stage_id=stage_id)
    _pipeline(actor, stage.pipeline_id)
    return stage


def _read(actor: Actor, pipeline: Pipeline) -> Pipeline:
    return pipeline_list(actor=actor).filter(pk=pipeline.pk).first() or pipeline


# --- pipelines -------------------------------------------------------------------------------


@router.get("/pipelines", response={200: list[PipelineRead], **ERROR_RESPONSES})
@paginate(Pagination)
def pipeline_list_api(request: HttpRequest) -> QuerySet[Pipeline]:
    """The pipelines the caller works in, each with its stages in order."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return pipeline_list(actor=actor)


@router.post("/pipelines", response={201: PipelineRead, **ERROR_RESPONSES})
@idempotent
def pipeline_create_api(request: HttpRequest, payload: PipelineCreate) -> Status:
    """Add a pipeline with the standard stages (optionally for one team)."""
    actor = _actor(request)
    actor.require(Capability.CRM_CONFIGURE)
    team = access_team(actor=actor, team_id=payload.team_id) if payload.team_id is not None else None
    pipeline = pipeline_create(actor=actor, name=payload.name, team=team, is_default=payload.is_default)
    return Status(201, _read(actor, pipeline))


@router.get("/pipelines/{pipeline_id}", response={200: PipelineRead, **ERROR_RESPONSES})
def pipeline_get_api(request: HttpRequest, pipeline_id: int) -> Pipeline:
    """One pipeline with its stages."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return _read(actor, _pipeline(actor, pipeline_id))


@router.patch("/pipelines/{pipeline_id}", response={200: PipelineRead, **ERROR_RESPONSES})
def pipeline_update_api(request: HttpRequest, pipeline_id: int, payload: PipelineUpdate) -> Pipeline:
    """Rename a pipeline, give it to a team (null: everyone), make it the default or move it."""
    actor = _actor(request)
    with transaction.atomic():
        pipeline = _pipeline(actor, pipeline_id)
        changes: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"team_id"})
        if "team_id" in payload.model_fields_set:
            actor.require(Capability.CRM_CONFIGURE)
            changes["team"] = access_team(actor=actor, team_id=payload.team_id) if payload.team_id else None
        pipeline = pipeline_update(actor=actor, pipeline=pipeline, **changes)
    return _read(actor, pipeline)


@router.delete("/pipelines/{pipeline_id}", response={204: None, **ERROR_RESPONSES})
def pipeline_delete_api(request: HttpRequest, pipeline_id: int) -> Status:
    """Delete a pipeline without deals."""
    actor = _actor(request)
    with transaction.atomic():
        pipeline_delete(actor=actor, pipeline=_pipeline(actor, pipeline_id))
    return Status(204, None)


# --- stages ----------------------------------------------------------------------------------


@router.post("/pipelines/{pipeline_id}/stages", response={201: StageRead, **ERROR_RESPONSES})
@idempotent
def stage_create_api(request: HttpRequest, pipeline_id: int, payload: StageCreate) -> Status:
    """Add a stage to a pipeline (at the end unless `order` is given)."""
    actor = _actor(request)
    pipeline = _pipeline(actor, pipeline_id)
    return Status(201, stage_create(actor=actor, pipeline=pipeline, **payload.model_dump()))


@router.post("/pipelines/{pipeline_id}/stages/reorder", response={200: list[StageRead], **ERROR_RESPONSES})
def stage_reorder_api(request: HttpRequest, pipeline_id: int, payload: StageReorder) -> list[Stage]:
    """Put the pipeline's stages in this order (every stage id once)."""
    actor = _actor(request)
    return stage_reorder(actor=actor, pipeline=_pipeline(actor, pipeline_id), stage_ids=payload.stage_ids)


@router.patch("/stages/{stage_id}", response={200: StageRead, **ERROR_RESPONSES})
def stage_update_api(request: HttpRequest, stage_id: int, payload: StageUpdate) -> Stage:
    """Change a stage's name, probability, kind, stalled days, required fields or position."""
    actor = _actor(request)
    with transaction.atomic():
        stage = _stage(actor, stage_id)
        changes = payload.model_dump(exclude_unset=True)
        # null is "no limit" for stalled days and "nothing required" for required fields; elsewhere "keep".
        changes = {name: value for name, value in changes.items()
                   if value is not None or name in ("stalled_after_days", "required_fields")}
        return stage_update(actor=actor, stage=stage, **changes)


@router.delete("/stages/{stage_id}", response={204: None, **ERROR_RESPONSES})
def stage_delete_api(request: HttpRequest, stage_id: int) -> Status:
    """Delete a stage no deal sits in or passed through."""
    actor = _actor(request)
    with transaction.atomic():
        stage_delete(actor=actor, stage=_stage(actor, stage_id))
    return Status(204, None)


# --- lost reasons ----------------------------------------------------------------------------


@router.get("/lost-reasons", response={200: list[LostReasonRead], **ERROR_RESPONSES})
@paginate(Pagination)
def lost_reason_list_api(request: HttpRequest, include_inactive: bool = False) -> QuerySet[LostReason]:
    """Reasons a deal can be lost for, by name."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return lost_reason_list(actor=actor, include_inactive=include_inactive)


@router.post("/lost-reasons", response={201: LostReasonRead, **ERROR_RESPONSES})
@idempotent
def lost_reason_create_api(request: HttpRequest, payload: LostReasonCreate) -> Status:
    """Add a lost reason."""
    return Status(201, lost_reason_create(actor=_actor(request), name=payload.name))


@router.patch("/lost-reasons/{lost_reason_id}", response={200: LostReasonRead, **ERROR_RESPONSES})
def lost_reason_update_api(request: HttpRequest, lost_reason_id: int, payload: LostReasonUpdate) -> LostReason:
    """Rename or retire a lost reason."""
    actor = _actor(request)
    reason = access_lost_reason(actor=actor, lost_reason_id=lost_reason_id)
    return lost_reason_update(actor=actor, lost_reason=reason, name=payload.name, is_active=payload.is_active)
