"""Typed domain events: a lower app publishes, higher apps subscribe, nobody imports upward.

`publish_on_commit` waits for the transaction to commit, then hands the event to a
background task, which runs every subscribed handler as a task of its own inside the
event's workspace scope. A rolled-back transaction publishes nothing.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.utils.module_loading import import_string

E = TypeVar("E", bound="DomainEvent")
Handler = Callable[[Any], None]

_event_types: dict[str, type[DomainEvent]] = {}
_handlers: dict[str, list[str]] = defaultdict(list)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    workspace_id: int

    @classmethod
    def event_name(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"

    def payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def domain_event(cls: type[E]) -> type[E]:
    """Register an event class so a worker can rebuild it from its name and payload."""
    _event_types[cls.event_name()] = cls
    return cls


def subscribe(event_type: type[DomainEvent]) -> Callable[[Handler], Handler]:
    """Run the decorated module-level function (as a task) after each commit that publishes the event."""

    def decorator(handler: Handler) -> Handler:
        path = f"{handler.__module__}.{handler.__qualname__}"
        if path not in _handlers[event_type.event_name()]:
            _handlers[event_type.event_name()].append(path)
        return handler

    return decorator


def handlers_for(event_name: str) -> list[str]:
    return list(_handlers.get(event_name, ()))


def event_from_payload(event_name: str, payload: dict[str, Any]) -> DomainEvent:
    return _event_types[event_name](**payload)


def resolve_handler(path: str) -> Handler:
    return import_string(path)


def publish_on_commit(event: DomainEvent) -> None:
    """Dispatch `event` to its subscribers once the current transaction commits."""
    from .tasks import dispatch_domain_event

    name = event.event_name()
    if name not in _event_types:
        raise LookupError(f"{name} is not registered; decorate it with @domain_event.")
    payload = event.payload()
    transaction.on_commit(lambda: dispatch_domain_event.enqueue(event_name=name, payload=payload))
