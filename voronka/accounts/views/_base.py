"""What every accounts page shares: the actor gate, service errors as form errors, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, PermissionDeniedError

from ..actor import Actor
from ..roles import Capability

P = ParamSpec("P")
ActorView = Callable[Concatenate[HttpRequest, Actor, P], HttpResponse]
PageView = Callable[Concatenate[HttpRequest, P], HttpResponse]

FORM_ERROR_STATUS = 400


def actor_required(capability: Capability | None = None) -> Callable[[ActorView[P]], PageView[P]]:
    """Log in, then require an active membership and `capability`; the view gets the actor."""

    def decorator(view: ActorView[P]) -> PageView[P]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            actor: Actor | None = getattr(request, "actor", None)
            if actor is None:
                # Logged in but no active membership: explain instead of failing.
                return render(request, "accounts/no_workspace.html")
            if capability is not None and not actor.can(capability):
                audit_record(
                    action="access.denied",
                    actor=actor.user,
                    workspace_id=actor.workspace.pk,
                    diff={"path": request.path[:200], "method": request.method},
                )
                raise PermissionDeniedError()
            return view(request, actor, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def add_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: per-field messages where a field matches, and the summary."""
    for name, messages in error.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    form.add_error(None, str(error.message))


def error_status(error: ApplicationError) -> int:
    return error.status if 400 <= error.status < 500 else FORM_ERROR_STATUS


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the request names when it stays on this site, else `fallback`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, None on GET; an empty POST still binds (and fails validation)."""
    return request.POST if request.method == "POST" else None
