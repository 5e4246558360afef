"""crm API: deals — CRUD with filters, moves through the pipeline, won/lost/reopen, line items, timeline.

Each endpoint parses, resolves ids through `access` (invisible → 404), calls one service and renders.
"""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES, Pagination
from voronka.core.idempotency import idempotent

from ..access import access_deal, access_deal_for_update, access_lost_reason, access_product, access_stage
from ..models import Deal, TimelineEntry
from ..schemas.deals import (
    DealCreate,
    DealDetail,
    DealFilters,
    DealLost,
    DealMove,
    DealRead,
    DealReopen,
    DealUpdate,
    DealVersion,
    LineItemsSet,
    TimelineEntryRead,
)
from ..selectors.deals import deal_get, deal_list, deal_timeline
from ..services.deal_lines import deal_set_line_items
from ..services.deals import (
    deal_create,
    deal_delete,
    deal_mark_lost,
    deal_mark_won,
    deal_move_stage,
    deal_reopen,
    deal_update,
)

router = Router(tags=["crm:deals"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _detail(actor: Actor, deal: Deal) -> Deal:
    # A deal just given to someone outside the actor's view is still answered as written.
    return deal_get(actor=actor, deal_id=deal.pk) or deal


def parse_custom_filter(raw: str | None) -> dict[str, str]:
    """'size:large,region:north' → {'size': 'large', 'region': 'north'}; pieces without ':' are ignored."""
    result: dict[str, str] = {}
    for piece in (raw or "").split(","):
        key, sep, value = piece.partition(":")
        if sep and key.strip():
            result[key.strip()] = value.strip()
    return result


@router.get("/deals", response={200: list[DealRead], **ERROR_RESPONSES})
@paginate(Pagination)
def deal_list_api(request: HttpRequest, filters: Query[DealFilters]) -> QuerySet[Deal]:
    """Deals the caller may see; filters combine, `ordering` is one of the listed fields with an optional '-'."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    params = filters.model_dump(exclude={"custom"})
    return deal_list(actor=actor, custom=parse_custom_filter(filters.custom), **params)


@router.post("/deals", response={201: DealDetail, **ERROR_RESPONSES})
@idempotent
def deal_create_api(request: HttpRequest, payload: DealCreate) -> Status:
    """Open a deal; without a stage it starts in the pipeline's first open stage."""
    actor = _actor(request)
    deal = deal_create(actor=actor, data=payload.model_dump())
    return Status(201, _detail(actor, deal))


@router.get("/deals/{deal_id}", response={200: DealDetail, **ERROR_RESPONSES})
def deal_get_api(request: HttpRequest, deal_id: int) -> Deal:
    """One deal with its line items."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return _detail(actor, access_deal(actor=actor, deal_id=deal_id))


@router.patch("/deals/{deal_id}", response={200: DealDetail, **ERROR_RESPONSES})
def deal_update_api(request: HttpRequest, deal_id: int, payload: DealUpdate) -> Deal:
    """Edit a deal's fields; send the `version` you read (409 with `current` when someone was faster)."""
    actor = _actor(request)
    data: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        deal = access_deal_for_update(actor=actor, deal_id=deal_id)
        deal = deal_update(actor=actor, deal=deal, data=data, version=payload.version)
    return _detail(actor, deal)


@router.delete("/deals/{deal_id}", response={204: None, **ERROR_RESPONSES})
def deal_delete_api(request: HttpRequest, deal_id: int) -> Status:
    """Delete a deal and its history."""
    actor = _actor(request)
    with transaction.atomic():
        deal_delete(actor=actor, deal=access_deal_for_update(actor=actor, deal_id=deal_id))
    return Status(204, None)


@router.post("/deals/{deal_id}/move", response={200: DealDetail, **ERROR_RESPONSES})
def deal_move_api(request: HttpRequest, deal_id: int, payload: DealMove) -> Deal:
    """Move a deal to another stage of its pipeline (a lost stage needs `lost_reason_id`)."""
    actor = _actor(request)
    with transaction.atomic():
        deal = access_deal_for_update(actor=actor, deal_id=deal_id)
        stage = access_stage(actor=actor, stage_id=payload.stage_id)
        reason = (access_lost_reason(actor=actor, lost_reason_id=payload.lost_reason_id)
                  if payload.lost_reason_id is not None else None)
        deal = deal_move_stage(actor=actor, deal=deal, stage=stage, version=payload.version, lost_reason=reason,
                               note=payload.note)
    return _detail(actor, deal)


@router.post("/deals/{deal_id}/won", response={200: DealDetail, **ERROR_RESPONSES})
def deal_won_api(request: HttpRequest, deal_id: int, payload: DealVersion) -> Deal:
    """Close the deal as won."""
    actor = _actor(request)
    with transaction.atomic():
        deal = access_deal_for_update(actor=actor, deal_id=deal_id)
        deal = deal_mark_won(actor=actor, deal=deal, version=payload.version)
    return _detail(actor, deal)


@router.post("/deals/{deal_id}/lost", response={200: DealDetail, **ERROR_RESPONSES})
def deal_lost_api(request: HttpRequest, deal_id: int, payload: DealLost) -> Deal:
    """Close the deal as lost, with a reason and an optional note."""
    actor = _actor(request)
    with transaction.atomic():
        deal = access_deal_for_update(actor=actor, deal_id=deal_id)
        reason = access_lost_reason(actor=actor, lost_reason_id=payload.lost_reason_id)
        deal = deal_mark_lost(actor=actor, deal=deal, version=payload.version, lost_reason=reason,
                              note=payload.note)
    return _detail(actor, deal)


@router.post("/deals/{deal_id}/reopen", response={200: DealDetail, **ERROR_RESPONSES})
def deal_reopen_api(request: HttpRequest, deal_id: int, payload: DealReopen) -> Deal:
    """Reopen a won or lost deal (in `stage_id`, default the first open stage)."""
    actor = _actor(request)
    with transaction.atomic():
        deal = access_deal_for_update(actor=actor, deal_id=deal_id)
        stage = access_stage(actor=actor, stage_id=payload.stage_id) if payload.stage_id is not None else None
        deal = deal_reopen(actor=actor, deal=deal, version=payload.version, stage=stage)
    return _detail(actor, deal)


@router.put("/deals/{deal_id}/line-items", response={200: DealDetail, **ERROR_RESPONSES})
def deal_line_items_api(request: HttpRequest, deal_id: int, payload: LineItemsSet) -> Deal:
    """Replace the line items; the amount and cost follow them (an empty list makes the amount manual)."""
    actor = _actor(request)
    with transaction.atomic():
        deal = access_deal_for_update(actor=actor, deal_id=deal_id)
        items = [
            {**item.model_dump(exclude={"product_id"}), "product": access_product(actor=actor,
                                                                                  product_id=item.product_id)}
            for item in payload.items
        ]
        deal = deal_set_line_items(actor=actor, deal=deal, items=items, version=payload.version)
    return _detail(actor, deal)


@router.get("/deals/{deal_id}/timeline", response={200: list[TimelineEntryRead], **ERROR_RESPONSES})
@paginate(Pagination)
def deal_timeline_api(request: HttpRequest, deal_id: int) -> QuerySet[TimelineEntry]:
    """The deal's timeline, newest first."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return deal_timeline(deal=access_deal(actor=actor, deal_id=deal_id))
