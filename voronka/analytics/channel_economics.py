"""What a sales channel earns and costs over a period: engine numbers combined with the channel's economics.

Pure: plain numbers in, plain numbers out (no Django). The engine (voronka.metrics) supplies the
per-channel counts and money; the channel row supplies its fixed cost per month and its acquisition
cost per customer. The definitions, shown on the page as written here:

- fixed costs = fixed cost per month × months in the period (a partial month counts by its share of days)
- customers won = deals won in the period through the channel (each won deal counts as one customer won)
- acquisition spend = acquisition cost per customer × customers won
- gross profit after fees = the `gross_profit` metric: won revenue − product costs − fee % × amount
- profit after fixed costs = gross profit after fees − fixed costs
- customer acquisition cost (CAC) = (acquisition spend + fixed costs) ÷ customers won
- ROI = (gross profit after fees − fixed costs − acquisition spend) ÷ (fixed costs + acquisition spend)

Money is rounded to the kopeck (half up) once, when a figure is formed; ratios divide the rounded
figures, which is what the table shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def money(value: Fraction | Decimal | int) -> Decimal:
    """An exact value → Decimal rounded half away from zero to the kopeck (no float on the way)."""
    cents = abs(Fraction(value)) * 100
    rounded = (2 * cents.numerator + cents.denominator) // (2 * cents.denominator)
    sign = -1 if value < 0 else 1
    return (Decimal(sign * rounded) / 100).quantize(CENT)


@dataclass(frozen=True)
class ChannelCosts:
    fixed_cost_per_month: Decimal
    acquisition_cost: Decimal


@dataclass(frozen=True)
class ChannelEconomics:
    fixed_costs: Decimal
    customers_won: int
    acquisition_spend: Decimal
    gross_profit: Decimal  # after fees (the engine's gross_profit)
    profit_after_fixed: Decimal
    net_contribution: Decimal  # after fixed costs and acquisition spend
    cac: Decimal | None  # None when no customer was won
    roi: float | None  # None when the channel cost nothing


def channel_economics(*, costs: ChannelCosts, months: Fraction, deals_won: int,
                      gross_profit: Decimal) -> ChannelEconomics:
    """Combine one channel's engine numbers for a period with its costs."""
    fixed = money(Fraction(costs.fixed_cost_per_month) * months)
    spend = money(Fraction(costs.acquisition_cost) * deals_won)
    return _finish(fixed=fixed, spend=spend, deals_won=deals_won, gross_profit=gross_profit)


def combined_economics(*, parts: list[ChannelEconomics], deals_won: int, gross_profit: Decimal) -> ChannelEconomics:
    """All channels together: costs add up; CAC and ROI are recomputed from the sums, never averaged."""
    return _finish(fixed=sum((p.fixed_costs for p in parts), Decimal(0)).quantize(CENT),
                   spend=sum((p.acquisition_spend for p in parts), Decimal(0)).quantize(CENT),
                   deals_won=deals_won, gross_profit=gross_profit)


def _finish(*, fixed: Decimal, spend: Decimal, deals_won: int, gross_profit: Decimal) -> ChannelEconomics:
    gross_profit = Decimal(gross_profit).quantize(CENT)
    costs = fixed + spend
    net = gross_profit - fixed - spend
    cac = money(Fraction(costs) / deals_won) if deals_won else None
    roi = float(Fraction(net) / Fraction(costs)) if costs else None
    return ChannelEconomics(fixed_costs=fixed, customers_won=deals_won, acquisition_spend=spend,
                            gross_profit=gross_profit, profit_after_fixed=gross_profit - fixed,
                            net_contribution=net, cac=cac, roi=roi)
