"""The channel comparison's period: a preset, or custom dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..report_periods import CUSTOM, PRESETS, preset_range

DEFAULT_PERIOD = "last_quarter"


class ChannelPeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=list(PRESETS.items()), initial=DEFAULT_PERIOD)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == CUSTOM:
            for name in ("date_from", "date_to"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Enter a date as YYYY-MM-DD."))
        return data

    def dates(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The period's inclusive dates (the form must be valid, or unbound for the default)."""
        data: dict[str, Any] = self.cleaned_data if self.is_bound else {"period": DEFAULT_PERIOD}
        if data["period"] == CUSTOM:
            date_from: dt.date = data["date_from"]
            date_to: dt.date = data["date_to"]
            return date_from, date_to
        return preset_range(data["period"], today)
