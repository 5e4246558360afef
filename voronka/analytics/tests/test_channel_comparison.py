"""The channel comparison on a hand-worked quarter: engine numbers per channel, its costs, CAC and ROI."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from voronka.analytics.selectors.channels import channel_comparison_for
from voronka.metrics.spec import MetricQueryError

from .channel_fixtures import Q2, build_quarter


def _by_name(comparison):
    return {line.name: line for line in comparison.lines}


def test_hand_worked_quarter(org):
    # given the quarter of channel_fixtures (worked by hand below)
    build_quarter(org)
    # when an admin compares channels over 2026-Q2
    comparison = channel_comparison_for(actor=org.actor(org.admin), date_from=Q2[0], date_to=Q2[1])
    lines = _by_name(comparison)
    # then the inactive channel without numbers is left out, the idle active one stays, "no channel" comes last
    assert [line.name for line in comparison.lines] == ["Partners", "Shop", "Idle", "No channel"]
    assert comparison.months == Fraction(3)

    shop = lines["Shop"]
    assert shop.numbers["new_leads"] == 2
    assert shop.numbers["lead_to_deal"] == 0.5
    assert shop.numbers["new_deals"] == 3
    assert shop.numbers["deals_won"] == 2
    assert shop.numbers["win_rate"] == pytest.approx(2 / 3)
    assert shop.numbers["revenue"] == Decimal("15000.00")
    assert shop.numbers["average_check"] == Decimal("7500.00")
    assert shop.numbers["sales_cycle"] == pytest.approx(33.0)  # median of 21 and 45 days
    assert shop.numbers["gross_profit"] == Decimal("8500.00")  # (10000−4000−1000) + (5000−1000−500)
    e = shop.economics
    assert (e.fixed_costs, e.acquisition_spend, e.profit_after_fixed) == (Decimal("3000.00"), Decimal("400.00"),
                                                                          Decimal("5500.00"))
    assert (e.net_contribution, e.cac, e.roi) == (Decimal("5100.00"), Decimal("1700.00"), 1.5)

    partners = lines["Partners"]
    assert (partners.numbers["new_leads"], partners.numbers["lead_to_deal"]) == (1, 0.0)
    assert (partners.numbers["new_deals"], partners.numbers["deals_won"]) == (2, 1)
    assert partners.numbers["win_rate"] == 1.0  # the lost deal closed after the quarter
    assert partners.numbers["revenue"] == Decimal("20000.00")
    assert partners.numbers["sales_cycle"] == pytest.approx(29.5625)  # 29 days 13½ hours
    assert partners.numbers["gross_profit"] == Decimal("5000.00")
    e = partners.economics
    assert (e.fixed_costs, e.acquisition_spend, e.net_contribution) == (Decimal("0.00"), Decimal("500.00"),
                                                                        Decimal("4500.00"))
    assert (e.cac, e.roi) == (Decimal("500.00"), 9.0)

    idle = lines["Idle"]
    assert (idle.numbers["new_deals"], idle.numbers["revenue"]) == (0, Decimal("0.00"))
    assert (idle.economics.fixed_costs, idle.economics.cac, idle.economics.roi) == (Decimal("900.00"), None, -1.0)

    none = lines["No channel"]
    assert (none.numbers["deals_won"], none.numbers["revenue"], none.economics) == (1, Decimal("1000.00"), None)

    total = comparison.total
    assert total.numbers["new_leads"] == 3
    assert total.numbers["new_deals"] == 6
    assert total.numbers["deals_won"] == 4
    assert total.numbers["win_rate"] == 0.8
    assert total.numbers["revenue"] == Decimal("36000.00")
    assert total.numbers["average_check"] == Decimal("9000.00")
    assert total.numbers["sales_cycle"] == pytest.approx((29.5625 + 34) / 2)
    assert total.numbers["gross_profit"] == Decimal("14500.00")
    e = total.economics
    assert (e.fixed_costs, e.acquisition_spend) == (Decimal("3900.00"), Decimal("900.00"))
    assert (e.profit_after_fixed, e.net_contribution) == (Decimal("10600.00"), Decimal("9700.00"))
    assert e.cac == Decimal("1200.00")  # 4800 / 4
    assert e.roi == float(Fraction(9700, 4800))


def test_a_rep_sees_only_their_own_deals_and_leads(org):
    build_quarter(org)
    comparison = channel_comparison_for(actor=org.actor(org.rep), date_from=Q2[0], date_to=Q2[1])
    lines = _by_name(comparison)
    # the rep owns the two won Shop deals and the no-channel deal; the lost and open Shop deals are South's
    shop = lines["Shop"]
    assert (shop.numbers["new_deals"], shop.numbers["deals_won"], shop.numbers["win_rate"]) == (1, 2, 1.0)
    assert shop.numbers["new_leads"] == 2
    assert "Partners" in lines and lines["Partners"].numbers["deals_won"] == 0
    assert comparison.total.numbers["revenue"] == Decimal("16000.00")


def test_half_a_month_charges_half_the_fixed_cost(org):
    build_quarter(org)
    import datetime as dt

    comparison = channel_comparison_for(actor=org.actor(org.admin), date_from=dt.date(2026, 6, 16),
                                        date_to=dt.date(2026, 6, 30))
    lines = _by_name(comparison)
    assert comparison.months == Fraction(1, 2)
    assert lines["Shop"].economics.fixed_costs == Decimal("500.00")
    assert lines["Idle"].economics.fixed_costs == Decimal("150.00")


def test_a_period_that_ends_before_it_starts_is_refused(org):
    with pytest.raises(MetricQueryError) as refused:
        channel_comparison_for(actor=org.actor(org.admin), date_from=Q2[1], date_to=Q2[0])
    assert refused.value.code == "period_ends_before_start"
    assert "date_to" in refused.value.fields
