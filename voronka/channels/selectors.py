"""Reading the channel catalogue: every member of a workspace may read it (the economics included)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import SalesChannel


def channel_list(*, workspace_id: int, include_inactive: bool = True) -> QuerySet[SalesChannel]:
    """The workspace's channels, active ones first, then by name."""
    rows = SalesChannel.objects.filter(workspace_id=workspace_id)
    if not include_inactive:
        rows = rows.filter(is_active=True)
    return rows.order_by("-is_active", "name", "id")


def channel_economics(*, workspace_id: int) -> dict[int, SalesChannel]:
    """Every channel of the workspace by id (active or not: history can name an inactive one)."""
    return {channel.pk: channel for channel in SalesChannel.unscoped.filter(workspace_id=workspace_id)}
