"""crm API: merging duplicate contacts and companies."""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import cast

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from voronka.accounts.actor import Actor
from voronka.core.api import ERROR_RESPONSES

from ..access import access_company_for_update, access_contact_for_update
from ..models import Company, Contact
from ..schemas.companies import CompanyRead
from ..schemas.contacts import ContactRead
from ..schemas.merge import MergeRequest
from ..services.merge import company_merge, contact_merge

router = Router(tags=["crm:imports"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


@router.post("/contacts/merge", response={200: ContactRead, **ERROR_RESPONSES})
def contact_merge_api(request: HttpRequest, payload: MergeRequest) -> Contact:
    """Merge `other_ids` into `primary_id`: every deal, activity, history row, email and phone moves."""
    actor = _actor(request)
    with transaction.atomic():
        primary = access_contact_for_update(actor=actor, contact_id=payload.primary_id)
        others = [access_contact_for_update(actor=actor, contact_id=pk) for pk in payload.other_ids]
        return contact_merge(actor=actor, primary=primary, others=others)


@router.post("/companies/merge", response={200: CompanyRead, **ERROR_RESPONSES})
def company_merge_api(request: HttpRequest, payload: MergeRequest) -> Company:
    """Merge `other_ids` into `primary_id`: every contact, deal, activity and history row moves."""
    actor = _actor(request)
    with transaction.atomic():
        primary = access_company_for_update(actor=actor, company_id=payload.primary_id)
        others = [access_company_for_update(actor=actor, company_id=pk) for pk in payload.other_ids]
        return company_merge(actor=actor, primary=primary, others=others)
