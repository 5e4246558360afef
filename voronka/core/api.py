"""The API's one error shape and one pagination convention.

Every error answers JSON `{"code": str, "message": str, "fields": {name: [messages]}}`.
Lists take `?limit=` (1–200, default 50) and `?offset=` (default 0) and answer
`{"items": [...], "count": total, "count_is_estimate": bool, "limit": L, "offset": O}`: `count` is exact up
to COUNT_EXACT_UP_TO; past it, an estimate unless the client asks `?exact_count=true` (ADR 0004).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, DataError, connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.pagination import PaginationBase
from pydantic import AfterValidator

from .audit import audit_record
from .errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

PAGE_DEFAULT = 50
PAGE_MAX = 200


def _storable_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and no database stores an unpaired surrogate (JSON "\ud800"):
    # both would be a 500 at save time, so they are a field error at parse time.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("The text is not valid Unicode.") from None
    return value


Text = Annotated[str, AfterValidator(_storable_text)]
"""A string from a client that every database can store; use it for every text input."""


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


# Documented on every operation so clients and schemathesis know the error shape.
ERROR_RESPONSES: dict[int, type[ErrorOut]] = dict.fromkeys((400, 401, 403, 404, 409, 413, 422, 429), ErrorOut)


# Lists count exactly up to this many items; past it `count` is an estimate (docs/adr/0004-list-counts.md).
COUNT_EXACT_UP_TO = 10_000


def _planner_estimate(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows a query returns (EXPLAIN: planning only, no execution)."""
    if connection.vendor != "postgresql":
        return None  # SQLite's planner keeps no row estimates worth reporting
    try:
        plan = json.loads(queryset.explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])
    except (DatabaseError, ValueError, KeyError, IndexError, TypeError):
        logger.warning("No planner estimate for a list count", exc_info=True)
        return None


def list_count(queryset: Any, *, exact: bool = False) -> tuple[int, bool]:
    """(count, is_estimate) for a list: exact up to COUNT_EXACT_UP_TO, past it estimated unless `exact`.

    An exact count reads every matching index entry: at 600,000 visible deals 30–110 ms, more than the
    rest of the request. Counting at most COUNT_EXACT_UP_TO + 1 rows bounds that. Past it `count` is
    PostgreSQL's planner estimate (never below COUNT_EXACT_UP_TO + 1), or on SQLite, which has no row
    estimates, COUNT_EXACT_UP_TO + 1 itself: "more than 10,000".
    """
    if not isinstance(queryset, QuerySet):
        return len(queryset), False
    rows = queryset.order_by().values("pk")
    if exact:
        return rows.count(), False
    capped = rows[: COUNT_EXACT_UP_TO + 1].count()
    if capped <= COUNT_EXACT_UP_TO:
        return capped, False
    estimate = _planner_estimate(rows)
    return max(estimate or 0, COUNT_EXACT_UP_TO + 1), True


class Pagination(PaginationBase):
    class Input(Schema):
        limit: int = Field(PAGE_DEFAULT, ge=1, le=PAGE_MAX)
        offset: int = Field(0, ge=0)
        exact_count: bool = Field(
            False, description=f"Count every item even past {COUNT_EXACT_UP_TO:,} (slower on large lists)."
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description=f"Exact up to {COUNT_EXACT_UP_TO:,} items; past it see count_is_estimate.")
        count_is_estimate: bool = Field(
            ..., description="True when there are more than "
            f"{COUNT_EXACT_UP_TO:,} items and count is approximate: PostgreSQL's estimate, or on SQLite "
            f"{COUNT_EXACT_UP_TO + 1:,} (a lower bound). Ask exact_count=true for the exact figure."
        )
        limit: int
        offset: int

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any) -> Any:
        limit, offset = pagination.limit, pagination.offset
        items = list(queryset[offset : offset + limit])
        count, estimated = list_count(queryset, exact=pagination.exact_count)
        return {
            "items": items,
            "count": count,
            "count_is_estimate": estimated,
            "limit": limit,
            "offset": offset,
        }


def error_response(api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str,
                   fields: dict[str, list[str]] | None = None, **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message, "fields": fields or {}}
    body.update(extra)
    return api.create_response(request, body, status=status)


def _validation_fields(errors: list[dict[str, Any]]) -> tuple[dict[str, list[str]], bool]:
    fields: dict[str, list[str]] = {}
    malformed = False
    for error in errors:
        if error.get("type") == "json_invalid" or "Cannot parse request body" in str(error.get("msg", "")):
            malformed = True
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path", "header")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", _("Invalid value."))))
    return fields, malformed


def install_error_handlers(api: NinjaAPI) -> None:
    """Map every exception an endpoint can raise to the one JSON error shape."""

    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        if exc.status == 403:
            audit_record(action="access.denied", actor=getattr(request, "user", None),
                         diff={"path": request.path[:200], "method": request.method})
        status = exc.status
        if exc.code == ErrorCode.VALIDATION and status == 400:
            # Services default to 400 (a page re-renders the form); the API promises 422 for field errors.
            status = 422
        return api.create_response(request, exc.as_dict(), status=status)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields, malformed = _validation_fields(exc.errors)
        if malformed:
            return error_response(api, request, status=400, code=ErrorCode.MALFORMED_JSON,
                                  message=_("The request body is not valid JSON."))
        return error_response(api, request, status=422, code=ErrorCode.VALIDATION,
                              message=_("Check the highlighted fields."), fields=fields)

    def on_authentication(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, status=401, code=ErrorCode.NOT_AUTHENTICATED,
                              message=_("Log in or send a valid API token."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in str(exc):
            return error_response(api, request, status=403, code=ErrorCode.CSRF_FAILED,
                                  message=_("The CSRF token is missing or wrong. Reload the page and try again."))
        if exc.status_code == 401:
            return on_authentication(request, exc)
        if exc.status_code == 403:
            return error_response(api, request, status=403, code=ErrorCode.PERMISSION_DENIED,
                                  message=_("You do not have permission to do that."))
        if exc.status_code == 400:
            return error_response(api, request, status=400, code=ErrorCode.MALFORMED_JSON,
                                  message=_("The request body could not be read."))
        return error_response(api, request, status=exc.status_code, code="http_error", message=str(exc))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, status=404, code=ErrorCode.NOT_FOUND, message=_("Not found."))

    def on_permission(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, status=403, code=ErrorCode.PERMISSION_DENIED,
                              message=_("You do not have permission to do that."))

    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, status=413, code=ErrorCode.TOO_LARGE,
                              message=_("The request is too large."))

    def on_suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, status=400, code="bad_request", message=_("The request was refused."))

    def on_data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A value the schemas let through but the database refuses (a number out of range): the
        # client's fault, so a 422 — logged, because a schema should have caught it.
        logger.warning("Database refused a value on %s %s: %s", request.method, request.path, exc)
        return error_response(api, request, status=422, code=ErrorCode.VALIDATION,
                              message=_("A value is out of range or not allowed."))

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ApplicationError, on_application_error),
        (ValidationError, on_validation),
        (AuthenticationError, on_authentication),
        (AuthorizationError, on_permission),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (PermissionDenied, on_permission),
        (RequestDataTooBig, on_too_big),
        (SuspiciousOperation, on_suspicious),
        (DataError, on_data_error),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)
