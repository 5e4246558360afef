"""Save the current list query under a name; delete one's own saved views."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError

from ..access import access_saved_view
from ..services.saved_views import saved_view_create, saved_view_delete
from .list_support import spec_for, wrong_method


@require_http_methods(["POST"])
@actor_required(Capability.CRM_VIEW)
def saved_view_create_view(request: HttpRequest, actor: Actor, entity: str) -> HttpResponse:
    spec = spec_for(entity)
    query = request.POST.get("query", "")
    try:
        view = saved_view_create(
            actor=actor, entity=spec.entity, name=request.POST.get("name", ""), query=query,
            is_shared=request.POST.get("is_shared") in ("1", "on", "true"),
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(f"{spec.list_url}?{query}" if query else spec.list_url)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{spec.list_url}?{view.query}" if view.query else spec.list_url)


@actor_required(Capability.CRM_VIEW)
def saved_view_delete_view(request: HttpRequest, actor: Actor, view_id: int) -> HttpResponse:
    view = access_saved_view(actor=actor, view_id=view_id)
    if refused := wrong_method(request, "POST"):
        return refused
    spec = spec_for(view.entity)
    with transaction.atomic():
        saved_view_delete(actor=actor, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(spec.list_url)
