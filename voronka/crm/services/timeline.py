"""The timeline of a deal, contact or company. Every app adds entries through `timeline_add`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ..models import Company, Contact, Deal, TimelineEntry


def timeline_add(
    *,
    kind: str,
    workspace_id: int,
    actor: Any = None,
    deal: Deal | None = None,
    contact: Contact | None = None,
    company: Company | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> TimelineEntry:
    """Append one entry; call inside the transaction of the change it reports."""
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    return TimelineEntry.objects.create(
        workspace_id=workspace_id, kind=kind, at=at or timezone.now(), actor_id=actor_id,
        deal=deal, contact=contact, company=company, data=data or {},
    )
