"""The words funnel shows: explanations of bottlenecks and notices, factor names, short money. English and Russian."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from voronka.core.money import Money

from .labels import FEATURE_LABELS
from .selectors.bottlenecks import Bottleneck

__all__ = ["FEATURE_LABELS", "NOTICES", "explain", "number", "percent", "q_text", "short_money", "who"]

NOTICES: dict[str, Promise] = {
    "no_deals": gettext_lazy("No deals were created in this period in what you can see, so there is nothing to "
                             "follow through the stages. Choose a longer or an earlier period."),
    "small_sample": gettext_lazy("Fewer than 30 deals: the rates below can swing a lot with a single deal. "
                                 "Read the intervals, not the points."),
    "too_small": gettext_lazy("Too few deals to compare slices: a slice and the rest of the company each need "
                              "at least 30 deals at a stage before anything is called a bottleneck."),
    "no_open_stages": gettext_lazy("This pipeline has no open stages, so there is no funnel to show. Add stages "
                                   "in the CRM settings."),
    "one_stage": gettext_lazy("This pipeline has a single open stage: the funnel is that stage and the close. "
                              "Add stages to see where deals stop."),
    "no_won_stage": gettext_lazy("This pipeline has no won stage, so no deal can count as won in it."),
    "skipped_stages": gettext_lazy("Some deals skipped stages. A deal counts at every stage up to the furthest "
                                   "it reached, so a skipped stage counts as passed (“skipped” shows how many)."),
    "moved_back": gettext_lazy("Some deals moved back to an earlier stage. A deal keeps the furthest stage it "
                               "reached; its time in each stage counts every stay."),
}

_SYMBOL = re.compile(r"[\d\s.,\u00a0-]+")


def _language() -> str:
    return (get_language() or "en")[:2]


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    # number_format cuts decimals off; round first so 0.4999999 shows as 50%.
    return f"{number_format(round(value * 100, digits), digits, use_l10n=True)}%"


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else str(number_format(round(value, digits), digits, use_l10n=True))


def short_money(value: float, currency: str) -> str:
    """1,234,567 → "₽1.2M" (English) or "1,2 млн ₽" (Russian): for sentences, not for tables."""
    sample = Money(Decimal(0), currency).format(_language())
    symbol = _SYMBOL.sub("", sample).strip() or currency
    size = abs(value)
    if size >= 1e9:
        text = _("%(number)sB") % {"number": number(value / 1e9, 1)}
    elif size >= 1e6:
        text = _("%(number)sM") % {"number": number(value / 1e6, 1)}
    elif size >= 1e3:
        text = _("%(number)sK") % {"number": number(value / 1e3, 0)}
    else:
        text = number(value, 0)
    if _language() == "ru" or len(symbol) > 1:
        return f"{text}\u00a0{symbol}"
    return f"{symbol}{text}"


def q_text(q: float) -> str:
    for bound in (0.001, 0.01):
        if q < bound:
            return f"q < {number(bound, 3 if bound < 0.01 else 2)}"
    return f"q = {number(q, 2)}"


def who(dimension: str, name: str) -> str:
    phrases = {
        "team": _("Team %(name)s"), "owner": _("Rep %(name)s"), "channel": _("Channel %(name)s"),
        "lead_source": _("Lead source %(name)s"), "product": _("Product %(name)s"),
        "industry": _("Industry %(name)s"),
    }
    return phrases.get(dimension, "%(name)s") % {"name": name}


def explain(bottleneck: Bottleneck, currency: str) -> str:
    """One plain sentence: who, where, how much worse, how sure, what it costs."""
    c = bottleneck.comparison
    subject = who(c.dimension, c.label)
    if bottleneck.is_conversion:
        more = c.more_losses
        return _("%(who)s loses %(more)s more deals at %(stage)s than the company (%(q)s); about %(money)s per "
                 "quarter.") % {
            "who": subject, "more": percent(more) if more is not None else "—", "stage": bottleneck.stage_name,
            "q": q_text(c.q), "money": short_money(bottleneck.per_quarter, currency),
        }
    return _("%(who)s keeps deals at %(stage)s %(days)s days longer than the company (median %(slice)s vs "
             "%(company)s days; %(q)s).") % {
        "who": subject, "stage": bottleneck.stage_name, "days": number(c.extra_days),
        "slice": number(c.value), "company": number(c.company), "q": q_text(c.q),
    }
