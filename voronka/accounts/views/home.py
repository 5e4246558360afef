"""The dashboard: for now, an empty state that tells a new workspace what to do first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..actor import Actor
from ..roles import Capability
from ._base import actor_required


@actor_required()
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = {
        "can_invite": actor.can(Capability.INVITE_MEMBERS),
        "can_manage_teams": actor.can(Capability.MANAGE_TEAMS),
        "can_manage_tokens": actor.can(Capability.MANAGE_OWN_TOKENS),
    }
    return render(request, "accounts/home.html", context)
