"""`Idempotency-Key` for API creates (SECURITY.md R27).

A client that retries a create after a timeout sends the same key: the first successful
answer is stored and replayed, so the retry creates nothing. The same key with another body
is refused with 422 `idempotency_key_reused`. Keys are scoped to the workspace and the user,
and live IDEMPOTENCY_KEY_TTL. Only 2xx answers are stored: a refused request may be fixed and
retried with its key.

    @router.post("/teams", response={201: TeamRead})
    @idempotent
    def team_create_api(request, payload: TeamCreate): ...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast, overload

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_args

from .errors import ApplicationError, ErrorCode
from .models import IdempotencyKey
from .scoping import active_workspace_id

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEY_TTL = dt.timedelta(hours=24)
_ARG = "idempotency_key"
_PENDING_ATTR = "_voronka_idempotency"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Pending:
    """A fresh key seen by the endpoint; its answer is stored once the operation has rendered it."""

    workspace_id: int
    user_id: int
    key: str
    request_hash: str
    redact: tuple[str, ...]


class _KeyRaced(Exception):
    """A concurrent request stored the same key first; ours must roll back and answer like it."""

    def __init__(self, pending: _Pending) -> None:
        super().__init__(pending.key)
        self.pending = pending


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of method, path and body; JSON bodies are canonical so key order and spacing don't count."""
    body: bytes = request.body
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode() + b"\0")
    digest.update(canonical)
    return digest.hexdigest()


def _mismatch_error() -> ApplicationError:
    return ApplicationError(
        _("This Idempotency-Key was already used with another request. Use a new key."),
        code=ErrorCode.IDEMPOTENCY_MISMATCH, status=422, fields={HEADER: [_("Already used for another request.")]},
    )


def _replay(stored: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        stored.response_body, status=stored.status_code,
        content_type="application/json; charset=utf-8" if stored.response_body else None,
    )
    response[REPLAY_HEADER] = "true"
    return response


def _stored_answer(*, user_id: int, key: str, request_hash: str) -> HttpResponse | None:
    """The replay for a live key with this request, None for an unknown key; another request raises."""
    stored = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
    if stored is None:
        return None
    if stored.created_at < timezone.now() - IDEMPOTENCY_KEY_TTL:
        stored.delete()
        return None
    if stored.request_hash != request_hash:
        raise _mismatch_error()
    return _replay(stored)


def _body_to_store(response: HttpResponseBase, redact: tuple[str, ...]) -> str:
    body = response.content.decode() if isinstance(response, HttpResponse) else ""
    if not redact or not body:
        return body
    # Secrets shown once (an API token) must not be kept in clear text for a replay.
    data = json.loads(body)
    if isinstance(data, dict):
        data.update({name: None for name in redact if name in data})
    return json.dumps(data)


def _store(pending: _Pending, response: HttpResponseBase) -> None:
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                workspace_id=pending.workspace_id, user_id=pending.user_id, key=pending.key,
                request_hash=pending.request_hash, status_code=response.status_code,
                response_body=_body_to_store(response, pending.redact),
            )
    except IntegrityError as error:
        raise _KeyRaced(pending) from error


def _record_answers(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap the whole operation in one transaction so the created row and its key commit together."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            with transaction.atomic():
                response = run(request, *args, **kwargs)
                pending: _Pending | None = getattr(request, _PENDING_ATTR, None)
                if pending is not None and 200 <= response.status_code < 300:
                    _store(pending, response)
        except _KeyRaced as raced:
            return _answer_after_race(raced.pending)
        return response

    return wrapper


def _answer_after_race(pending: _Pending) -> HttpResponse:
    try:
        answer = _stored_answer(user_id=pending.user_id, key=pending.key, request_hash=pending.request_hash)
    except ApplicationError as mismatch:
        return _error_response(mismatch)
    if answer is None:  # the winner's row expired in between: vanishingly rare, safe to ask for a retry
        return _error_response(ApplicationError(_("Try the request again."), code=ErrorCode.CONFLICT, status=409))
    return answer


def _error_response(error: ApplicationError) -> HttpResponse:
    # Outside the operation, so ninja's error handlers no longer apply: same shape, built here.
    return HttpResponse(json.dumps(error.as_dict()), status=error.status, content_type="application/json")


def _make_idempotent(func: F, redact: tuple[str, ...]) -> F:
    @wraps(func)
    def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key: str | None = kwargs.pop(_ARG, None)
        workspace_id = active_workspace_id()
        user_id = getattr(request.user, "pk", None)
        if not key or workspace_id is None or user_id is None:
            return func(request, *args, **kwargs)
        request_hash = request_fingerprint(request)
        answer = _stored_answer(user_id=user_id, key=key, request_hash=request_hash)
        if answer is not None:
            return answer
        setattr(request, _PENDING_ATTR, _Pending(workspace_id, user_id, key, request_hash, redact))
        return func(request, *args, **kwargs)

    # Declared as a header parameter so ninja validates its length and the OpenAPI lists it.
    contribute_operation_args(
        endpoint, _ARG, cast(Any, str | None),
        Header(None, alias=HEADER, min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
               description="Send a unique key to make a retried create safe: the first answer is replayed."),
    )
    return decorate_view(_record_answers)(endpoint)  # type: ignore[return-value]


@overload
def idempotent(func: F) -> F: ...
@overload
def idempotent(*, redact: tuple[str, ...] = ()) -> Callable[[F], F]: ...
def idempotent(func: F | None = None, *, redact: tuple[str, ...] = ()) -> F | Callable[[F], F]:
    """Make a POST create replayable by `Idempotency-Key`; `redact` names top-level fields not to store."""
    if func is not None:
        return _make_idempotent(func, redact)
    return lambda inner: _make_idempotent(inner, redact)
