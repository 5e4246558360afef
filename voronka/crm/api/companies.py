"""crm API: companies. Parse, resolve through access, call one service, render (rules live in services)."""

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

from ..access import access_company, access_company_for_update
from ..models import Company
from ..schemas.common import custom_filters_from
from ..schemas.companies import CompanyCreate, CompanyFilters, CompanyRead, CompanyUpdate
from ..selectors.companies import company_list
from ..services.companies import company_create, company_delete, company_update

router = Router(tags=["crm:records"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _read(actor: Actor, company: Company) -> Company:
    # Through the list selector so the answer has the same joins and prefetches as a list row.
    return company_list(actor=actor).filter(pk=company.pk).first() or company


@router.get("/companies", response={200: list[CompanyRead], **ERROR_RESPONSES})
@paginate(Pagination)
def company_list_api(request: HttpRequest, filters: Query[CompanyFilters]) -> QuerySet[Company]:
    """Companies you may see. Filter custom fields with `?custom.<key>=value`."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return company_list(actor=actor, custom=custom_filters_from(request.GET), **filters.model_dump())


@router.post("/companies", response={201: CompanyRead, **ERROR_RESPONSES})
@idempotent
def company_create_api(request: HttpRequest, payload: CompanyCreate) -> Status:
    """Add a company; you own it unless `owner_id` names another member (needs the assign capability)."""
    actor = _actor(request)
    company = company_create(actor=actor, data=payload.model_dump())
    return Status(201, _read(actor, company))


@router.get("/companies/{company_id}", response={200: CompanyRead, **ERROR_RESPONSES})
def company_get_api(request: HttpRequest, company_id: int) -> Company:
    """One company."""
    actor = _actor(request)
    actor.require(Capability.CRM_VIEW)
    return _read(actor, access_company(actor=actor, company_id=company_id))


@router.patch("/companies/{company_id}", response={200: CompanyRead, **ERROR_RESPONSES})
def company_update_api(request: HttpRequest, company_id: int, payload: CompanyUpdate) -> Company:
    """Change a company. A stale `version` answers 409 `conflict` with the current record."""
    actor = _actor(request)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    with transaction.atomic():
        company = access_company_for_update(actor=actor, company_id=company_id)
        company = company_update(actor=actor, company=company, data=data, version=payload.version)
    return _read(actor, company)


@router.delete("/companies/{company_id}", response={204: None, **ERROR_RESPONSES})
def company_delete_api(request: HttpRequest, company_id: int) -> Status:
    """Delete a company; its contacts and deals stay, unlinked."""
    actor = _actor(request)
    with transaction.atomic():
        company_delete(actor=actor, company=access_company_for_update(actor=actor, company_id=company_id))
    return Status(204, None)
