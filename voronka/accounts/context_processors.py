"""What every page's shell needs: the actor, their workspaces, the navigation.

The workspace list and navigation are lazy so pages that do not render the shell (partials,
error fragments) cost no queries.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from voronka.core.navigation import NavPart, visible_parts

from .actor import Actor
from .roles import Capability
from .selectors import workspace_list_for_user


def _capability_check(actor: Actor | None) -> Any:
    def can(capability: str) -> bool:
        if actor is None:
            return False
        try:
            return actor.can(Capability(capability))
        except ValueError:  # an app named a capability that does not exist: fail closed
            return False

    return can


def _navigation(actor: Actor | None) -> list[NavPart]:
    return visible_parts(_capability_check(actor)) if actor is not None else []


def shell(request: HttpRequest) -> dict[str, Any]:
    actor: Actor | None = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return {
        "actor": actor,
        "nav_parts": SimpleLazyObject(lambda: _navigation(actor)),
        "shell_workspaces": SimpleLazyObject(
            lambda: list(workspace_list_for_user(user_id=user.pk)) if authenticated else []  # type: ignore[union-attr]
        ),
        "can_manage_workspace": bool(actor and actor.can(Capability.MANAGE_WORKSPACE)),
        "can_manage_own_tokens": bool(actor and actor.can(Capability.MANAGE_OWN_TOKENS)),
    }
