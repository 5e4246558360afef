"""Template helpers for goals pages: metric values in the workspace currency, status badges, shares."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from ..services.display import format_value, status_label

register = template.Library()

STATUS_CLASSES = {
    "on_track": "text-bg-success", "at_risk": "text-bg-warning", "off_track": "text-bg-danger",
    "not_started": "text-bg-secondary", "no_data": "text-bg-light",
}


@register.simple_tag(takes_context=True)
def metric_value(context: template.Context, value: Any, unit: str) -> str:
    actor = context.get("actor")
    currency = actor.workspace.currency if actor is not None else "RUB"
    return format_value(value, unit or "count", currency, get_language() or "en")


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(str(status), "text-bg-secondary")


@register.filter
def status_text(status: str) -> str:
    return status_label(str(status))


@register.filter
def percent(share: float | None) -> str:
    """0.4567 → "46 %" (— for none)."""
    if share is None:
        return "—"
    return f"{share * 100:.0f}\u00a0%"


@register.filter
def bar_width(share: float | None) -> int:
    """A share as a whole percentage 0–100 for the width classes in goals.css."""
    if share is None:
        return 0
    return max(0, min(100, round(float(share) * 100)))
