"""Channel economics (pure): fixed costs, acquisition spend, CAC and ROI on hand-worked figures."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from voronka.analytics.channel_economics import ChannelCosts, channel_economics, combined_economics, money


def test_money_rounds_half_away_from_zero_exactly():
    assert money(Fraction(1, 3)) == Decimal("0.33")
    assert money(Decimal("2.675")) == Decimal("2.68")
    assert money(Fraction(-1, 200)) == Decimal("-0.01")
    assert money(7) == Decimal("7.00")


def test_a_channel_with_fees_fixed_costs_and_acquisition_cost():
    # given a channel costing 1,000 a month and 200 per customer, over a quarter with two customers won
    costs = ChannelCosts(fixed_cost_per_month=Decimal("1000.00"), acquisition_cost=Decimal("200.00"))
    # when its gross profit after fees was 8,500
    result = channel_economics(costs=costs, months=Fraction(3), deals_won=2, gross_profit=Decimal("8500.00"))
    # then (worked by hand)
    assert result.fixed_costs == Decimal("3000.00")
    assert result.acquisition_spend == Decimal("400.00")
    assert result.profit_after_fixed == Decimal("5500.00")
    assert result.net_contribution == Decimal("5100.00")
    assert result.cac == Decimal("1700.00")  # (400 + 3000) / 2
    assert result.roi == 1.5  # 5100 / 3400


def test_partial_months_and_uneven_division_round_to_the_kopeck():
    costs = ChannelCosts(fixed_cost_per_month=Decimal("1000.00"), acquisition_cost=Decimal("0.00"))
    result = channel_economics(costs=costs, months=Fraction(17, 31), deals_won=3, gross_profit=Decimal("100"))
    assert result.fixed_costs == Decimal("548.39")  # 1000 × 17/31 = 548.387…
    assert result.cac == Decimal("182.80")  # 548.39 / 3 = 182.796…
    assert result.roi == float(Fraction(Decimal("-448.39")) / Fraction(Decimal("548.39")))


def test_no_customers_no_cac_and_no_costs_no_roi():
    idle = channel_economics(costs=ChannelCosts(Decimal("300"), Decimal("0")), months=Fraction(3), deals_won=0,
                             gross_profit=Decimal("0"))
    assert (idle.fixed_costs, idle.cac, idle.roi) == (Decimal("900.00"), None, -1.0)
    free = channel_economics(costs=ChannelCosts(Decimal("0"), Decimal("0")), months=Fraction(3), deals_won=4,
                             gross_profit=Decimal("250.50"))
    assert (free.cac, free.roi, free.net_contribution) == (Decimal("0.00"), None, Decimal("250.50"))


def test_combined_costs_add_up_and_ratios_are_recomputed():
    a = channel_economics(costs=ChannelCosts(Decimal("1000"), Decimal("200")), months=Fraction(3), deals_won=2,
                          gross_profit=Decimal("8500"))
    b = channel_economics(costs=ChannelCosts(Decimal("0"), Decimal("500")), months=Fraction(3), deals_won=1,
                          gross_profit=Decimal("5000"))
    total = combined_economics(parts=[a, b], deals_won=4, gross_profit=Decimal("14500"))
    assert (total.fixed_costs, total.acquisition_spend) == (Decimal("3000.00"), Decimal("900.00"))
    assert total.cac == Decimal("975.00")  # 3900 / 4
    assert total.roi == float(Fraction(14500 - 3900, 3900))
