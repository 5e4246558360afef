"""crm API: contacts. Parse, resolve through access, call one service, render (rules live in services)."""

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

from ..access import access_contact, access_contact_for_update
from ..models import Contact
from ..schemas.common import custom_filters_from
from ..schemas.contacts import ContactCreate, ContactFilters, ContactRead, ContactUpdate
from ..selectors.contacts import contact_list
from ..services.contacts import contact_create, contact_delete, contact_update

router = Router(tags=["crm:records"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _read(actor: Actor, contact: Contact) -> Contact:
    # Through the list selector so the answer has the same joins and prefetches as a list row.
    return contact_list(actor=actor).filter(pk=contact.pk).first() or contact


@router.get("/contacts", response={200: list[ContactRead], **ERROR_RESPONSES})
@paginate(Pagination)
def contact_list_api(request: HttpRequest, filters: Query[ContactFilters]) -> QuerySet[Contact]:
    """Contacts you may see. Filter custom fields with `?custom.<key>=value`."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return contact_list(actor=actor, custom=custom_filters_from(request.GET), **filters.model_dump())


@router.post("/contacts", response={201: ContactRead, **ERROR_RESPONSES})
@idempotent
def contact_create_api(request: HttpRequest, payload: ContactCreate) -> Status:
    """Add a contact; you own it unless `owner_id` names another member (needs the assign capability).

    Emails and phones are normalised; one another contact already has answers 422 `duplicate_contact`
    (with `existing_id` when you may see that contact).
    """
    actor = _actor(request)
    contact = contact_create(actor=actor, data=payload.model_dump())
    return Status(201, _read(actor, contact))


@router.get("/contacts/{contact_id}", response={200: ContactRead, **ERROR_RESPONSES})
def contact_get_api(request: HttpRequest, contact_id: int) -> Contact:
    """One contact."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return _read(actor, access_contact(actor=actor, contact_id=contact_id))


@router.patch("/contacts/{contact_id}", response={200: ContactRead, **ERROR_RESPONSES})
def contact_update_api(request: HttpRequest, contact_id: int, payload: ContactUpdate) -> Contact:
    """Change a contact. A stale `version` answers 409 `conflict` with the current record."""
    actor = _actor(request)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        contact = access_contact_for_update(actor=actor, contact_id=contact_id)
        contact = contact_update(actor=actor, contact=contact, data=data, version=payload.version)
    return _read(actor, contact)


@router.delete("/contacts/{contact_id}", response={204: None, **ERROR_RESPONSES})
def contact_delete_api(request: HttpRequest, contact_id: int) -> Status:
    """Delete a contact with its emails and phones; its deals stay."""
    actor = _actor(request)
    with transaction.atomic():
        contact_delete(actor=actor, contact=access_contact_for_update(actor=actor, contact_id=contact_id))
    return Status(204, None)
