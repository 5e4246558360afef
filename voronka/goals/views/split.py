"""Splitting a goal: choose how and between whom, preview the parts with the sum check, confirm."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext

from voronka.accounts.actor import Actor, team_subtree_ids
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import error_status

from ..access import access_goal, access_goal_for_update
from ..forms import SplitForm
from ..models import Goal, ScopeKind
from ..selectors import visible_teams
from ..services.display import goal_title, metric_unit
from ..services.split import SplitPlan, default_child_reps, default_child_teams, goal_split, goal_split_plan
from ._common import is_htmx, wrong_method


def _choices(actor: Actor, goal: Goal) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[int], list[int]]:
    """Team and rep choices below the goal's scope, and the defaults ticked."""
    teams = visible_teams(actor=actor)
    if goal.scope == ScopeKind.TEAM:
        below = team_subtree_ids(workspace_id=actor.workspace.pk, root_id=goal.team_id) - {goal.team_id}
        teams = [t for t in teams if t.pk in below]
    reps = default_child_reps(actor=actor, goal=goal)
    default_teams = [t.pk for t in default_child_teams(workspace_id=actor.workspace.pk,
                                                       parent_team_id=goal.team_id if goal.scope == ScopeKind.TEAM
                                                       else None)]
    return ([(t.pk, t.name) for t in teams], [(m.user_id, m.user.display_name) for m in reps],
            default_teams, [m.user_id for m in reps])


@actor_required(Capability.GOALS_MANAGE)
def goal_split_view(request: HttpRequest, actor: Actor, goal_id: int) -> HttpResponse:
    goal = access_goal(actor=actor, goal_id=goal_id)
    if refused := wrong_method(request, "GET", "POST"):
        return refused
    team_choices, rep_choices, default_teams, default_reps = _choices(actor, goal)
    child_scope = ScopeKind.TEAM if team_choices else ScopeKind.REP
    form = SplitForm(request.POST if request.method == "POST" else None, team_choices=team_choices,
                     rep_choices=rep_choices,
                     initial={"teams": default_teams, "reps": default_reps, "child_scope": child_scope})
    plan: SplitPlan | None = None
    error: ApplicationError | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        options: dict[str, Any] = {"mode": form.cleaned_data["mode"], "child_scope": form.cleaned_data["child_scope"],
                                   "children": form.children()}
        try:
            if request.POST.get("action") == "confirm":
                with transaction.atomic():
                    locked = access_goal_for_update(actor=actor, goal_id=goal.pk)
                    _plan, created = goal_split(actor=actor, goal=locked, **options)
                messages.success(request, ngettext("Goal split into %(n)d part.", "Goal split into %(n)d parts.",
                                                   len(created)) % {"n": len(created)})
                if is_htmx(request):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = reverse("goals:goal-detail", args=[goal.pk])
                    return response
                return redirect("goals:goal-detail", goal_id=goal.pk)
            plan = goal_split_plan(actor=actor, goal=goal, **options)
        except ApplicationError as refused_error:
            error = refused_error
            status = error_status(refused_error)
    elif request.method == "POST":
        status = 400
    context = {"goal": goal, "title": goal_title(goal), "form": form, "plan": plan, "error": error,
               "unit": metric_unit(goal.metric_key).value}
    if is_htmx(request) and request.method == "POST":
        return render(request, "goals/_split_preview.html", context, status=status)
    return render(request, "goals/goal_split.html", context, status=status)
