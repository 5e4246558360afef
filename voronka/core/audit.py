"""Write the audit trail. Call inside the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry
from .request_context import current_ip
from .scoping import active_workspace_id


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    diff: dict[str, Any] | None = None,
    workspace_id: int | None = None,
) -> AuditEntry:
    """Append one audit row; workspace defaults to the target's or the active one."""
    if workspace_id is None:
        workspace_id = getattr(target, "workspace_id", None) or active_workspace_id()
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        workspace_id=workspace_id,
        actor_id=actor_id,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        diff=diff or {},
        ip=current_ip(),
    )
