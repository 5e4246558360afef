"""API authentication: `Authorization: Bearer <token>` or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
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

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        # A request that names a token stands or falls by it: a rejected token is a 401 even
        # with a session cookie. Without a session user, skip the CSRF check so an anonymous
        # POST answers 401 (not 403 csrf_failed).
        if "authorization" in request.headers or not self._has_session_actor(request):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if self._has_session_actor(request) else None

    @staticmethod
    def _has_session_actor(request: HttpRequest) -> bool:
        return request.user.is_authenticated and getattr(request, "actor", None) is not None
