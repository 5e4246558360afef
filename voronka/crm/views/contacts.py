"""The contact page (fields, emails and phones, deals, activities, timeline, inline edit, quick add),
create and delete."""

from __future__ import annotations

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
from voronka.core.errors import ApplicationError
from voronka.core.pages import error_status, posted

from ..access import (
    access_contact,
    access_contact_for_update,
    visible_activities,
    visible_companies,
    visible_deals,
)
from ..forms.companies import current_initial, record_initial
from ..forms.contacts import ContactForm, RecordQuickAddForm
from ..models import Contact, CustomEntity, CustomField, PointKind
from ..services.contacts import contact_create, contact_delete, contact_update
from .companies import RELATED_LIMIT, custom_fields_of, custom_rows, quick_add, save_record_form, timeline_of
from .list_support import wrong_method


def _points(contact: Contact) -> tuple[list[str], list[str]]:
    points = list(contact.points.order_by("-is_primary", "id").values_list("kind", "value"))
    return [v for k, v in points if k == PointKind.EMAIL], [v for k, v in points if k == PointKind.PHONE]


def contact_context(actor: Actor, contact: Contact, custom_fields: list[CustomField]) -> dict[str, Any]:
    emails, phones = _points(contact)
    return {
        "contact": contact,
        "emails": emails,
        "phones": phones,
        "custom_rows": custom_rows(contact, custom_fields),
        "tags": [tag.name for tag in contact.tags.all()],
        "can_edit": actor.can(Capability.CRM_EDIT_CONTACTS),
        "can_delete": actor.can(Capability.CRM_DELETE),
    }


def _initial(contact: Contact, custom_fields: list[CustomField]) -> dict[str, Any]:
    initial = record_initial(contact, ContactForm.own_fields, custom_fields)
    emails, phones = _points(contact)
    initial.update({"emails": "\n".join(emails), "phones": "\n".join(phones)})
    return initial


@actor_required(Capability.CRM_VIEW)
def contact_detail_view(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = access_contact(actor=actor, contact_id=contact_id)
    if refused := wrong_method(request, "GET"):
        return refused
    custom_fields = custom_fields_of(actor, CustomEntity.CONTACT)
    context = contact_context(actor, contact, custom_fields)
    context.update({
        "deals": list(visible_deals(actor).filter(contacts=contact).select_related("stage", "owner")
                      .order_by("-created_at", "-id")[:RELATED_LIMIT]),
        "activities": list(visible_activities(actor).filter(contact=contact).select_related("owner")
                           .order_by("done_at", "due_at", "-id")[:RELATED_LIMIT]),
        "timeline": timeline_of(contact=contact),
        "quick_form": RecordQuickAddForm() if actor.can(Capability.CRM_EDIT_DEALS) else None,
        "quick_url": reverse("crm:contact-quick-add", args=[contact.pk]),
        "activity_create_url": (f"{reverse('crm:activity-create')}?contact={contact.pk}"
                                if actor.can(Capability.CRM_EDIT_DEALS) else None),
        "company_visible": contact.company_id is not None and _company_visible(actor, contact),
    })
    return render(request, "crm/contact/detail.html", context)


def _company_visible(actor: Actor, contact: Contact) -> bool:
    return contact.company_id is not None and visible_companies(actor).filter(pk=contact.company_id).exists()


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_EDIT_CONTACTS)
def contact_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    custom_fields = custom_fields_of(actor, CustomEntity.CONTACT)
    initial = {"company_id": request.GET.get("company")} if request.GET.get("company", "").isdigit() else None
    form = ContactForm(posted(request), actor=actor, custom_fields=custom_fields, initial=initial)
    status = 200
    if request.method == "POST":
        contact, status, _current = save_record_form(
            request, form, lambda data: contact_create(actor=actor, data=data)
        )
        if contact is not None:
            messages.success(request, _("Contact “%(name)s” created.") % {"name": contact.full_name})
            return redirect("crm:contact-detail", contact_id=contact.pk)
    return render(request, "crm/contact/create.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_EDIT_CONTACTS)
def contact_edit_view(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    """Inline edit (htmx swaps the fields card) or a plain page; a stale version is a 409 with current values."""
    contact = access_contact(actor=actor, contact_id=contact_id)
    custom_fields = custom_fields_of(actor, CustomEntity.CONTACT)
    form = ContactForm(posted(request), actor=actor, custom_fields=custom_fields,
                       initial=_initial(contact, custom_fields))
    status = 200
    current = None
    if request.method == "POST":
        def save(data: dict[str, Any]) -> Contact:
            locked = access_contact_for_update(actor=actor, contact_id=contact_id)
            return contact_update(  # type: ignore[no-any-return]
                actor=actor, contact=locked, data=data, version=form.cleaned_data.get("version") or 0
            )

        saved, status, current = save_record_form(request, form, save)
        if saved is not None:
            if request.htmx:  # type: ignore[attr-defined]
                saved = access_contact(actor=actor, contact_id=contact_id)
                return render(request, "crm/contact/_fields.html", contact_context(actor, saved, custom_fields))
            messages.success(request, _("Contact saved."))
            return redirect("crm:contact-detail", contact_id=contact_id)
        if current is not None:
            initial = current_initial(current, ContactForm.own_fields, custom_fields)
            initial.update({"emails": "\n".join(current.get("emails") or []),
                            "phones": "\n".join(current.get("phones") or [])})
            fresh = ContactForm(actor=actor, custom_fields=custom_fields, initial=initial)
            fresh._errors = form.errors  # type: ignore[attr-defined]
            form = fresh
    context = {"contact": contact, "form": form, "conflict": current is not None}
    template = "crm/contact/_edit.html" if request.htmx else "crm/contact/edit.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_DELETE)
def contact_delete_view(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = access_contact(actor=actor, contact_id=contact_id)
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                locked = access_contact_for_update(actor=actor, contact_id=contact_id)
                contact_delete(actor=actor, contact=locked)
        except ApplicationError as refused:
            error = refused
        else:
            messages.success(request, _("Contact “%(name)s” deleted.") % {"name": contact.full_name})
            return redirect("crm:contact-list")
    return render(request, "crm/contact/delete.html", {"contact": contact, "error": error},
                  status=error_status(error) if error else 200)


@actor_required(Capability.CRM_EDIT_DEALS)
def contact_quick_add_view(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = access_contact(actor=actor, contact_id=contact_id)
    if refused := wrong_method(request, "POST"):
        return refused
    return quick_add(request, actor, {"contact_id": contact.pk}, reverse("crm:contact-detail", args=[contact.pk]))
