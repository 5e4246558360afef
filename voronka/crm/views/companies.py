"""The company page (fields, contacts, deals, activities, timeline, inline edit, quick add),
create and delete. The helpers at the top are shared with the contact page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, ConflictError
from voronka.core.pages import FORM_ERROR_STATUS, error_status, posted

from ..access import access_company, access_company_for_update, visible_activities, visible_contacts, visible_deals
from ..forms.companies import CUSTOM_PREFIX, CompanyForm, RecordForm, current_initial, record_initial
from ..forms.contacts import RecordQuickAddForm
from ..models import Company, CustomEntity, CustomField, TimelineEntry
from ..services.activities import activity_create
from ..services.companies import company_create, company_delete, company_update
from .list_support import wrong_method

RELATED_LIMIT = 50
TIMELINE_LIMIT = 100


def custom_fields_of(actor: Actor, entity: str) -> list[CustomField]:
    return list(CustomField.objects.filter(workspace_id=actor.workspace.pk, entity=entity).order_by("order", "id"))


@dataclass(frozen=True)
class FieldRow:
    label: str
    value: Any


def custom_rows(record: Any, custom_fields: list[CustomField]) -> list[FieldRow]:
    return [FieldRow(f.label, (record.custom or {}).get(f.key, "")) for f in custom_fields]


def timeline_of(**link: Any) -> list[TimelineEntry]:
    """The record's timeline, newest first; entries' data is rendered escaped, key by key."""
    return list(TimelineEntry.objects.filter(**link).select_related("actor").order_by("-at", "-id")[:TIMELINE_LIMIT])


def save_record_form(
    request: HttpRequest, form: RecordForm, save: Callable[[dict[str, Any]], Any]
) -> tuple[Any, int, dict[str, Any] | None]:
    """Validate, call the service; (record or None, status, current values on a 409)."""
    if not form.is_valid():
        return None, FORM_ERROR_STATUS, None
    try:
        with transaction.atomic():
            return save(form.service_data()), 200, None
    except ConflictError as error:
        form.add_service_error(error)
        return None, 409, error.extra.get("current") or {}
    except ApplicationError as error:
        form.add_service_error(error)
        return None, error_status(error), None


def quick_add(request: HttpRequest, actor: Actor, link: dict[str, Any], back: str) -> HttpResponse:
    """A note, task or call on the record's timeline (activity_create)."""
    form = RecordQuickAddForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                activity_create(actor=actor, data={**form.cleaned_data, **link})
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return redirect(back)
        messages.success(request, _("Added to the timeline."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(back)


def company_context(actor: Actor, company: Company, custom_fields: list[CustomField]) -> dict[str, Any]:
    return {
        "company": company,
        "custom_rows": custom_rows(company, custom_fields),
        "tags": [tag.name for tag in company.tags.all()],
        "can_edit": actor.can(Capability.CRM_EDIT_CONTACTS),
        "can_delete": actor.can(Capability.CRM_DELETE),
    }


@actor_required(Capability.CRM_VIEW)
def company_detail_view(request: HttpRequest, actor: Actor, company_id: int) -> HttpResponse:
    company = access_company(actor=actor, company_id=company_id)
    if refused := wrong_method(request, "GET"):
        return refused
    custom_fields = custom_fields_of(actor, CustomEntity.COMPANY)
    context = company_context(actor, company, custom_fields)
    context.update({
        "contacts": list(visible_contacts(actor).filter(company=company).select_related("owner")
                         .order_by("full_name", "id")[:RELATED_LIMIT]),
        "deals": list(visible_deals(actor).filter(company=company).select_related("stage", "owner")
                      .order_by("-created_at", "-id")[:RELATED_LIMIT]),
        "activities": list(visible_activities(actor).filter(company=company).select_related("owner")
                           .order_by("done_at", "due_at", "-id")[:RELATED_LIMIT]),
        "timeline": timeline_of(company=company),
        "quick_form": RecordQuickAddForm() if actor.can(Capability.CRM_EDIT_DEALS) else None,
        "quick_url": reverse("crm:company-quick-add", args=[company.pk]),
        "activity_create_url": (f"{reverse('crm:activity-create')}?company={company.pk}"
                                if actor.can(Capability.CRM_EDIT_DEALS) else None),
    })
    return render(request, "crm/company/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_EDIT_CONTACTS)
def company_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    custom_fields = custom_fields_of(actor, CustomEntity.COMPANY)
    form = CompanyForm(posted(request), actor=actor, custom_fields=custom_fields)
    status = 200
    if request.method == "POST":
        company, status, _current = save_record_form(
            request, form, lambda data: company_create(actor=actor, data=data)
        )
        if company is not None:
            messages.success(request, _("Company “%(name)s” created.") % {"name": company.name})
            return redirect("crm:company-detail", company_id=company.pk)
    return render(request, "crm/company/create.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_EDIT_CONTACTS)
def company_edit_view(request: HttpRequest, actor: Actor, company_id: int) -> HttpResponse:
    """Inline edit (htmx swaps the fields card) or a plain page; a stale version is a 409 with current values."""
    company = access_company(actor=actor, company_id=company_id)
    custom_fields = custom_fields_of(actor, CustomEntity.COMPANY)
    initial = record_initial(company, CompanyForm.own_fields, custom_fields)
    form = CompanyForm(posted(request), actor=actor, custom_fields=custom_fields, initial=initial)
    status = 200
    current = None
    if request.method == "POST":
        def save(data: dict[str, Any]) -> Company:
            locked = access_company_for_update(actor=actor, company_id=company_id)
            return company_update(  # type: ignore[no-any-return]
                actor=actor, company=locked, data=data, version=form.cleaned_data.get("version") or 0
            )

        saved, status, current = save_record_form(request, form, save)
        if saved is not None:
            if request.htmx:  # type: ignore[attr-defined]
                saved = access_company(actor=actor, company_id=company_id)
                return render(request, "crm/company/_fields.html", company_context(actor, saved, custom_fields))
            messages.success(request, _("Company saved."))
            return redirect("crm:company-detail", company_id=company_id)
        if current is not None:
            # Show what the record holds now, with the new version, so the user can redo their change.
            fresh = CompanyForm(actor=actor, custom_fields=custom_fields,
                                initial=current_initial(current, CompanyForm.own_fields, custom_fields))
            fresh._errors = form.errors  # type: ignore[attr-defined]
            form = fresh
    context = {"company": company, "form": form, "conflict": current is not None, "custom_prefix": CUSTOM_PREFIX}
    template = "crm/company/_edit.html" if request.htmx else "crm/company/edit.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_DELETE)
def company_delete_view(request: HttpRequest, actor: Actor, company_id: int) -> HttpResponse:
    company = access_company(actor=actor, company_id=company_id)
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                locked = access_company_for_update(actor=actor, company_id=company_id)
                company_delete(actor=actor, company=locked)
        except ApplicationError as refused:
            error = refused
        else:
            messages.success(request, _("Company “%(name)s” deleted.") % {"name": company.name})
            return redirect("crm:company-list")
    return render(request, "crm/company/delete.html", {"company": company, "error": error},
                  status=error_status(error) if error else 200)


@actor_required(Capability.CRM_EDIT_DEALS)
def company_quick_add_view(request: HttpRequest, actor: Actor, company_id: int) -> HttpResponse:
    company = access_company(actor=actor, company_id=company_id)
    if refused := wrong_method(request, "POST"):
        return refused
    return quick_add(request, actor, {"company_id": company.pk},
                     reverse("crm:company-detail", args=[company.pk]))
