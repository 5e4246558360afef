"""Activity forms: quick add on the deal page and the done button on "my tasks"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ActivityKind

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
