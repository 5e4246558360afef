"""Numbers and alert messages in the reader's language (pages, emails and the API share them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from voronka.core.money import Money
from voronka.metrics.catalogue import Unit, metric_get

from ..models import Alert, AlertKind, AlertRule, Goal, ScopeKind, Window

STATUS_LABELS = {
    "not_started": lambda: _("Not started"),
    "no_data": lambda: _("No data"),
    "on_track": lambda: _("On track"),
    "at_risk": lambda: _("At risk"),
    "off_track": lambda: _("Off track"),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return label() if label else status


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _grouped(number: Decimal, places: int, language: str) -> str:
    text = f"{number:,.{places}f}"
    if language.startswith("ru"):
        return text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_value(value: Any, unit: str | Unit, currency: str, language: str | None = None) -> str:
    """A metric value for people: money in the currency, shares as %, counts whole, days with one decimal."""
    number = _decimal(value)
    if number is None:
        return "—"
    language = language or get_language() or "en"
    unit = Unit(unit)
    if unit is Unit.MONEY:
        return Money(number, currency).format(language)
    if unit is Unit.RATIO:
        return f"{_grouped(number * 100, 1, language)}\u00a0%"
    if unit is Unit.COUNT:
        return _grouped(number, 0 if number == number.to_integral_value() else 2, language)
    return _("%(n)s days") % {"n": _grouped(number, 1, language)}


def metric_name(key: str) -> str:
    metric = metric_get(key)
    return str(metric.name) if metric else key


def metric_unit(key: str) -> Unit:
    metric = metric_get(key)
    return metric.unit if metric else Unit.COUNT


def scope_label(obj: Goal | AlertRule) -> str:
    if obj.scope == ScopeKind.TEAM and obj.team is not None:
        return _("team %(name)s") % {"name": obj.team.name}
    if obj.scope == ScopeKind.REP and obj.user is not None:
        return obj.user.display_name
    return _("the company")


def period_label(goal: Goal) -> str:
    kind = goal.period_kind
    start = goal.period_start
    if kind == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if kind == "month":
        return f"{start:%Y-%m}"
    if kind == "year":
        return str(start.year)
    return f"{start.isoformat()} – {goal.period_end.isoformat()}"


def goal_title(goal: Goal) -> str:
    return f"{metric_name(goal.metric_key)} · {scope_label(goal)} · {period_label(goal)}"


def alert_message(alert: Alert, currency: str) -> str:
    """What happened, in the active language, from the numbers the alert kept."""
    rule = alert.rule
    details = alert.details or {}
    unit = details.get("unit") or metric_unit(rule.metric_key)
    fmt = lambda value: format_value(value, unit, currency)  # noqa: E731
    kind = details.get("kind", rule.kind)
    if kind == AlertKind.GOAL_AT_RISK:
        return _("Goal “%(goal)s” is %(status)s: forecast %(forecast)s of the target %(target)s.") % {
            "goal": details.get("goal", ""), "status": status_label(details.get("status", "")).lower(),
            "forecast": fmt(details.get("forecast")), "target": fmt(details.get("target"))}
    values = {"metric": metric_name(rule.metric_key), "scope": scope_label(rule), "value": fmt(alert.value),
              "limit": fmt(alert.limit), "window": details.get("window_label", alert.window_key)}
    if kind == AlertKind.CONTROL:
        values.update(lower=fmt(details.get("lower")), upper=fmt(details.get("upper")),
                      centre=fmt(details.get("centre")), n=details.get("points", 0))
        if details.get("side") == "above":
            return _("%(metric)s for %(scope)s in %(window)s: %(value)s, above the upper control limit %(upper)s "
                     "(centre %(centre)s, learned from %(n)s periods).") % values
        return _("%(metric)s for %(scope)s in %(window)s: %(value)s, below the lower control limit %(lower)s "
                 "(centre %(centre)s, learned from %(n)s periods).") % values
    window = Window(details["window"]).label if details.get("window") in Window.values else ""
    values["window"] = f"{window} ({details.get('window_label', '')})" if window else values["window"]
    if details.get("comparison") == "above":
        return _("%(metric)s for %(scope)s, %(window)s: %(value)s, above the threshold %(limit)s.") % values
    return _("%(metric)s for %(scope)s, %(window)s: %(value)s, below the threshold %(limit)s.") % values
