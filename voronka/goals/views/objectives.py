"""Objectives: the list (everyone reads them), a form to write one, edit."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import add_service_error, error_status, posted

from ..access import access_objective, access_objective_for_update
from ..forms import ObjectiveForm
from ..selectors import objective_list
from ..services.objectives import objective_create, objective_update
from ._common import wrong_method


@actor_required(Capability.GOALS_VIEW)
def objective_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if refused := wrong_method(request, "GET", "POST"):
        return refused
    can_manage = actor.can(Capability.GOALS_MANAGE)
    if request.method == "POST" and not can_manage:
        actor.require(Capability.GOALS_MANAGE)
    form = ObjectiveForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    objective = objective_create(actor=actor, data=form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("Objective “%(title)s” added.") % {"title": objective.title})
                return redirect("goals:objective-list")
        else:
            status = 400
    objectives = objective_list(actor=actor)
    return render(request, "goals/objective_list.html", {
        "objectives": objectives, "form": form if can_manage else None, "can_manage": can_manage,
    }, status=status)


@actor_required(Capability.GOALS_MANAGE)
def objective_edit_view(request: HttpRequest, actor: Actor, objective_id: int) -> HttpResponse:
    objective = access_objective(actor=actor, objective_id=objective_id)
    if refused := wrong_method(request, "GET", "POST"):
        return refused
    form = ObjectiveForm(posted(request), initial={"title": objective.title, "description": objective.description,
                                                    "is_active": objective.is_active, "version": objective.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    locked = access_objective_for_update(actor=actor, objective_id=objective_id)
                    objective_update(actor=actor, objective=locked, data=form.cleaned_data,
                                     version=form.cleaned_data.get("version") or 0)
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("Objective saved."))
                return redirect("goals:objective-list")
        else:
            status = 400
    return render(request, "goals/objective_edit.html", {"objective": objective, "form": form}, status=status)
