"""Resolve the request's workspace and actor, and activate the workspace scope around the view."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from voronka.core.scoping import activate_workspace, deactivate_workspace

from .actor import actor_for, default_workspace_id

SESSION_WORKSPACE_KEY = "voronka_workspace_id"


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = None
        user = request.user
        if user.is_authenticated:
            workspace_id = request.session.get(SESSION_WORKSPACE_KEY)
            actor = actor_for(user=user, workspace_id=workspace_id) if workspace_id else None  # type: ignore[arg-type]
            if actor is None:
                fallback = default_workspace_id(user)  # type: ignore[arg-type]
                if fallback is not None:
                    actor = actor_for(user=user, workspace_id=fallback)  # type: ignore[arg-type]
                    request.session[SESSION_WORKSPACE_KEY] = fallback
        request.actor = actor  # type: ignore[attr-defined]
        # API token requests activate their own workspace in the auth step; this resets it too.
        token = activate_workspace(actor.workspace.pk if actor else None)
        try:
            return self.get_response(request)
        finally:
            deactivate_workspace(token)
