"""Template helpers for crm pages: money in the workspace currency, days in stage, stalled, optional links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import get_language

from voronka.core.money import Money

from ..models import Deal
from ..selectors.deals import deal_is_stalled

register = template.Library()

CUSTOM_PREFIX = "custom."


@register.simple_tag(takes_context=True)
def money(context: template.Context, value: Any, currency: str | None = None) -> str:
    """An amount in the workspace currency, formatted for the current language ("" for None)."""
    if value is None or value == "":
        return ""
    if currency is None:
        actor = context.get("actor")
        currency = actor.workspace.currency if actor is not None else "RUB"
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    return Money(amount, currency).format(get_language() or "en")


@register.filter
def days_in_stage(deal: Deal, now: dt.datetime | None = None) -> int:
    return max(((now or timezone.now()) - deal.stage_entered_at).days, 0)


@register.filter
def is_stalled(deal: Deal, now: dt.datetime | None = None) -> bool:
    return deal_is_stalled(deal, now or timezone.now())


@register.filter
def deal_field_label(name: str) -> str:
    """A deal field's label for messages such as the stage gate's missing fields."""
    if name.startswith(CUSTOM_PREFIX):
        return name.removeprefix(CUSTOM_PREFIX)
    try:
        field = Deal._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


@register.filter
def field_value(deal: Deal, name: str) -> Any:
    """The raw value of a deal field for the inline editor (channel shows its name)."""
    if name == "channel":
        return deal.channel.name if deal.channel_id and deal.channel else None
    if name == "owner":
        return deal.owner.display_name if deal.owner_id and deal.owner else None
    return getattr(deal, name, None)


@register.filter
def parse_iso(value: Any) -> dt.datetime | None:
    """A datetime stored as ISO text in a timeline entry's data."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else None


@register.filter
def activity_kind(value: Any) -> str:
    """The translated name of an activity kind stored as text (call, meeting, …)."""
    from ..models import ActivityKind

    try:
        return str(ActivityKind(value).label)
    except ValueError:
        return str(value)
