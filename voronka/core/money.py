"""Money is a Decimal in the workspace currency, rounded only when shown or paid."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

# ISO 4217 minor units for the currencies our users work in; everything else has two.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3, "OMR": 3, "TND": 3}
_SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "GBP": "£", "KZT": "₸", "BYN": "Br", "UAH": "₴", "CNY": "¥"}
CURRENCIES = ["RUB", "USD", "EUR", "GBP", "KZT", "BYN", "UAH", "CNY", "JPY", "TRY", "AED", "INR"]


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency.upper(), 2)


def to_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "currency", self.currency.upper())

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"Cannot combine {self.currency} and {other.currency}")

    def rounded(self, *, for_payment: bool = False) -> Decimal:
        """Round to the currency's minor unit: half-up for payments, banker's for display totals."""
        quantum = Decimal(1).scaleb(-minor_units(self.currency))
        return self.amount.quantize(quantum, rounding=ROUND_HALF_UP if for_payment else ROUND_HALF_EVEN)

    def format(self, language: str = "en") -> str:
        # Shown, not paid: banker's rounding, as `rounded` promises for display.
        value = self.rounded()
        if value.is_zero():
            value = abs(value)  # no "-0.00" for a tiny negative amount
        digits = minor_units(self.currency)
        text = f"{value:,.{digits}f}"
        symbol = _SYMBOLS.get(self.currency, self.currency)
        if language.startswith("ru"):
            text = text.replace(",", "\u00a0").replace(".", ",")
            return f"{text}\u00a0{symbol}"
        if len(symbol) == 1:
            # "-$5.00", not "$-5.00"
            return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"
        return f"{text} {symbol}"
