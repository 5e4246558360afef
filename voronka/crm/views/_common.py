"""What the board, deal, task and quick-add pages share: htmx answers, conflicts, the board's query string."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.dateparse import parse_datetime

from voronka.core.errors import ApplicationError, ConflictError
from voronka.core.pages import FORM_ERROR_STATUS, add_service_error, error_status, posted, safe_next

# Board filters that travel with every column load and every move, so the headers stay consistent.
BOARD_PARAMS = ("pipeline", "owner", "team", "channel", "created_from", "created_to", "sort")


def method_not_allowed(request: HttpRequest, allowed: tuple[str, ...]) -> HttpResponse | None:
    """405 unless the method is allowed. Views call it after resolving the object, so that a foreign id
    is a 404 whatever the method (the route matrix checks exactly that)."""
    if request.method in allowed:
        return None
    return HttpResponseNotAllowed(list(allowed))


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def board_query(request: HttpRequest) -> str:
    """The board's filters from the query string, re-encoded (only the known keys)."""
    query = request.GET.copy()
    for key in list(query.keys()):
        if key not in BOARD_PARAMS or not query.get(key):
            del query[key]
    return query.urlencode()


def message_response(request: HttpRequest, message: str, *, status: int,
                     missing: list[str] | None = None) -> HttpResponse:
    """An alert appended to #messages (htmx); `missing` lists the fields a stage gate wants."""
    response = render(request, "crm/partials_board/message.html", {"message": message, "missing": missing or []},
                      status=status)
    response.headers["HX-Retarget"] = "#messages"
    response.headers["HX-Reswap"] = "beforeend"
    return response


def trigger(response: HttpResponse, events: dict[str, Any]) -> HttpResponse:
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


@dataclass(frozen=True)
class Conflict:
    """What a 409 tells the user: who changed the record, when, and what it holds now."""

    message: str
    changed_by: str | None
    changed_at: dt.datetime | None
    current: dict[str, Any] = field(default_factory=dict)


def conflict_of(error: ConflictError) -> Conflict:
    current = error.extra.get("current") or {}
    changed_at = current.get("changed_at") or current.get("updated_at")
    when = parse_datetime(changed_at) if isinstance(changed_at, str) else None
    return Conflict(message=str(error.message), changed_by=current.get("changed_by"), changed_at=when,
                    current=current)


def gate_fields(error: ApplicationError) -> list[str]:
    """The fields a stage requires and the deal lacks (a stage-gate refusal), else []."""
    if error.code != "stage_gate":
        return []
    missing = error.extra.get("missing_fields")
    return [str(name) for name in (missing if isinstance(missing, list) else error.fields)]


__all__ = [
    "BOARD_PARAMS", "FORM_ERROR_STATUS", "Conflict", "add_service_error", "board_query", "conflict_of",
    "error_status", "gate_fields", "is_htmx", "message_response", "method_not_allowed", "posted", "safe_next",
    "trigger",
]
