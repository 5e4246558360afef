"""CRM settings (CRM_CONFIGURE): pipelines and stages, lost reasons, products, custom fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import FORM_ERROR_STATUS, add_service_error, error_status, posted

from ..access import access_custom_field, access_lost_reason, access_pipeline, access_product, access_stage
from ..forms.settings import CustomFieldForm, LostReasonForm, PipelineForm, ProductForm, StageForm
from ..models import CustomField, Deal, LostReason, Pipeline, Product, Stage
from ..services import custom_fields as custom_field_services
from ..services import pipelines as pipeline_services
from ..services import products as product_services
from .list_support import wrong_method

CONFIGURE = Capability.CRM_CONFIGURE
GATE_LABELS = {
    "company": gettext_lazy("Company"), "contacts": gettext_lazy("Contacts"), "amount": gettext_lazy("Amount"),
    "expected_close_date": gettext_lazy("Expected close date"), "channel": gettext_lazy("Sales channel"),
    "lead_source": gettext_lazy("Lead source"),
}


def _run(form: forms.Form, call: Callable[[], Any]) -> tuple[Any, int]:
    """Call a service for a valid form; (result or None, status) with the refusal on the form."""
    if not form.is_valid():
        return None, FORM_ERROR_STATUS
    try:
        with transaction.atomic():
            return call(), 200
    except ApplicationError as error:
        add_service_error(form, error)
        return None, error_status(error)


def _form_page(request: HttpRequest, *, title: str, form: forms.Form, action: str, back: str,
               status: int = 200) -> HttpResponse:
    return render(request, "crm/settings/form.html",
                  {"title": title, "form": form, "action": action, "back": back}, status=status)


def _confirm_page(request: HttpRequest, *, title: str, text: str, action: str, back: str,
                  error: ApplicationError | None = None) -> HttpResponse:
    return render(request, "crm/settings/delete.html",
                  {"title": title, "text": text, "action": action, "back": back, "error": error},
                  status=error_status(error) if error else 200)


def _stage_form(actor: Actor, data: Any = None, **kwargs: Any) -> StageForm:
    allowed = pipeline_services.allowed_required_fields(workspace_id=actor.workspace.pk)
    labels: dict[str, str] = {name: str(label) for name, label in GATE_LABELS.items()}
    for field in CustomField.objects.filter(workspace_id=actor.workspace.pk, entity="deal"):
        labels[pipeline_services.CUSTOM_PREFIX + field.key] = field.label
    return StageForm(data, allowed_fields=allowed, labels=labels, **kwargs)


# --- pipelines and stages ------------------------------------------------------------------------

def _pipelines_page(request: HttpRequest, actor: Actor, form: PipelineForm | None = None,
                    stage_forms: dict[int, StageForm] | None = None, status: int = 200) -> HttpResponse:
    pipelines = list(
        Pipeline.objects.filter(workspace_id=actor.workspace.pk).select_related("team").order_by("order", "id")
    )
    stages: dict[int, list[Stage]] = {pipeline.pk: [] for pipeline in pipelines}
    for stage in Stage.objects.filter(workspace_id=actor.workspace.pk).order_by("order", "id"):
        stages.setdefault(stage.pipeline_id, []).append(stage)
    rows = [
        {"pipeline": p, "stages": stages[p.pk], "stage_form": (stage_forms or {}).get(p.pk) or _stage_form(actor)}
        for p in pipelines
    ]
    return render(request, "crm/settings/pipelines.html",
                  {"rows": rows, "form": form or PipelineForm(), "tab": "pipelines"}, status=status)


@require_http_methods(["GET", "HEAD"])
@actor_required(CONFIGURE)
def settings_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _pipelines_page(request, actor)


@require_http_methods(["POST"])
@actor_required(CONFIGURE)
def pipeline_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PipelineForm(request.POST)
    pipeline, status = _run(form, lambda: pipeline_services.pipeline_create(
        actor=actor, name=form.cleaned_data["name"], is_default=form.cleaned_data["is_default"]))
    if pipeline is None:
        return _pipelines_page(request, actor, form=form, status=status)
    messages.success(request, _("Pipeline “%(name)s” created with the standard stages.") % {"name": pipeline.name})
    return redirect("crm:settings")


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def pipeline_edit_view(request: HttpRequest, actor: Actor, pipeline_id: int) -> HttpResponse:
    pipeline = access_pipeline(actor=actor, pipeline_id=pipeline_id)
    form = PipelineForm(posted(request), initial={"name": pipeline.name, "is_default": pipeline.is_default})
    status = 200
    if request.method == "POST":
        saved, status = _run(form, lambda: pipeline_services.pipeline_update(
            actor=actor, pipeline=pipeline, name=form.cleaned_data["name"],
            is_default=form.cleaned_data["is_default"]))
        if saved is not None:
            messages.success(request, _("Pipeline saved."))
            return redirect("crm:settings")
    return _form_page(request, title=_("Pipeline “%(name)s”") % {"name": pipeline.name}, form=form,
                      action=reverse("crm:settings-pipeline-edit", args=[pipeline.pk]),
                      back=reverse("crm:settings"), status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def pipeline_delete_view(request: HttpRequest, actor: Actor, pipeline_id: int) -> HttpResponse:
    pipeline = access_pipeline(actor=actor, pipeline_id=pipeline_id)
    error = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                pipeline_services.pipeline_delete(actor=actor, pipeline=pipeline)
        except ApplicationError as refused:
            error = refused
        else:
            messages.success(request, _("Pipeline “%(name)s” deleted.") % {"name": pipeline.name})
            return redirect("crm:settings")
    deals = Deal.objects.filter(workspace_id=actor.workspace.pk, pipeline=pipeline).count()
    return _confirm_page(
        request, title=_("Delete pipeline “%(name)s”?") % {"name": pipeline.name},
        text=_("Its stages are deleted with it. It holds %(count)d deals; a pipeline with deals cannot be deleted.")
        % {"count": deals},
        action=reverse("crm:settings-pipeline-delete", args=[pipeline.pk]), back=reverse("crm:settings"),
        error=error,
    )


@actor_required(CONFIGURE)
def stage_create_view(request: HttpRequest, actor: Actor, pipeline_id: int) -> HttpResponse:
    pipeline = access_pipeline(actor=actor, pipeline_id=pipeline_id)
    if refused := wrong_method(request, "POST"):
        return refused
    form = _stage_form(actor, request.POST)
    stage, status = _run(form, lambda: pipeline_services.stage_create(actor=actor, pipeline=pipeline,
                                                                      **form.cleaned_data))
    if stage is None:
        return _pipelines_page(request, actor, stage_forms={pipeline.pk: form}, status=status)
    messages.success(request, _("Stage “%(name)s” added.") % {"name": stage.name})
    return redirect("crm:settings")


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def stage_edit_view(request: HttpRequest, actor: Actor, stage_id: int) -> HttpResponse:
    stage = access_stage(actor=actor, stage_id=stage_id)
    initial = {name: getattr(stage, name) for name in
               ("name", "probability", "stalled_after_days", "kind", "required_fields")}
    form = _stage_form(actor, posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        saved, status = _run(form, lambda: pipeline_services.stage_update(actor=actor, stage=stage,
                                                                          **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Stage saved."))
            return redirect("crm:settings")
    return _form_page(request, title=_("Stage “%(name)s”") % {"name": stage.name}, form=form,
                      action=reverse("crm:settings-stage-edit", args=[stage.pk]), back=reverse("crm:settings"),
                      status=status)


@actor_required(CONFIGURE)
def stage_move_view(request: HttpRequest, actor: Actor, stage_id: int) -> HttpResponse:
    """Up/down buttons: swap the stage with its neighbour through stage_reorder."""
    stage = access_stage(actor=actor, stage_id=stage_id)
    if refused := wrong_method(request, "POST"):
        return refused
    ids = list(Stage.objects.filter(pipeline_id=stage.pipeline_id).order_by("order", "id").values_list("pk", flat=True))
    index = ids.index(stage.pk)
    other = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        try:
            with transaction.atomic():
                pipeline_services.stage_reorder(actor=actor, pipeline=stage.pipeline, stage_ids=ids)
        except ApplicationError as error:
            messages.error(request, str(error.message))
    return redirect(f"{reverse('crm:settings')}#pipeline-{stage.pipeline_id}")


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def stage_delete_view(request: HttpRequest, actor: Actor, stage_id: int) -> HttpResponse:
    stage = access_stage(actor=actor, stage_id=stage_id)
    error = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                pipeline_services.stage_delete(actor=actor, stage=stage)
        except ApplicationError as refused:
            error = refused
        else:
            messages.success(request, _("Stage “%(name)s” deleted.") % {"name": stage.name})
            return redirect("crm:settings")
    return _confirm_page(
        request, title=_("Delete stage “%(name)s”?") % {"name": stage.name},
        text=_("A stage that deals sit in or passed through cannot be deleted."),
        action=reverse("crm:settings-stage-delete", args=[stage.pk]), back=reverse("crm:settings"), error=error,
    )


# --- lost reasons --------------------------------------------------------------------------------

@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def lost_reasons_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = LostReasonForm(posted(request))
    status = 200
    if request.method == "POST":
        reason, status = _run(form, lambda: pipeline_services.lost_reason_create(
            actor=actor, name=form.cleaned_data["name"]))
        if reason is not None:
            messages.success(request, _("Lost reason “%(name)s” added.") % {"name": reason.name})
            return redirect("crm:settings-lost-reasons")
    reasons = LostReason.objects.filter(workspace_id=actor.workspace.pk).order_by("-is_active", "name", "id")
    del form.fields["is_active"]
    return render(request, "crm/settings/lost_reasons.html",
                  {"reasons": reasons, "form": form, "tab": "lost-reasons"}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def lost_reason_edit_view(request: HttpRequest, actor: Actor, lost_reason_id: int) -> HttpResponse:
    reason = access_lost_reason(actor=actor, lost_reason_id=lost_reason_id)
    form = LostReasonForm(posted(request), initial={"name": reason.name, "is_active": reason.is_active})
    status = 200
    if request.method == "POST":
        saved, status = _run(form, lambda: pipeline_services.lost_reason_update(
            actor=actor, lost_reason=reason, name=form.cleaned_data["name"],
            is_active=form.cleaned_data["is_active"]))
        if saved is not None:
            messages.success(request, _("Lost reason saved."))
            return redirect("crm:settings-lost-reasons")
    return _form_page(request, title=_("Lost reason “%(name)s”") % {"name": reason.name}, form=form,
                      action=reverse("crm:settings-lost-reason-edit", args=[reason.pk]),
                      back=reverse("crm:settings-lost-reasons"), status=status)


# --- products ------------------------------------------------------------------------------------

@require_http_methods(["GET", "HEAD"])
@actor_required(CONFIGURE)
def products_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    products = Product.objects.filter(workspace_id=actor.workspace.pk).order_by("-is_active", "name", "id")
    return render(request, "crm/settings/products.html", {"products": products, "tab": "products"})


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def product_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ProductForm(posted(request))
    status = 200
    if request.method == "POST":
        product, status = _run(form, lambda: product_services.product_create(actor=actor, data=form.cleaned_data))
        if product is not None:
            messages.success(request, _("Product “%(name)s” added.") % {"name": product.name})
            return redirect("crm:settings-products")
    return _form_page(request, title=_("New product"), form=form, action=reverse("crm:settings-product-create"),
                      back=reverse("crm:settings-products"), status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def product_edit_view(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = access_product(actor=actor, product_id=product_id)
    initial = {name: getattr(product, name) for name in ("sku", "name", "category", "price", "unit_cost", "is_active")}
    form = ProductForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        saved, status = _run(form, lambda: product_services.product_update(
            actor=actor, product=product, data=form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Product saved."))
            return redirect("crm:settings-products")
    return _form_page(request, title=str(product), form=form,
                      action=reverse("crm:settings-product-edit", args=[product.pk]),
                      back=reverse("crm:settings-products"), status=status)


# --- custom fields -------------------------------------------------------------------------------

@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def custom_fields_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = CustomFieldForm(posted(request))
    status = 200
    if request.method == "POST":
        def create() -> CustomField:
            data = {name: form.cleaned_data[name] for name in
                    ("entity", "key", "label", "kind", "is_required", "show_in_list", "order")}
            return custom_field_services.custom_field_create(actor=actor, choices=form.choice_list(), **data)

        field, status = _run(form, create)
        if field is not None:
            messages.success(request, _("Field “%(label)s” added.") % {"label": field.label})
            return redirect("crm:settings-custom-fields")
    fields = CustomField.objects.filter(workspace_id=actor.workspace.pk).order_by("entity", "order", "id")
    return render(request, "crm/settings/custom_fields.html",
                  {"fields": fields, "form": form, "tab": "custom-fields"}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def custom_field_edit_view(request: HttpRequest, actor: Actor, field_id: int) -> HttpResponse:
    field = access_custom_field(actor=actor, field_id=field_id)
    initial = {"label": field.label, "choices": "\n".join(str(c) for c in field.choices or []),
               "is_required": field.is_required, "show_in_list": field.show_in_list, "order": field.order}
    form = CustomFieldForm(posted(request), initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        def update() -> CustomField:
            data = {name: form.cleaned_data[name] for name in ("label", "is_required", "show_in_list", "order")}
            return custom_field_services.custom_field_update(actor=actor, field=field, choices=form.choice_list(),
                                                             **data)

        saved, status = _run(form, update)
        if saved is not None:
            messages.success(request, _("Field saved."))
            return redirect("crm:settings-custom-fields")
    return _form_page(request, title=_("Field “%(label)s”") % {"label": field.label}, form=form,
                      action=reverse("crm:settings-custom-field-edit", args=[field.pk]),
                      back=reverse("crm:settings-custom-fields"), status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(CONFIGURE)
def custom_field_delete_view(request: HttpRequest, actor: Actor, field_id: int) -> HttpResponse:
    field = access_custom_field(actor=actor, field_id=field_id)
    error = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                custom_field_services.custom_field_delete(actor=actor, field=field)
        except ApplicationError as refused:
            error = refused
        else:
            messages.success(request, _("Field “%(label)s” deleted.") % {"label": field.label})
            return redirect("crm:settings-custom-fields")
    return _confirm_page(
        request, title=_("Delete field “%(label)s”?") % {"label": field.label},
        text=_("Values already typed stay stored but are no longer shown."),
        action=reverse("crm:settings-custom-field-delete", args=[field.pk]),
        back=reverse("crm:settings-custom-fields"), error=error,
    )
