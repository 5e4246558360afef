"""Domain events crm publishes; higher apps subscribe through core.events."""

from __future__ import annotations

import dataclasses

from voronka.core.events import DomainEvent, domain_event


@domain_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class DealStageChanged(DomainEvent):
    deal_id: int
    from_stage_id: int | None
    to_stage_id: int
    actor_id: int | None


@domain_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class DealClosed(DomainEvent):
    deal_id: int
    status: str  # "won" or "lost"
    actor_id: int | None
