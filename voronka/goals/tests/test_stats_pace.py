"""Pace arithmetic and the status thresholds (documented in stats/pace.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from voronka.goals.stats.pace import (
    Status,
    elapsed_days,
    expected,
    forecast,
    linear_share,
    run_rate,
    seasonal_share,
    status_for,
)

Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_elapsed_days_count_today_and_stop_at_the_ends() -> None:
    assert elapsed_days(*Q4, dt.date(2026, 9, 30)) == 0
    assert elapsed_days(*Q4, dt.date(2026, 10, 1)) == 1
    assert elapsed_days(*Q4, dt.date(2026, 11, 15)) == 46
    assert elapsed_days(*Q4, dt.date(2027, 2, 1)) == 92


def test_linear_and_seasonal_expected() -> None:
    assert expected(Decimal("900000"), linear_share(46, 92)) == Decimal("450000.00")
    share = seasonal_share([(Decimal(100), Decimal(400)), (Decimal(100), Decimal(200)), (Decimal(0), Decimal(0))])
    assert share == Decimal(200) / Decimal(600)
    assert expected(Decimal("900000"), share) == Decimal("300000.00")
    assert seasonal_share([(Decimal(0), Decimal(0))]) is None


def test_run_rate_and_forecast() -> None:
    assert run_rate(Decimal(300), Decimal("0.5")) == Decimal("600.00")
    assert run_rate(Decimal(300), Decimal(0)) is None
    assert forecast(actual=Decimal(300), run_rate_value=Decimal(600), pipeline=Decimal(700)) == Decimal(700)
    assert forecast(actual=Decimal(300), run_rate_value=None, pipeline=None) == Decimal(300)


def test_status_thresholds() -> None:
    target = Decimal(1000)
    assert status_for(forecast_value=Decimal(1000), target=target, higher_is_better=True) == Status.ON_TRACK
    assert status_for(forecast_value=Decimal(900), target=target, higher_is_better=True) == Status.AT_RISK
    assert status_for(forecast_value=Decimal("899.99"), target=target, higher_is_better=True) == Status.OFF_TRACK
    assert status_for(forecast_value=Decimal(1000), target=target, higher_is_better=False) == Status.ON_TRACK
    assert status_for(forecast_value=Decimal(1100), target=target, higher_is_better=False) == Status.AT_RISK
    assert status_for(forecast_value=Decimal("1100.01"), target=target, higher_is_better=False) == Status.OFF_TRACK
    assert status_for(forecast_value=None, target=target, higher_is_better=True) == Status.NO_DATA
