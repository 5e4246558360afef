"""API authentication: `Authorization: Bearer <token>` or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from voronka.core.audit import audit_record
from voronka.core.scoping import activate_workspace

from .actor import actor_for
from .services.tokens import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = api_token_authenticate(token)
        if api_token is None:
            audit_record(action="auth.token_rejected", diff={"prefix": token[:10], "path": request.path[:200]})
            return None
        actor = actor_for(user=api_token.user, workspace_id=api_token.workspace_id)
        if actor is None:
            return None
        request.user = api_token.user
        request.actor = actor  # type: ignore[attr-defined]
        request.api_token = api_token  # type: ignore[attr-defined]
        # Reset by WorkspaceMiddleware when the request ends.
        activate_workspace(actor.workspace.pk)
        return api_token.user


class SessionActorAuth(APIKeyCookie):
    """The logged-in browser session; CSRF is checked on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated and getattr(request, "actor", None) is not None:
            return request.user
        return None
