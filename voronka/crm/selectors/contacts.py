"""Reads for contacts, scoped to what the actor sees (R2)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from voronka.accounts.actor import Actor

from ..access import visible_contacts
from ..models import Contact, ContactPoint
from .companies import ci_q, created_q, custom_filter, order_by, tag_q

CONTACT_ORDERINGS = ("full_name", "-full_name", "created_at", "-created_at", "updated_at", "-updated_at",
                     "city", "-city", "email", "-email")
_DIGITS = re.compile(r"\D")


def contact_search_q(*, workspace_id: int, search: str) -> Q:
    """Name or position (any case, any script), any email, or the digits of any phone."""
    condition = ci_q("full_name", search) | ci_q("position", search)
    points = ContactPoint.objects.filter(workspace_id=workspace_id)
    condition |= Q(pk__in=points.filter(kind="email", value__contains=search.lower()).values("contact_id"))
    digits = _DIGITS.sub("", search)
    if len(digits) >= 3:
        condition |= Q(pk__in=points.filter(kind="phone", value__contains=digits).values("contact_id"))
    return condition


def contact_list(
    *,
    actor: Actor,
    search: str = "",
    company_id: int | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    tag: str | None = None,
    lead_source: str | None = None,
    city: str | None = None,
    age_band: str | None = None,
    gender: str | None = None,
    custom: dict[str, Any] | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    ordering: str = "full_name",
) -> QuerySet[Contact]:
    """Contacts the actor sees, filtered and ordered; owner, team, company, tags and emails/phones loaded."""
    queryset = visible_contacts(actor).select_related("owner", "team", "company").prefetch_related(
        "tags", Prefetch("points", queryset=ContactPoint.objects.order_by("-is_primary", "id"))
    )
    if search := (search or "").strip():
        queryset = queryset.filter(contact_search_q(workspace_id=actor.workspace.pk, search=search))
    if company_id is not None:
        queryset = queryset.filter(company_id=company_id)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    if tag and tag.strip():
        queryset = queryset.filter(tag_q(Contact, workspace_id=actor.workspace.pk, tag=tag))
    if lead_source and lead_source.strip():
        queryset = queryset.filter(ci_q("lead_source", lead_source.strip(), lookup="exact"))
    if city and city.strip():
        queryset = queryset.filter(ci_q("city", city.strip(), lookup="exact"))
    if age_band:
        queryset = queryset.filter(age_band=age_band)
    if gender:
        queryset = queryset.filter(gender=gender)
    queryset = custom_filter(queryset, workspace_id=actor.workspace.pk, entity="contact", custom=custom)
    queryset = queryset.filter(created_q(actor=actor, created_from=created_from, created_to=created_to))
    return order_by(queryset, ordering, CONTACT_ORDERINGS, "full_name")
