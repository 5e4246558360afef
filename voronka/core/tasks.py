"""Background-task helpers and the tasks core itself runs."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from .events import event_from_payload, handlers_for, resolve_handler
from .scoping import workspace_scope


def enqueue_on_commit(task_obj: Any, /, **kwargs: Any) -> None:
    """Enqueue a task only after the surrounding transaction commits (nothing on rollback)."""
    transaction.on_commit(lambda: task_obj.enqueue(**kwargs))


@task()
def dispatch_domain_event(*, event_name: str, payload: dict[str, Any]) -> int:
    """Fan an event out: one task per subscribed handler, so one failure does not stop the rest."""
    handlers = handlers_for(event_name)
    for path in handlers:
        run_event_handler.enqueue(handler_path=path, event_name=event_name, payload=payload)
    return len(handlers)


@task()
def run_event_handler(*, handler_path: str, event_name: str, payload: dict[str, Any]) -> None:
    event = event_from_payload(event_name, payload)
    with workspace_scope(event.workspace_id):
        resolve_handler(handler_path)(event)


@task()
def ping(*, value: str) -> str:
    """A no-op round trip used by `voronka worker --check` and the worker test."""
    return value
