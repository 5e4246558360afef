"""Forms of the dashboard pages: the filter bar, the editor (name, period, filters, widgets), share, create.

Forms parse input; the rules (which metric fits which chart and slice, who may change what) are
checked by services/dashboards.py and shown on these forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from voronka.metrics.catalogue import metrics_all, slices_all

from ..dashboard_range import MAX_RANGE_DAYS
from ..models import ChartType, RangePreset
from ..services.dashboards import FILTER_KEYS, MAX_WIDGETS, NAME_MAX

FILTER_LABELS = {"team": _("Team"), "owner": _("Owner"), "channel": _("Sales channel"), "pipeline": _("Pipeline")}
FILTER_EMPTY = {"team": _("All teams"), "owner": _("Everyone"), "channel": _("All channels"),
                "pipeline": _("All pipelines")}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _filter_field(key: str, choices: list[tuple[int, str]]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=FILTER_LABELS[key], required=False, coerce=int, empty_value=None,
        choices=[("", FILTER_EMPTY[key]), *choices],
    )


class _PeriodAndFilters(forms.Form):
    range_preset = forms.ChoiceField(label=_("Period"), choices=RangePreset.choices, initial=RangePreset.THIS_MONTH)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in FILTER_KEYS:
            self.fields[key] = _filter_field(key, choices[key])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("range_preset") == RangePreset.CUSTOM:
            start: dt.date | None = data.get("date_from")
            end: dt.date | None = data.get("date_to")
            if start is None or end is None:
                self.add_error("date_from" if start is None else "date_to", _("A custom period needs both dates."))
            elif end < start:
                self.add_error("date_to", _("The period ends before it starts."))
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("date_to", _("Choose a period of at most ten years."))
        return data

    def chosen_filters(self) -> dict[str, list[int]]:
        return {key: [self.cleaned_data[key]] for key in FILTER_KEYS if self.cleaned_data.get(key) is not None}


class DashboardFilterForm(_PeriodAndFilters):
    """The filter bar (GET): period and filters applied to every widget."""

    prefix = None


class DashboardForm(_PeriodAndFilters):
    """The editor's header: name, default period and default filters."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    field_order = ["name", "range_preset", "date_from", "date_to", *FILTER_KEYS]


def _metric_choices() -> list[tuple[str, Any]]:
    return [("", _("Choose a metric")), *sorted(((m.key, str(m.name)) for m in metrics_all()),
                                                key=lambda item: item[1])]


def _slice_choices() -> list[tuple[str, Any]]:
    return [("", _("No breakdown")), *((s.key, str(s.name)) for s in slices_all())]


class WidgetForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=())
    chart = forms.ChoiceField(label=_("Show as"), choices=ChartType.choices, initial=ChartType.TILE)
    slice = forms.ChoiceField(label=_("Break down by"), choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = _metric_choices()  # type: ignore[attr-defined]
        self.fields["slice"].choices = _slice_choices()  # type: ignore[attr-defined]

    def has_changed(self) -> bool:
        """A row without a metric is an unused blank row (the formset then skips it), whatever else it holds."""
        if self.is_bound and not self.data.get(self.add_prefix("metric")):
            return False
        return super().has_changed()


WidgetFormSet = formset_factory(WidgetForm, extra=1, can_order=True, can_delete=True, max_num=MAX_WIDGETS,
                                validate_max=True, absolute_max=MAX_WIDGETS + 10)


class DashboardCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)


class DashboardShareForm(forms.Form):
    team = forms.TypedChoiceField(label=_("Share with team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("Not shared")), *teams]  # type: ignore[attr-defined]
