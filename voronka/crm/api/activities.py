"""crm API: activities (calls, meetings, emails, tasks, notes)."""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES, Pagination
from voronka.core.idempotency import idempotent

from ..access import access_activity, access_activity_for_update
from ..models import Activity
from ..schemas.activities import ActivityComplete, ActivityCreate, ActivityFilters, ActivityRead, ActivityUpdate
from ..schemas.common import custom_filters_from
from ..selectors.activities import activity_list, my_tasks
from ..services.activities import activity_complete, activity_create, activity_delete, activity_update

router = Router(tags=["crm:records"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _read(actor: Actor, activity: Activity) -> Activity:
    return activity_list(actor=actor).filter(pk=activity.pk).first() or activity


@router.get("/activities", response={200: list[ActivityRead], **ERROR_RESPONSES})
@paginate(Pagination)
def activity_list_api(request: HttpRequest, filters: Query[ActivityFilters]) -> QuerySet[Activity]:
    """Activities you may see. `mine_today=true` lists your open ones due today or overdue."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    params = filters.model_dump()
    if params.pop("mine_today"):
        return my_tasks(actor=actor)
    return activity_list(actor=actor, custom=custom_filters_from(request.GET), **params)


@router.post("/activities", response={201: ActivityRead, **ERROR_RESPONSES})
@idempotent
def activity_create_api(request: HttpRequest, payload: ActivityCreate) -> Status:
    """Log or plan an activity linked to a deal, contact or company; a note is done at once."""
    actor = _actor(request)
    return Status(201, _read(actor, activity_create(actor=actor, data=payload.model_dump())))


@router.get("/activities/{activity_id}", response={200: ActivityRead, **ERROR_RESPONSES})
def activity_get_api(request: HttpRequest, activity_id: int) -> Activity:
    """One activity."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return access_activity(actor=actor, activity_id=activity_id)


@router.patch("/activities/{activity_id}", response={200: ActivityRead, **ERROR_RESPONSES})
def activity_update_api(request: HttpRequest, activity_id: int, payload: ActivityUpdate) -> Activity:
    """Change an activity. A stale `version` answers 409 `conflict` with the current record."""
    actor = _actor(request)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        activity = access_activity_for_update(actor=actor, activity_id=activity_id)
        activity = activity_update(actor=actor, activity=activity, data=data, version=payload.version)
    return _read(actor, activity)


@router.post("/activities/{activity_id}/complete", response={200: ActivityRead, **ERROR_RESPONSES})
def activity_complete_api(request: HttpRequest, activity_id: int, payload: ActivityComplete) -> Activity:
    """Mark an activity done now (send `{}` or an `outcome`); one already done answers 400 `already_done`."""
    actor = _actor(request)
    outcome = payload.outcome
    with transaction.atomic():
        activity = access_activity_for_update(actor=actor, activity_id=activity_id)
        activity = activity_complete(actor=actor, activity=activity, outcome=outcome)
    return _read(actor, activity)


@router.delete("/activities/{activity_id}", response={204: None, **ERROR_RESPONSES})
def activity_delete_api(request: HttpRequest, activity_id: int) -> Status:
    """Delete an activity (needs the delete capability, except for your own activities)."""
    actor = _actor(request)
    with transaction.atomic():
        activity_delete(actor=actor, activity=access_activity_for_update(actor=actor, activity_id=activity_id))
    return Status(204, None)
