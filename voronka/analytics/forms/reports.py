"""Report builder forms. They parse the query string; the metric catalogue judges the query
(unknown metric or slice, a period that ends before it starts, a slice a metric cannot take)
and its MetricQueryError comes back onto these fields with the catalogue's own message."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership, Team
from voronka.channels.models import SalesChannel
from voronka.crm.models import ActivityKind, Pipeline, Product
from voronka.metrics.buckets import Granularity
from voronka.metrics.catalogue import metrics_all, slice_get, slices_all

from ..models import Weekday
from ..report_periods import CUSTOM, PRESETS
from ..report_spec import DEFAULT_PERIOD, FILTER_PREFIX, ReportSpec

ID_FILTERS = ("owner", "team", "pipeline", "channel", "product")
CHOICE_FILTERS = ("activity_type",)
TEXT_FILTERS = ("lead_source", "industry")
GRANULARITY_LABELS = {
    Granularity.TOTAL: _("Whole period"), Granularity.DAY: _("By day"), Granularity.WEEK: _("By week"),
    Granularity.MONTH: _("By month"), Granularity.QUARTER: _("By quarter"), Granularity.YEAR: _("By year"),
}
MAX_TEXT_FILTER = 500


class CatalogueChoiceField(forms.MultipleChoiceField):
    """Offers the catalogue's entries, but lets any value through: metric_query_build refuses an
    unknown one with a message that names it ("Unknown metric: x"), which beats "not a valid choice"."""

    def valid_value(self, value: str) -> bool:
        return len(value) <= 100


class CatalogueSingleChoiceField(forms.ChoiceField):
    def valid_value(self, value: str) -> bool:
        return len(value) <= 100


def _as_id(value: str) -> Any:
    try:
        return int(value)
    except ValueError:
        return value  # the catalogue refuses it with invalid_filter


class ReportForm(forms.Form):
    metrics = CatalogueChoiceField(label=_("Metrics"), widget=forms.CheckboxSelectMultiple,
                                   error_messages={"required": _("Choose at least one metric.")})
    slices = CatalogueChoiceField(label=_("Break down by"), required=False, widget=forms.CheckboxSelectMultiple)
    granularity = CatalogueSingleChoiceField(label=_("Over time"), initial=Granularity.TOTAL.value, required=False)
    period = forms.ChoiceField(label=_("Period"), choices=list(PRESETS.items()), initial=DEFAULT_PERIOD)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        cast(forms.ChoiceField, self.fields["metrics"]).choices = [(m.key, str(m.name)) for m in metrics_all()]
        cast(forms.ChoiceField, self.fields["slices"]).choices = [(s.key, str(s.name)) for s in slices_all()]
        cast(forms.ChoiceField, self.fields["granularity"]).choices = [
            (grain.value, label) for grain, label in GRANULARITY_LABELS.items()]
        for key, choices in self._filter_choices().items():
            slice_ = slice_get(key)
            self.fields[FILTER_PREFIX + key] = CatalogueChoiceField(
                label=str(slice_.name) if slice_ else key, required=False, choices=choices,
                widget=forms.SelectMultiple(attrs={"size": 4}))
        for key in TEXT_FILTERS:
            slice_ = slice_get(key)
            self.fields[FILTER_PREFIX + key] = forms.CharField(
                label=str(slice_.name) if slice_ else key, required=False, max_length=MAX_TEXT_FILTER,
                help_text=_("Several values: separate them with commas."))

    def _filter_choices(self) -> dict[str, list[tuple[Any, str]]]:
        workspace_id = self.actor.workspace.pk
        members = (Membership.objects.filter(workspace_id=workspace_id, is_active=True).select_related("user")
                   .order_by("user__full_name", "user__email"))
        return {
            "owner": [(m.user_id, m.user.display_name) for m in members],
            "team": [(t.pk, t.name) for t in Team.objects.filter(workspace_id=workspace_id).order_by("name")],
            "pipeline": [(p.pk, p.name) for p in Pipeline.objects.filter(workspace_id=workspace_id)
                         .order_by("order", "id")],
            "channel": [(c.pk, c.name) for c in SalesChannel.objects.filter(workspace_id=workspace_id)
                        .order_by("-is_active", "name")],
            "product": [(p.pk, str(p)) for p in Product.objects.filter(workspace_id=workspace_id, is_active=True)
                        .order_by("name", "id")[:500]],
            "activity_type": [(value, str(label)) for value, label in ActivityKind.choices],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == CUSTOM:
            for name in ("date_from", "date_to"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Enter a date as YYYY-MM-DD."))
        return data

    def spec(self) -> ReportSpec:
        data = self.cleaned_data
        filters: dict[str, tuple[Any, ...]] = {}
        for key in (*ID_FILTERS, *CHOICE_FILTERS):
            values = data.get(FILTER_PREFIX + key) or []
            if values:
                filters[key] = tuple(_as_id(v) if key in ID_FILTERS else v for v in values)
        for key in TEXT_FILTERS:
            values = [part.strip() for part in (data.get(FILTER_PREFIX + key) or "").split(",") if part.strip()]
            if values:
                filters[key] = tuple(values)
        custom = data["period"] == CUSTOM
        return ReportSpec(
            metrics=tuple(data["metrics"]), slices=tuple(data.get("slices") or ()),
            granularity=data.get("granularity") or Granularity.TOTAL.value, period=data["period"],
            date_from=data.get("date_from") if custom else None, date_to=data.get("date_to") if custom else None,
            filters=filters)

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(FILTER_PREFIX)]

    def active_filters(self) -> int:
        if not self.is_bound:
            return 0
        return sum(1 for name in self.fields if name.startswith(FILTER_PREFIX) and self.data.get(name))


def initial_for(spec: ReportSpec) -> dict[str, Any]:
    """A saved spec as the builder form's initial values."""
    initial: dict[str, Any] = {"metrics": list(spec.metrics), "slices": list(spec.slices),
                               "granularity": spec.granularity, "period": spec.period,
                               "date_from": spec.date_from, "date_to": spec.date_to}
    for key, values in spec.filters.items():
        if key in TEXT_FILTERS:
            initial[FILTER_PREFIX + key] = ", ".join(str(v) for v in values)
        else:
            initial[FILTER_PREFIX + key] = [str(v) for v in values]
    return initial


class SaveReportForm(forms.Form):
    name = forms.CharField(label=_("Report name"), max_length=120)
    team = forms.ModelChoiceField(label=_("Share with team"), queryset=Team.unscoped.none(), required=False,
                                  empty_label=_("— only me —"),
                                  help_text=_("Members of the team and of the teams below it can open the report; "
                                              "each sees only the numbers their role allows."))

    def __init__(self, *args: Any, teams: Any, can_share: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if can_share:
            cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams
        else:
            del self.fields["team"]


class SubscribeForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Send every"), choices=Weekday.choices, coerce=int,
                                     initial=Weekday.MONDAY)
