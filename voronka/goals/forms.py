"""Goals forms: they only parse what was typed; the services validate and their field errors come
back onto the form (core.pages.add_service_error)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership
from voronka.metrics.catalogue import Unit, metric_get, metrics_all

from .models import (
    AlertKind,
    AlertRule,
    Comparison,
    ControlGrain,
    Goal,
    GoalStatus,
    PaceMethod,
    PeriodKind,
    ScopeKind,
    Window,
)
from .selectors import goal_list, objective_list, visible_members, visible_teams
from .services.display import goal_title
from .services.smart import measurable_problem

BLANK = ("", "—")
CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
RADIOS = forms.RadioSelect(attrs={"class": "form-check-input"})
PERIOD_FILTERS = [
    ("current", _("Running today")),
    ("this_quarter", _("This quarter")),
    ("next_quarter", _("Next quarter")),
    ("last_quarter", _("Last quarter")),
    ("this_year", _("This year")),
    ("all", _("All periods")),
]


def goal_metric_choices() -> list[tuple[str, Any]]:
    """Metrics a goal can be set for (time series, no required breakdown)."""
    return [(m.key, m.name) for m in metrics_all() if measurable_problem(m, ScopeKind.COMPANY) is None]


def rule_metric_choices() -> list[tuple[str, Any]]:
    return [(m.key, m.name) for m in metrics_all() if not m.required_slices]


def _choices(form: forms.Form, name: str, choices: Any) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def _team_choices(actor: Actor) -> list[tuple[Any, Any]]:
    return [BLANK, *((t.pk, t.name) for t in visible_teams(actor=actor))]


def _rep_choices(actor: Actor) -> list[tuple[Any, Any]]:
    return [BLANK, *((m.user_id, m.user.display_name) for m in visible_members(actor=actor))]


class GoalFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_FILTERS, required=False)
    scope = forms.ChoiceField(label=_("Scope"), choices=[("", _("Everyone")), *ScopeKind.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices, required=False)

    def value(self, name: str) -> str:
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=())
    scope = forms.ChoiceField(label=_("Whose goal"), choices=ScopeKind.choices, initial=ScopeKind.TEAM)
    team_id = forms.TypedChoiceField(label=_("Team"), choices=(), required=False, coerce=int, empty_value=None)
    user_id = forms.TypedChoiceField(label=_("Rep"), choices=(), required=False, coerce=int, empty_value=None)
    target = forms.CharField(
        label=_("Target"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("In the metric's unit: money in the workspace currency; for a share (win rate, conversion) a "
                    "percentage."))
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    period_start = forms.DateField(label=_("Starts (any day of the period)"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("Ends (custom dates)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    objective_id = forms.TypedChoiceField(label=_("Objective"), choices=(), required=False, coerce=int,
                                          empty_value=None)
    pace = forms.ChoiceField(label=_("Expected pace"), choices=PaceMethod.choices, initial=PaceMethod.SEASONAL)
    confirm = forms.BooleanField(label=_("Keep this target as a stretch goal"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, actor: Actor, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.actor = actor
        _choices(self, "metric", [BLANK, *goal_metric_choices()])
        _choices(self, "team_id", _team_choices(actor))
        _choices(self, "user_id", _rep_choices(actor))
        _choices(self, "objective_id", [BLANK, *((o.pk, o.title) for o in objective_list(
            actor=actor, active_only=True))])

    def service_data(self) -> dict[str, Any]:
        """What the service reads; unparsed text goes through so the service names what is wrong."""
        raw = self.data if self.is_bound else {}
        cleaned = getattr(self, "cleaned_data", {})
        data: dict[str, Any] = {}
        for name in ("metric", "scope", "period_kind", "pace"):
            data[name] = cleaned.get(name, raw.get(name, ""))
        for name in ("team_id", "user_id", "objective_id"):
            data[name] = cleaned[name] if name in cleaned else raw.get(name) or None
        for name in ("period_start", "period_end"):
            data[name] = cleaned[name] if name in cleaned else raw.get(name) or None
        data["target"] = _percent_to_share(raw.get("target", ""), data.get("metric"))
        return data

    @property
    def confirmed(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("confirm")) or self.data.get("confirm") in ("on", "1",
                                                                                                    "true")


def _percent_to_share(text: Any, metric_key: Any) -> Any:
    metric = metric_get(str(metric_key or ""))
    if metric is None or metric.unit is not Unit.RATIO:
        return text
    try:
        return str(Decimal(str(text).strip().replace(",", ".").rstrip("%").strip()) / 100)
    except (InvalidOperation, ValueError):
        return text


def goal_initial(goal: Goal) -> dict[str, Any]:
    metric = metric_get(goal.metric_key)
    target: Any = goal.target.normalize()
    if metric is not None and metric.unit is Unit.RATIO:
        target = (goal.target * 100).normalize()
    return {
        "metric": goal.metric_key, "scope": goal.scope, "team_id": goal.team_id if goal.scope == "team" else None,
        "user_id": goal.user_id, "target": f"{target:f}", "period_kind": goal.period_kind,
        "period_start": goal.period_start, "period_end": goal.period_end if goal.period_kind == "custom" else None,
        "objective_id": goal.objective_id, "pace": goal.pace, "version": goal.version,
        "confirm": goal.stretch_confirmed,
    }


class SplitForm(forms.Form):
    mode = forms.ChoiceField(label=_("Split"), choices=[("history", _("By history (each part's share of the last "
                                                                      "four periods)")),
                                                         ("equal", _("Equally"))],
                             initial="history", widget=RADIOS)
    child_scope = forms.ChoiceField(label=_("Into"), choices=[("team", _("Team goals")), ("rep", _("Rep goals"))],
                                    initial="team", widget=RADIOS)
    teams = forms.TypedMultipleChoiceField(label=_("Teams"), choices=(), required=False, coerce=int,
                                           widget=CHECKBOXES)
    reps = forms.TypedMultipleChoiceField(label=_("Reps"), choices=(), required=False, coerce=int,
                                          widget=CHECKBOXES)

    def __init__(self, data: Any = None, *, team_choices: list[tuple[int, str]], rep_choices: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _choices(self, "teams", team_choices)
        _choices(self, "reps", rep_choices)

    def children(self) -> list[int]:
        key = "teams" if self.cleaned_data.get("child_scope") == "team" else "reps"
        return list(self.cleaned_data.get(key) or [])


class ObjectiveForm(forms.Form):
    title = forms.CharField(label=_("Objective"), max_length=200)
    description = forms.CharField(label=_("Why it matters"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Fires when"), choices=AlertKind.choices, initial=AlertKind.THRESHOLD)
    metric = forms.ChoiceField(label=_("Metric"), choices=(), required=False)
    scope = forms.ChoiceField(label=_("Whose numbers"), choices=ScopeKind.choices, initial=ScopeKind.TEAM,
                              required=False)
    team_id = forms.TypedChoiceField(label=_("Team"), choices=(), required=False, coerce=int, empty_value=None)
    user_id = forms.TypedChoiceField(label=_("Rep"), choices=(), required=False, coerce=int, empty_value=None)
    comparison = forms.ChoiceField(label=_("The value is"), choices=Comparison.choices, initial=Comparison.BELOW,
                                   required=False)
    threshold = forms.CharField(label=_("Threshold"), max_length=40, required=False,
                                help_text=_("In the metric's unit; a share as a percentage."))
    window = forms.ChoiceField(label=_("Over"), choices=Window.choices, initial=Window.MONTH_TO_DATE, required=False)
    grain = forms.ChoiceField(label=_("Judge each"), choices=ControlGrain.choices, initial=ControlGrain.WEEK,
                              required=False)
    history_periods = forms.IntegerField(label=_("Learn limits from the last … periods"), min_value=4,
                                         max_value=52, initial=12, required=False)
    sigma = forms.DecimalField(label=_("Limits at ± sigmas"), min_value=1, max_value=6, decimal_places=2,
                               initial=Decimal(3), required=False)
    goal_id = forms.TypedChoiceField(label=_("Goal"), choices=(), required=False, coerce=int, empty_value=None)
    recipient_ids = forms.TypedMultipleChoiceField(label=_("Notify"), choices=(), required=False, coerce=int,
                                                   widget=CHECKBOXES)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, actor: Actor, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _choices(self, "metric", [BLANK, *rule_metric_choices()])
        _choices(self, "team_id", _team_choices(actor))
        _choices(self, "user_id", _rep_choices(actor))
        goals = goal_list(actor=actor)
        _choices(self, "goal_id", [BLANK, *((g.pk, _goal_label(g)) for g in goals)])
        members = Membership.objects.filter(workspace_id=actor.workspace.pk, is_active=True).select_related("user")
        _choices(self, "recipient_ids", [(m.user_id, m.user.display_name) for m in members.order_by(
            "user__full_name", "user__email")])

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["threshold"] = _percent_to_share(self.data.get("threshold", ""), data.get("metric"))
        if data.get("sigma") is None:
            data["sigma"] = Decimal(3)
        if data.get("history_periods") is None:
            data["history_periods"] = 12
        return data


def _goal_label(goal: Goal) -> str:
    return goal_title(goal)


def rule_initial(rule: AlertRule) -> dict[str, Any]:
    metric = metric_get(rule.metric_key)
    threshold: Any = rule.threshold.normalize() if rule.threshold is not None else ""
    if metric is not None and metric.unit is Unit.RATIO and rule.threshold is not None:
        threshold = (rule.threshold * 100).normalize()
    return {
        "name": rule.name, "kind": rule.kind, "metric": rule.metric_key, "scope": rule.scope,
        "team_id": rule.team_id if rule.scope == "team" else None, "user_id": rule.user_id,
        "comparison": rule.comparison, "threshold": f"{threshold:f}" if threshold != "" else "",
        "window": rule.window, "grain": rule.grain, "history_periods": rule.history_periods, "sigma": rule.sigma,
        "goal_id": rule.goal_id, "recipient_ids": [u.pk for u in rule.recipients.all()],
        "is_active": rule.is_active, "version": rule.version,
    }

