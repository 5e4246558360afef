"""The only way from an id in a request to a channel: within the actor's workspace, else 404 (R1)."""

from __future__ import annotations

from typing import Any

from voronka.accounts.actor import Actor
from voronka.core.access import get_or_not_found

from .models import SalesChannel


def access_channel(*, actor: Actor, channel_id: Any) -> SalesChannel:
    return get_or_not_found(SalesChannel.objects.filter(workspace_id=actor.workspace.pk), channel_id)


def access_channel_for_update(*, actor: Actor, channel_id: Any) -> SalesChannel:
    rows = SalesChannel.objects.filter(workspace_id=actor.workspace.pk).select_for_update()
    return get_or_not_found(rows, channel_id)
