"""Workspace settings (admins) and switching the current workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, NotFoundError

from ..actor import Actor, actor_for
from ..forms import WorkspaceSettingsForm
from ..middleware import SESSION_WORKSPACE_KEY
from ..roles import Capability
from ..services.workspaces import workspace_update
from ._base import FORM_ERROR_STATUS, actor_required, add_service_error, error_status, posted


@actor_required(Capability.MANAGE_WORKSPACE)
def settings_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    workspace = actor.workspace
    initial = {
        "name": workspace.name,
        "currency": workspace.currency,
        "time_zone": workspace.time_zone,
        "language": workspace.language,
        "reps_see_team": workspace.reps_see_team,
    }
    form = WorkspaceSettingsForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                workspace_update(actor=actor, **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("accounts:settings")
        else:
            status = FORM_ERROR_STATUS
    return render(request, "accounts/settings.html", {"form": form}, status=status)


@require_POST
@login_required
def workspace_switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's workspaces current; one they are not an active member of is a 404."""
    target = actor_for(user=request.user, workspace_id=_workspace_id(request))  # type: ignore[arg-type]
    if target is None:
        raise NotFoundError()
    request.session[SESSION_WORKSPACE_KEY] = target.workspace.pk
    audit_record(
        action="workspace.switch", actor=request.user, target=target.workspace, workspace_id=target.workspace.pk
    )
    messages.success(request, _("Switched to %(workspace)s.") % {"workspace": target.workspace.name})
    return redirect("home")  # the page we came from names objects of the old workspace


def _workspace_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("workspace", ""))
    except ValueError:
        raise NotFoundError() from None
