"""The team tree: everyone may look, MANAGE_TEAMS may change it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.core.errors import ApplicationError

from ..access import access_team, access_team_for_update
from ..actor import Actor
from ..forms import TeamForm
from ..models import Team
from ..roles import Capability
from ..selectors import team_list
from ..services.teams import team_create, team_delete, team_update
from ._base import FORM_ERROR_STATUS, actor_required, add_service_error, error_status, posted


@dataclass
class TeamNode:
    team: Team
    children: list[TeamNode] = field(default_factory=list)


def team_tree(teams: list[Team]) -> list[TeamNode]:
    """Nest teams under their parents; a team whose parent is missing becomes a root."""
    nodes = {team.pk: TeamNode(team) for team in teams}
    roots: list[TeamNode] = []
    for node in nodes.values():
        parent = nodes.get(node.team.parent_id) if node.team.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def _render_list(request: HttpRequest, actor: Actor, form: TeamForm | None, status: int = 200) -> HttpResponse:
    teams = list(team_list(actor=actor))
    context = {
        "tree": team_tree(teams),
        "team_count": len(teams),
        "form": form,
        "can_manage": actor.can(Capability.MANAGE_TEAMS),
    }
    return render(request, "accounts/teams.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.VIEW_TEAMS)
def team_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TeamForm(actor=actor) if actor.can(Capability.MANAGE_TEAMS) else None
    return _render_list(request, actor, form)


@require_http_methods(["POST"])
@actor_required(Capability.MANAGE_TEAMS)
def team_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TeamForm(request.POST, actor=actor)
    if not form.is_valid():
        return _render_list(request, actor, form, status=FORM_ERROR_STATUS)
    try:
        team = team_create(actor=actor, name=form.cleaned_data["name"], parent=form.cleaned_data["parent"])
    except ApplicationError as error:
        add_service_error(form, error)
        return _render_list(request, actor, form, status=error_status(error))
    messages.success(request, _("Team “%(name)s” created.") % {"name": team.name})
    return redirect("accounts:teams")


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.MANAGE_TEAMS)
def team_edit_view(request: HttpRequest, actor: Actor, team_id: int) -> HttpResponse:
    team = access_team(actor=actor, team_id=team_id)
    initial = {"name": team.name, "parent": team.parent_id}
    form = TeamForm(posted(request), actor=actor, exclude=team, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    locked = access_team_for_update(actor=actor, team_id=team_id)
                    team_update(
                        actor=actor, team=locked, name=form.cleaned_data["name"], parent=form.cleaned_data["parent"]
                    )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("Team saved."))
                return redirect("accounts:teams")
        else:
            status = FORM_ERROR_STATUS
    return render(request, "accounts/team_edit.html", {"team": team, "form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.MANAGE_TEAMS)
def team_delete_view(request: HttpRequest, actor: Actor, team_id: int) -> HttpResponse:
    team = access_team(actor=actor, team_id=team_id)
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                team_delete(actor=actor, team=access_team_for_update(actor=actor, team_id=team_id))
        except ApplicationError as refused:
            error = refused
        else:
            messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
            return redirect("accounts:teams")
    status = error_status(error) if error else 200
    return render(request, "accounts/team_delete.html", {"team": team, "error": error}, status=status)
