"""The duplicate finder and the merge pages: groups, choose the primary, confirm, merge."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, NotFoundError
from voronka.core.pages import error_status

from ..access import access_company, access_company_for_update, access_contact, access_contact_for_update
from ..selectors.duplicates import company_duplicate_groups, contact_duplicate_groups
from ..services.merge import MAX_OTHERS, company_merge, contact_merge
from .imports import nav_entries

__all__ = ["nav_entries"]

PAGE_SIZE = 20
ENTITIES = ("contacts", "companies")


def _entity(request: HttpRequest) -> str:
    entity = request.GET.get("entity") or request.POST.get("entity") or "contacts"
    return entity if entity in ENTITIES else "contacts"


def _int(value: str | None, default: int = 0) -> int:
    try:
        return max(0, int(value or default))
    except ValueError:
        return default


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_MERGE)
def duplicates_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    entity = _entity(request)
    offset = _int(request.GET.get("offset"))
    finder = contact_duplicate_groups if entity == "contacts" else company_duplicate_groups
    page = finder(actor=actor, limit=PAGE_SIZE, offset=offset)
    context = {
        "entity": entity, "page": page,
        "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < page.total else None,
    }
    return render(request, "crm/merge/duplicates.html", context)


def _ids(values: list[str]) -> list[int]:
    ids: list[int] = []
    for value in values[: MAX_OTHERS + 1]:
        try:
            ids.append(int(value))
        except ValueError:
            raise NotFoundError() from None
    return ids


def _resolve(
    actor: Actor, entity: str, primary_id: Any, other_ids: list[int], *, for_update: bool
) -> tuple[Any, list[Any]]:
    if entity == "contacts":
        get = access_contact_for_update if for_update else access_contact
        contact = get(actor=actor, contact_id=primary_id)
        return contact, [get(actor=actor, contact_id=pk) for pk in other_ids if pk != contact.pk]
    get_company = access_company_for_update if for_update else access_company
    primary = get_company(actor=actor, company_id=primary_id)
    return primary, [get_company(actor=actor, company_id=pk) for pk in other_ids if pk != primary.pk]


def _linked(entity: str, records: list[Any]) -> list[dict[str, Any]]:
    """What each record brings along, so the confirmation says what will move."""
    rows = []
    for record in records:
        counts = {"deals": record.deals.count(), "activities": record.activities.count()}
        if entity == "companies":
            counts["contacts"] = record.contacts.count()
        rows.append({"record": record, "counts": counts})
    return rows


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_MERGE)
def merge_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """GET: confirm merging the chosen records into the primary; POST: merge."""
    entity = _entity(request)
    data = request.POST if request.method == "POST" else request.GET
    ids = _ids(data.getlist("ids"))
    primary_id = data.get("primary")
    back = reverse("crm:duplicates") + f"?entity={entity}"
    if primary_id is None:
        return redirect(back)  # nothing chosen: back to the groups
    if request.method == "POST":
        try:
            with transaction.atomic():
                primary, others = _resolve(actor, entity, primary_id, ids, for_update=True)
                merge = contact_merge if entity == "contacts" else company_merge
                merged = merge(actor=actor, primary=primary, others=others)  # type: ignore[operator]
        except ApplicationError as error:
            if error.status == 404:
                raise
            primary, others = _resolve(actor, entity, primary_id, ids, for_update=False)
            context = {"entity": entity, "primary": primary, "others": _linked(entity, others),
                       "ids": ids, "error": error, "back": back}
            return render(request, "crm/merge/confirm.html", context, status=error_status(error))
        messages.success(request, _("Merged %(count)s records into “%(name)s”.")
                         % {"count": len(others), "name": str(merged)})
        return redirect(back)
    primary, others = _resolve(actor, entity, primary_id, ids, for_update=False)
    context = {"entity": entity, "primary": primary, "others": _linked(entity, others), "ids": ids, "back": back,
               "error": None}
    return render(request, "crm/merge/confirm.html", context)
