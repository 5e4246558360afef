"""Page decorators that need the actor: log in, require a membership and a capability."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from voronka.core.audit import audit_record
from voronka.core.errors import PermissionDeniedError

from .actor import Actor
from .roles import Capability

P = ParamSpec("P")
ActorView = Callable[Concatenate[HttpRequest, Actor, P], HttpResponse]
PageView = Callable[Concatenate[HttpRequest, P], HttpResponse]


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
