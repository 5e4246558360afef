"""Domain events accounts publishes; higher apps subscribe through core.events."""

from __future__ import annotations

import dataclasses

from voronka.core.events import DomainEvent, domain_event


@domain_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkspaceCreated(DomainEvent):
    """A new tenant exists: apps seed their defaults (pipelines, channels…)."""

    owner_id: int
