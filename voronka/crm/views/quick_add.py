"""Quick add of a note, call or task right on the deal page; the new entry shows on the timeline."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, NotFoundError

from ..access import access_deal
from ..forms import QuickAddForm
from ..models import ActivityKind
from ..selectors.deals import deal_timeline
from ..services.activities import activity_create
from ._common import FORM_ERROR_STATUS, add_service_error, error_status, is_htmx

TIMELINE_LIMIT = 100
SUBJECT_FROM_BODY = 80


@require_http_methods(["POST"])
@actor_required(Capability.CRM_EDIT_DEALS)
def activity_quick_add_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = QuickAddForm(request.POST)
    deal_id = request.POST.get("deal")
    if not (deal_id or "").isdigit():
        raise NotFoundError()
    deal = access_deal(actor=actor, deal_id=deal_id)
    status = FORM_ERROR_STATUS
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["deal"] = deal
        data["subject"] = data["subject"] or " ".join(data["body"].split())[:SUBJECT_FROM_BODY]
        if data["kind"] != ActivityKind.TASK:
            data["due_at"] = None
        try:
            activity = activity_create(actor=actor, data=data)
        except ApplicationError as error:
            add_service_error(form, error)
            status = error_status(error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Added “%(subject)s”.") % {"subject": activity.subject})
                return redirect(reverse("crm:deal-detail", args=[deal.pk]))
            context = {
                "deal": deal, "timeline": list(deal_timeline(deal=deal)[:TIMELINE_LIMIT]),
                "quick_form": QuickAddForm(initial={"deal": deal.pk, "kind": data["kind"]}), "oob": True,
            }
            return render(request, "crm/partials_deal/timeline_update.html", context)
    context = {"deal": deal, "quick_form": form}
    if is_htmx(request):
        response = render(request, "crm/partials_deal/quick_add.html", context, status=status)
        response.headers["HX-Retarget"] = "#quick-add"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "crm/deal/quick_add.html", context, status=status)
