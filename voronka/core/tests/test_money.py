"""Money: arithmetic in one currency, half-up for payment, half-even for display, en/ru formats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.core.money import Money, minor_units, to_decimal

NBSP = "\u00a0"


def test_add_sub_mul_stay_exact():
    assert Money("10.10", "rub") + Money("0.05", "RUB") == Money(Decimal("10.15"), "RUB")
    assert Money("10.00", "USD") - Money("0.01", "USD") == Money(Decimal("9.99"), "USD")
    assert Money("19.99", "USD") * 3 == Money(Decimal("59.97"), "USD")
    assert Money("19.99", "USD") * 0.1 == Money(Decimal("1.999"), "USD")  # floats via repr, not binary noise
    assert Money("100", "EUR") * "1.5" == Money(Decimal("150.0"), "EUR")
    assert (Money("0.1", "USD") + Money("0.2", "USD")).amount == Decimal("0.3")


def test_currency_is_upper_case_and_amount_a_decimal():
    money = Money(1.1, "usd")  # type: ignore[arg-type]
    assert money.currency == "USD"
    assert money.amount == Decimal("1.1")
    assert isinstance(money.amount, Decimal)


@pytest.mark.parametrize("op", ["add", "sub"])
def test_mixing_currencies_raises(op):
    a, b = Money("1", "USD"), Money("1", "EUR")
    with pytest.raises(ValueError, match="Cannot combine USD and EUR"):
        _ = a + b if op == "add" else a - b


@pytest.mark.parametrize(
    ("amount", "currency", "payment", "display"),
    [
        ("2.665", "USD", "2.67", "2.66"),
        ("2.675", "USD", "2.68", "2.68"),
        ("0.125", "RUB", "0.13", "0.12"),
        ("-0.125", "RUB", "-0.13", "-0.12"),
        ("1.004", "EUR", "1.00", "1.00"),
        ("1234.5", "JPY", "1235", "1234"),
        ("1235.5", "JPY", "1236", "1236"),
        ("1.0005", "KWD", "1.001", "1.000"),
    ],
)
def test_rounding_half_up_for_payment_half_even_for_display(amount, currency, payment, display):
    money = Money(amount, currency)
    assert money.rounded(for_payment=True) == Decimal(payment)
    assert str(money.rounded(for_payment=True)) == payment
    assert str(money.rounded()) == display


def test_minor_units():
    assert (minor_units("JPY"), minor_units("jpy"), minor_units("RUB"), minor_units("KWD")) == (0, 0, 2, 3)


@pytest.mark.parametrize(
    ("money", "en", "ru"),
    [
        (Money("1234567.891", "USD"), "$1,234,567.89", f"1{NBSP}234{NBSP}567,89{NBSP}$"),
        (Money("1234.5", "RUB"), "₽1,234.50", f"1{NBSP}234,50{NBSP}₽"),
        (Money("0.125", "EUR"), "€0.12", f"0,12{NBSP}€"),
        (Money("1234.5", "JPY"), "1,234 JPY", f"1{NBSP}234{NBSP}JPY"),
        (Money("999.995", "TRY"), "1,000.00 TRY", f"1{NBSP}000,00{NBSP}TRY"),
        (Money("12.5", "BYN"), "12.50 Br", f"12,50{NBSP}Br"),
        (Money("-5", "USD"), "-$5.00", f"-5,00{NBSP}$"),
        (Money("-0.001", "USD"), "$0.00", f"0,00{NBSP}$"),
    ],
)
def test_format_en_and_ru(money, en, ru):
    assert money.format() == en
    assert money.format("en") == en
    assert money.format("ru") == ru
    assert money.format("ru-ru") == ru


def test_to_decimal():
    assert to_decimal(Decimal("1.10")) == Decimal("1.10")
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal(3) == Decimal(3)
    assert to_decimal("2.50") == Decimal("2.50")


amounts = st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)


@given(a=amounts, b=amounts, c=amounts)
def test_addition_is_exact_and_associative(a, b, c):
    x, y, z = Money(a, "RUB"), Money(b, "RUB"), Money(c, "RUB")
    assert (x + y) + z == x + (y + z)
    assert (x + y) - y == x


@given(a=amounts)
def test_rounding_is_within_half_a_minor_unit(a):
    money = Money(a, "RUB")
    for value in (money.rounded(), money.rounded(for_payment=True)):
        assert abs(value - a) <= Decimal("0.005")
        assert value.as_tuple().exponent == -2
