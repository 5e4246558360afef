"""crm API: custom fields. Everyone reads (forms and lists need them); administrators write."""

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

from ..access import access_custom_field
from ..models import CustomField
from ..schemas.custom_fields import CustomFieldCreate, CustomFieldFilters, CustomFieldRead, CustomFieldUpdate
from ..services.custom_fields import custom_field_create, custom_field_delete, custom_field_update

router = Router(tags=["crm:records"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


@router.get("/custom-fields", response={200: list[CustomFieldRead], **ERROR_RESPONSES})
@paginate(Pagination)
def custom_field_list_api(request: HttpRequest, filters: Query[CustomFieldFilters]) -> QuerySet[CustomField]:
    """The workspace's custom fields, by entity and order."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    queryset = CustomField.objects.filter(workspace_id=actor.workspace.pk)
    if filters.entity:
        queryset = queryset.filter(entity=filters.entity)
    return queryset.order_by("entity", "order", "id")


@router.post("/custom-fields", response={201: CustomFieldRead, **ERROR_RESPONSES})
@idempotent
def custom_field_create_api(request: HttpRequest, payload: CustomFieldCreate) -> Status:
    """Add a field to companies, contacts, deals or activities; `choice` fields need `choices`."""
    return Status(201, custom_field_create(actor=_actor(request), **payload.model_dump()))


@router.get("/custom-fields/{field_id}", response={200: CustomFieldRead, **ERROR_RESPONSES})
def custom_field_get_api(request: HttpRequest, field_id: int) -> CustomField:
    """One custom field."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return access_custom_field(actor=actor, field_id=field_id)


@router.patch("/custom-fields/{field_id}", response={200: CustomFieldRead, **ERROR_RESPONSES})
def custom_field_update_api(request: HttpRequest, field_id: int, payload: CustomFieldUpdate) -> CustomField:
    """Change the label, choices, required flag, list visibility or order."""
    actor = _actor(request)
    changes = {name: value for name, value in payload.model_dump(exclude_unset=True).items() if value is not None}
    with transaction.atomic():
        field = access_custom_field(actor=actor, field_id=field_id)
        return custom_field_update(actor=actor, field=field, **changes)


@router.delete("/custom-fields/{field_id}", response={204: None, **ERROR_RESPONSES})
def custom_field_delete_api(request: HttpRequest, field_id: int) -> Status:
    """Remove a custom field (values already stored are no longer shown)."""
    actor = _actor(request)
    with transaction.atomic():
        custom_field_delete(actor=actor, field=access_custom_field(actor=actor, field_id=field_id))
    return Status(204, None)
