"""The channel comparison: each channel's numbers from the metric engine, its economics from the catalogue.

Two engine queries (by channel, and the total without a breakdown, since ratios and medians do not
add up); costs come from the channel rows and are combined in channel_economics.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor
from voronka.channels.selectors import channel_economics as channel_rows
from voronka.metrics.engine import MetricResult, Scope, metric_query_run
from voronka.metrics.selectors import scope_for
from voronka.metrics.spec import MetricQuery, metric_query_build

from ..channel_economics import ChannelCosts, ChannelEconomics, channel_economics, combined_economics
from ..report_periods import months_in

COMPARISON_METRICS = ("new_leads", "lead_to_deal", "new_deals", "deals_won", "win_rate", "revenue",
                      "average_check", "sales_cycle", "gross_profit")


@dataclass(frozen=True)
class ChannelLine:
    channel_id: int | None  # None: deals and leads with no channel, and the total line
    name: str
    kind: str
    is_active: bool
    fee_percent: Decimal | None
    numbers: dict[str, Any]  # metric key → the engine's value
    economics: ChannelEconomics | None  # None where there are no channel costs to combine
    is_total: bool = False

    @property
    def slices(self) -> tuple[Any, ...]:
        """The slice values a drill-down of this line names (none for the total)."""
        return () if self.is_total else (self.channel_id,)


@dataclass(frozen=True)
class ChannelComparison:
    query: MetricQuery  # the per-channel query (drill-downs name it)
    date_from: dt.date
    date_to: dt.date
    months: Fraction
    lines: list[ChannelLine]
    total: ChannelLine
    result: MetricResult


def _has_numbers(values: dict[str, Any]) -> bool:
    return any(values.get(key) for key in ("new_leads", "new_deals", "deals_won", "revenue"))


def channel_comparison_run(*, scope: Scope, date_from: dt.date, date_to: dt.date) -> ChannelComparison:
    """Compare every channel over [date_from, date_to]; MetricQueryError for a bad period."""
    by_channel = metric_query_build(metrics=COMPARISON_METRICS, date_from=date_from, date_to=date_to,
                                    slices=["channel"])
    overall = metric_query_build(metrics=COMPARISON_METRICS, date_from=date_from, date_to=date_to)
    result = metric_query_run(scope=scope, query=by_channel)
    totals = metric_query_run(scope=scope, query=overall)
    months = months_in(date_from, date_to)
    seen = {row.slices[0]: dict(row.values) for row in result.rows}
    empty: dict[str, Any] = {key: (0 if key in ("new_leads", "new_deals", "deals_won") else None)
                             for key in COMPARISON_METRICS}
    empty.update({"revenue": Decimal("0.00"), "gross_profit": Decimal("0.00")})

    lines = []
    for channel in channel_rows(workspace_id=scope.workspace_id).values():
        values = seen.get(channel.pk, dict(empty))
        if not channel.is_active and not _has_numbers(values):
            continue
        costs = ChannelCosts(fixed_cost_per_month=channel.fixed_cost_per_month,
                             acquisition_cost=channel.acquisition_cost)
        economics = channel_economics(costs=costs, months=months, deals_won=int(values["deals_won"] or 0),
                                      gross_profit=Decimal(values["gross_profit"] or 0))
        lines.append(ChannelLine(channel.pk, channel.name, str(channel.get_kind_display()), channel.is_active,
                                 channel.fee_percent, values, economics))
    if None in seen and _has_numbers(seen[None]):
        lines.append(ChannelLine(None, _("No channel"), "", True, None, seen[None], None))
    lines.sort(key=lambda line: (line.channel_id is None, -(line.numbers.get("revenue") or 0), line.name))

    total_values = dict(totals.rows[0].values) if totals.rows else dict(empty)
    total = ChannelLine(None, _("All channels"), "", True, None, total_values, combined_economics(
        parts=[line.economics for line in lines if line.economics is not None],
        deals_won=int(total_values.get("deals_won") or 0),
        gross_profit=Decimal(total_values.get("gross_profit") or 0)), is_total=True)
    return ChannelComparison(query=by_channel, date_from=date_from, date_to=date_to, months=months, lines=lines,
                             total=total, result=result)


def channel_comparison_for(*, actor: Actor, date_from: dt.date, date_to: dt.date,
                           now: dt.datetime | None = None) -> ChannelComparison:
    """The comparison as the actor may see it: only the leads and deals their role lets them see."""
    return channel_comparison_run(scope=scope_for(actor, now=now), date_from=date_from, date_to=date_to)
