"""Activity forms: the new-activity page, quick add on the deal page and the done button on "my tasks"."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.accounts.selectors import membership_list
from voronka.core.errors import ApplicationError
from voronka.core.pages import add_service_error

from ..access import visible_companies, visible_contacts, visible_deals
from ..models import ActivityKind, CustomField, DealStatus
from .companies import CUSTOM_PREFIX, custom_form_field

QUICK_KINDS = [
    (ActivityKind.NOTE, _("Note")),
    (ActivityKind.CALL, _("Call")),
    (ActivityKind.TASK, _("Task")),
]


class QuickAddForm(forms.Form):
    deal = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Type"), choices=QUICK_KINDS, initial=ActivityKind.NOTE)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Details"), max_length=10_000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    due_at = forms.DateTimeField(
        label=_("Due"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def clean_due_at(self) -> dt.datetime | None:
        # The service reads a naive time in the workspace time zone; undo the form's server-zone reading.
        value = self.cleaned_data.get("due_at")
        return timezone.make_naive(value) if value is not None and timezone.is_aware(value) else value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("subject") and not data.get("body"):
            self.add_error("subject", _("Write a subject or some details."))
        if data.get("kind") == ActivityKind.TASK and not data.get("subject"):
            self.add_error("subject", _("A task needs a subject."))
        return data


class TaskDoneForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)


LINK_CHOICES_MAX = 200


def _recent(queryset: Any, label: str, chosen: Any) -> list[tuple[Any, Any]]:
    """The newest visible records (by id, an index walk at any size) named by `label`, A→Z, and the chosen one."""
    rows = list(queryset.order_by("-id").values_list("pk", label)[:LINK_CHOICES_MAX])
    if chosen is not None and chosen.pk not in {pk for pk, _name in rows}:
        rows.append((chosen.pk, getattr(chosen, label)))
    return [("", "—"), *sorted(rows, key=lambda row: (str(row[1]).casefold(), row[0]))]


class ActivityForm(forms.Form):
    """A new call, meeting, email, task or note, linked to deals, contacts and companies the actor sees."""

    kind = forms.ChoiceField(label=_("Type"), initial=ActivityKind.TASK,
                             choices=[(kind.value, capfirst(kind.label)) for kind in ActivityKind])
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Details"), required=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    due_at = forms.DateTimeField(
        label=_("Due"), required=False, help_text=_("For calls, meetings and tasks still to do."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    deal_id = forms.TypedChoiceField(label=_("Deal"), required=False, coerce=int, empty_value=None)
    contact_id = forms.TypedChoiceField(label=_("Contact"), required=False, coerce=int, empty_value=None)
    company_id = forms.TypedChoiceField(label=_("Company"), required=False, coerce=int, empty_value=None)

    own_fields = ("kind", "subject", "body", "due_at", "deal_id", "contact_id", "company_id")

    def __init__(self, data: Any = None, *, actor: Actor, custom_fields: list[CustomField],
                 linked: dict[str, Any] | None = None, **kwargs: Any) -> None:
        linked = linked or {}
        initial = {f"{name}_id": record.pk for name, record in linked.items()}
        super().__init__(data, initial={**initial, **kwargs.pop("initial", {})}, **kwargs)
        self.actor = actor
        self.custom_fields = custom_fields
        links = (("deal_id", visible_deals(actor).filter(status=DealStatus.OPEN), "title", linked.get("deal")),
                 ("contact_id", visible_contacts(actor), "full_name", linked.get("contact")),
                 ("company_id", visible_companies(actor), "name", linked.get("company")))
        for name, queryset, label, chosen in links:
            cast(forms.ChoiceField, self.fields[name]).choices = _recent(queryset, label, chosen)
        if actor.can(Capability.CRM_ASSIGN):
            self.fields["owner_id"] = forms.TypedChoiceField(
                label=_("Owner"), required=False, coerce=int, empty_value=None,
                choices=[("", _("Me")), *[(m.user_id, m.user.display_name) for m in membership_list(actor=actor)
                                          if m.user_id != actor.user.pk]],
            )
        for field in custom_fields:
            self.fields[CUSTOM_PREFIX + field.key] = custom_form_field(field)
            if field.is_required:
                self.fields[CUSTOM_PREFIX + field.key].label = f"{field.label} *"

    def clean_due_at(self) -> dt.datetime | None:
        # The service reads a naive time in the workspace time zone; undo the form's server-zone reading.
        value = self.cleaned_data.get("due_at")
        return timezone.make_naive(value) if value is not None and timezone.is_aware(value) else value

    def service_data(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data: dict[str, Any] = {name: cleaned.get(name) for name in self.own_fields}
        data["custom"] = {f.key: cleaned.get(CUSTOM_PREFIX + f.key) or "" for f in self.custom_fields}
        if cleaned.get("owner_id"):
            data["owner_id"] = cleaned["owner_id"]
        return data

    def add_service_error(self, error: ApplicationError) -> None:
        add_service_error(self, error, field_names=_form_field)


def _form_field(name: str) -> str:
    """A service field name as this form calls it: custom.<key> → cf_<key>, owner → owner_id, deal → deal_id."""
    if name.startswith("custom."):
        return CUSTOM_PREFIX + name.removeprefix("custom.")
    return f"{name}_id" if name in ("owner", "deal", "contact", "company") else name
