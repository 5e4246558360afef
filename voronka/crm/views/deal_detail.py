"""The deal page: header, stage bar, inline edit, won/lost/reopen, line items, custom fields, timeline, panels."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, ConflictError
from voronka.core.panels import panels_for

from ..access import access_deal, visible_contacts
from ..forms import (
    INLINE_FIELD_CAPABILITY,
    INLINE_FIELDS,
    DealCreateForm,
    DealFieldForm,
    DealLostForm,
    DealReopenForm,
    DealVersionForm,
)
from ..forms.activities import QuickAddForm
from ..models import CustomField, Deal, DealLineItem, Stage
from ..selectors.deals import deal_timeline
from ..services.deals import deal_create, deal_mark_lost, deal_mark_won, deal_reopen, deal_update
from ._common import (
    FORM_ERROR_STATUS,
    add_service_error,
    conflict_of,
    error_status,
    gate_fields,
    is_htmx,
    method_not_allowed,
    posted,
    safe_next,
    trigger,
)

TIMELINE_LIMIT = 100


def _deal_url(deal: Deal) -> str:
    return reverse("crm:deal-detail", args=[deal.pk])


def _stages(deal: Deal) -> list[Stage]:
    return list(Stage.objects.filter(workspace_id=deal.workspace_id, pipeline_id=deal.pipeline_id)
                .order_by("order", "id"))


def deal_page_context(request: HttpRequest, actor: Actor, deal: Deal) -> dict[str, Any]:
    stages = _stages(deal)
    custom_fields = list(CustomField.objects.filter(workspace_id=deal.workspace_id, entity="deal")
                         .order_by("order", "id"))
    return {
        "deal": deal,
        "stages": stages,
        "open_stages": [stage for stage in stages if stage.kind == "open"],
        "contacts": list(visible_contacts(actor).filter(deals=deal).order_by("full_name", "id")),
        "line_items": list(DealLineItem.objects.filter(workspace_id=deal.workspace_id, deal=deal)
                           .select_related("product").order_by("id")),
        "custom_values": [(field, (deal.custom or {}).get(field.key)) for field in custom_fields],
        "timeline": list(deal_timeline(deal=deal)[:TIMELINE_LIMIT]),
        "panels": panels_for("deal", request, deal),
        "can_edit": actor.can(Capability.CRM_EDIT_DEALS),
        "can_assign": actor.can(Capability.CRM_ASSIGN),
        "inline_fields": INLINE_FIELDS,
        "quick_form": QuickAddForm(initial={"deal": deal.pk, "kind": "note"}),
        "reopen_form": DealReopenForm(initial={"version": deal.version}, pipeline=deal.pipeline),
        "now": timezone.now(),
    }


@actor_required(Capability.CRM_VIEW)
def deal_detail_view(request: HttpRequest, actor: Actor, deal_id: int) -> HttpResponse:
    deal = access_deal(actor=actor, deal_id=deal_id)
    if (refused := method_not_allowed(request, ("GET", "HEAD"))) is not None:
        return refused
    return render(request, "crm/deal/detail.html", deal_page_context(request, actor, deal))


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_EDIT_DEALS)
def deal_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {"pipeline": request.GET.get("pipeline")}
    form = DealCreateForm(posted(request), actor=actor, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
            try:
                deal = deal_create(actor=actor, data=data)
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("Deal “%(title)s” created.") % {"title": deal.title})
                return redirect(_deal_url(deal))
        else:
            status = FORM_ERROR_STATUS
    has_pipelines = bool(form.fields["pipeline"].queryset.exists())  # type: ignore[attr-defined]
    return render(request, "crm/deal/create.html", {"form": form, "has_pipelines": has_pipelines}, status=status)


def _refused(request: HttpRequest, deal: Deal, error: ApplicationError, back: str) -> HttpResponse:
    if isinstance(error, ConflictError):
        current = access_deal_or_none(request, deal)
        return render(request, "crm/deal/conflict.html",
                      {"deal": current or deal, "conflict": conflict_of(error), "back": back}, status=409)
    return render(request, "crm/deal/refused.html",
                  {"deal": deal, "message": str(error.message), "missing": gate_fields(error), "back": back},
                  status=error_status(error))


def access_deal_or_none(request: HttpRequest, deal: Deal) -> Deal | None:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    try:
        return access_deal(actor=actor, deal_id=deal.pk)
    except ApplicationError:
        return None


@actor_required(Capability.CRM_EDIT_DEALS)
def deal_won_view(request: HttpRequest, actor: Actor, deal_id: int) -> HttpResponse:
    deal = access_deal(actor=actor, deal_id=deal_id)
    if (refused := method_not_allowed(request, ("POST",))) is not None:
        return refused
    back = safe_next(request, _deal_url(deal))
    form = DealVersionForm(request.POST)
    if not form.is_valid():
        return render(request, "crm/deal/refused.html",
                      {"deal": deal, "message": _("Reload the page and try again."), "back": back}, status=400)
    try:
        deal = deal_mark_won(actor=actor, deal=deal, version=form.cleaned_data["version"])
    except ApplicationError as error:
        return _refused(request, deal, error, back)
    messages.success(request, _("“%(title)s” is won. Well done!") % {"title": deal.title})
    return redirect(back)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_EDIT_DEALS)
def deal_lost_view(request: HttpRequest, actor: Actor, deal_id: int) -> HttpResponse:
    """GET: the dialog asking why (a page, or the modal's content for htmx); POST: mark the deal lost."""
    deal = access_deal(actor=actor, deal_id=deal_id)
    back = safe_next(request, _deal_url(deal))
    form = DealLostForm(posted(request), actor=actor, initial={"version": deal.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deal = deal_mark_lost(actor=actor, deal=deal, version=form.cleaned_data["version"],
                                      lost_reason=form.cleaned_data["lost_reason"], note=form.cleaned_data["note"])
            except ConflictError as error:
                if not is_htmx(request):
                    return _refused(request, deal, error, back)
                form.add_error(None, _conflict_sentence(error))
                status = 409
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("“%(title)s” is marked lost.") % {"title": deal.title})
                if is_htmx(request):
                    response = HttpResponse(status=204)
                    response.headers["HX-Redirect"] = back
                    return response
                return redirect(back)
        else:
            status = FORM_ERROR_STATUS
    context = {"deal": deal, "form": form, "next_url": back}
    if is_htmx(request):
        response = render(request, "crm/partials_deal/lost_dialog.html", context, status=status)
        response.headers["HX-Retarget"] = "#crm-modal-content"
        response.headers["HX-Reswap"] = "innerHTML"
        return trigger(response, {"crm-open-modal": True})
    return render(request, "crm/deal/lost.html", context, status=status)


def _conflict_sentence(error: ConflictError) -> str:
    from django.utils.timesince import timesince

    conflict = conflict_of(error)
    if conflict.changed_by and conflict.changed_at:
        return _("%(who)s changed this deal %(ago)s ago. Review it and try again.") % {
            "who": conflict.changed_by, "ago": timesince(conflict.changed_at)}
    return conflict.message


@actor_required(Capability.CRM_EDIT_DEALS)
def deal_reopen_view(request: HttpRequest, actor: Actor, deal_id: int) -> HttpResponse:
    deal = access_deal(actor=actor, deal_id=deal_id)
    if (refused := method_not_allowed(request, ("POST",))) is not None:
        return refused
    back = safe_next(request, _deal_url(deal))
    form = DealReopenForm(request.POST, pipeline=deal.pipeline)
    if not form.is_valid():
        return render(request, "crm/deal/refused.html",
                      {"deal": deal, "message": _("Choose an open stage to reopen the deal in."), "back": back},
                      status=400)
    try:
        deal = deal_reopen(actor=actor, deal=deal, version=form.cleaned_data["version"],
                           stage=form.cleaned_data["stage"])
    except ApplicationError as error:
        return _refused(request, deal, error, back)
    messages.success(request, _("“%(title)s” is open again in %(stage)s.") % {"title": deal.title,
                                                                              "stage": deal.stage.name})
    return redirect(back)


def _field_initial(deal: Deal, field: str) -> Any:
    if field in ("channel", "owner"):
        return getattr(deal, f"{field}_id")
    return getattr(deal, field)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_VIEW)
def deal_field_view(request: HttpRequest, actor: Actor, deal_id: int, field: str) -> HttpResponse:
    """Inline edit of one field: GET the small form (or ?show=1 the value), POST save it."""
    deal = access_deal(actor=actor, deal_id=deal_id)
    if field not in INLINE_FIELDS:
        raise Http404
    needs = INLINE_FIELD_CAPABILITY.get(field, Capability.CRM_EDIT_DEALS)
    can_edit = actor.can(Capability.CRM_EDIT_DEALS) and actor.can(needs)
    context: dict[str, Any] = {"deal": deal, "field": field, "can_edit": can_edit,
                               "can_assign": actor.can(Capability.CRM_ASSIGN)}
    if request.method == "GET" and (request.GET.get("show") or not can_edit):
        return render(request, "crm/partials_deal/field.html", context)
    actor.require(Capability.CRM_EDIT_DEALS)
    actor.require(needs)
    initial = {"version": deal.version, "value": _field_initial(deal, field)}
    form = DealFieldForm(posted(request), actor=actor, field=field, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                deal = deal_update(actor=actor, deal=deal, data={field: form.cleaned_data["value"]},
                                   version=form.cleaned_data["version"])
            except ConflictError as error:
                context["conflict"] = conflict_of(error)
                current = access_deal(actor=actor, deal_id=deal.pk)
                context["deal"] = current
                # Offer the form again on top of what the deal holds now.
                form = DealFieldForm(actor=actor, field=field,
                                     initial={"version": current.version, "value": _field_initial(current, field)})
                status = 409
            except ApplicationError as error:
                if "value" in form.fields and field in error.fields:
                    for message in error.fields[field]:
                        form.add_error("value", message)
                else:
                    add_service_error(form, error)
                status = error_status(error)
            else:
                if not is_htmx(request):
                    return redirect(_deal_url(deal))
                response = render(request, "crm/partials_deal/field.html", {**context, "deal": deal, "saved": True})
                return trigger(response, {"crm-deal-version": {"value": deal.version}})
        else:
            status = FORM_ERROR_STATUS
    context["form"] = form
    template = "crm/partials_deal/field_form.html" if is_htmx(request) else "crm/deal/field_edit.html"
    return render(request, template, context, status=status)
