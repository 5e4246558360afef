"""Contact forms, and the quick "add a note or task" form of the company and contact pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import visible_companies
from ..models import ActivityKind, AgeBand, Gender
from .companies import RecordForm, _blank

COMPANY_CHOICES_MAX = 500
_SPLIT = re.compile(r"[,;\n]+")


def split_values(text: str) -> list[str]:
    return [value.strip() for value in _SPLIT.split(text or "") if value.strip()]


class ContactForm(RecordForm):
    full_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    emails = forms.CharField(label=_("Emails"), required=False, max_length=2000,
                             help_text=_("One per line or separated by commas; the first is the main one."),
                             widget=forms.Textarea(attrs={"rows": 2}))
    phones = forms.CharField(label=_("Phones"), required=False, max_length=2000,
                             help_text=_("One per line or separated by commas."),
                             widget=forms.Textarea(attrs={"rows": 2}))
    position = forms.CharField(label=_("Position"), required=False, max_length=120)
    company_id = forms.TypedChoiceField(label=_("Company"), required=False, coerce=int, empty_value=None)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    age_band = forms.ChoiceField(label=_("Age"), required=False, choices=_blank(list(AgeBand.choices)))
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=_blank(list(Gender.choices)))
    lead_source = forms.CharField(label=_("Lead source"), required=False, max_length=100)

    own_fields = ("full_name", "position", "company_id", "city", "age_band", "gender", "lead_source")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        companies = visible_companies(self.actor).order_by("name_key", "id").values_list("pk", "name")
        cast(forms.ChoiceField, self.fields["company_id"]).choices = _blank(list(companies[:COMPANY_CHOICES_MAX]))

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data["emails"] = split_values(self.cleaned_data.get("emails") or "")
        data["phones"] = split_values(self.cleaned_data.get("phones") or "")
        return data


class RecordQuickAddForm(forms.Form):
    """Quick add on the company and contact pages: a note, task or call on the record's timeline."""

    kind = forms.ChoiceField(label=_("Type"), initial=ActivityKind.NOTE, choices=[
        (ActivityKind.NOTE, _("Note")), (ActivityKind.TASK, _("Task")), (ActivityKind.CALL, _("Call")),
    ])
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Details"), required=False, max_length=20_000,
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
