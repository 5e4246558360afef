"""The new-activity page: a call, meeting, email, task or note, reached from the activity list and from the
deal, contact and company pages (which preselect themselves with ?deal= / ?contact= / ?company=)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import FORM_ERROR_STATUS, error_status, posted

from ..access import access_company, access_contact, access_deal
from ..forms.activities import ActivityForm
from ..models import Activity, CustomEntity
from ..services.activities import activity_create
from .companies import custom_fields_of

_LINKS: dict[str, Callable[..., Any]] = {"deal": access_deal, "contact": access_contact, "company": access_company}


def _linked(actor: Actor, params: QueryDict) -> dict[str, Any]:
    """The records the query string names, resolved through access: another workspace's or an invisible
    record is a 404 (R1), something that is not an id is ignored."""
    linked: dict[str, Any] = {}
    for name, resolve in _LINKS.items():
        raw = params.get(name, "")
        if raw.isdigit():
            linked[name] = resolve(actor=actor, **{f"{name}_id": int(raw)})
    return linked


def _back(activity: Activity) -> str:
    if activity.deal_id:
        return reverse("crm:deal-detail", args=[activity.deal_id])
    if activity.contact_id:
        return reverse("crm:contact-detail", args=[activity.contact_id])
    if activity.company_id:
        return reverse("crm:company-detail", args=[activity.company_id])
    return reverse("crm:activity-list")


def _cancel(linked: dict[str, Any]) -> str:
    for name in ("deal", "contact", "company"):
        if name in linked:
            return reverse(f"crm:{name}-detail", args=[linked[name].pk])
    return reverse("crm:activity-list")


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_EDIT_DEALS)
def activity_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    linked = _linked(actor, request.GET)
    custom_fields = custom_fields_of(actor, CustomEntity.ACTIVITY)
    form = ActivityForm(posted(request), actor=actor, custom_fields=custom_fields, linked=linked)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    activity = activity_create(actor=actor, data=form.service_data())
            except ApplicationError as error:
                form.add_service_error(error)
                status = error_status(error)
            else:
                messages.success(request, _("Activity “%(subject)s” created.") % {"subject": activity.subject})
                return redirect(_back(activity))
        else:
            status = FORM_ERROR_STATUS
    # The form posts back to the same links, so the preselected record stays a choice after an error.
    kept = QueryDict(mutable=True)
    for name, record in linked.items():
        kept[name] = str(record.pk)
    action = reverse("crm:activity-create") + (f"?{kept.urlencode()}" if kept else "")
    context = {"form": form, "action": action, "cancel_url": _cancel(linked), "linked": linked}
    return render(request, "crm/activity/create.html", context, status=status)
