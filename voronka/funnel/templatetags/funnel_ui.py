"""Template helpers for the funnel pages: money in the workspace currency, rates, days, notices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

from voronka.core.money import Money

from ..text import number, percent, short_money

register = template.Library()


def _currency(context: template.Context) -> str:
    actor = context.get("actor")
    return actor.workspace.currency if actor is not None else "RUB"


@register.simple_tag(takes_context=True)
def money(context: template.Context, value: Any) -> str:
    """A full amount in the workspace currency, for tables ("" for None)."""
    if value is None or value == "":
        return "—"
    return Money(Decimal(str(round(float(value), 2))), _currency(context)).format(get_language() or "en")


@register.simple_tag(takes_context=True)
def money_short(context: template.Context, value: Any) -> str:
    """1.2M-style amounts, for cards and sentences."""
    return "—" if value is None else short_money(float(value), _currency(context))


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    return percent(value, digits)


@register.filter
def days(value: float | None) -> str:
    return number(value, 1)


@register.filter
def share(row: Any, step: int) -> str:
    """A cohort row's share of deals that reached a step."""
    return percent(row.share(step))
