"""Helpers shared by the page tests (no tests here; named test_views_* to sit with them)."""

from __future__ import annotations

from typing import Any

from django.db import models

from voronka.accounts.models import ApiToken, Invitation, Membership, Team, Workspace
from voronka.core.models import AuditEntry


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every accounts row that a page could change, to prove a refused request changed nothing."""
    tables: dict[str, models.Manager[Any]] = {
        "workspace": Workspace.objects,
        "team": Team.unscoped,
        "membership": Membership.unscoped,
        "invitation": Invitation.unscoped,
        "token": ApiToken.unscoped,
    }
    return {name: sorted(manager.values_list()) for name, manager in tables.items()}


def audit_actions(**filters: Any) -> list[str]:
    return list(AuditEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True))
