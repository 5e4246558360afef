"""Parsers for cell values as people type them: decimal commas, Russian dates, bands, percentages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

_MONEY_NOISE = re.compile(r"[\s\u00a0\u202f\u2009'₽$€£]|руб\.?|р\.|rub|usd|eur", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%Y/%m/%d", "%d-%m-%Y")


def clean_text(value: str) -> str:
    """Trimmed, control characters removed, inner whitespace runs of newlines kept as spaces."""
    return _CONTROL.sub("", (value or "").replace("\r", " ").replace("\n", " ")).strip()


def parse_decimal(value: str) -> Decimal | None:
    """'1 234,50' → 1234.50; '1,234.50' → 1234.50; '1.234,50' → 1234.50; '' → None; junk → ValueError."""
    raw = _MONEY_NOISE.sub("", value or "")
    if not raw:
        return None
    if "," in raw and "." in raw:
        # The later separator is the decimal one; the other groups thousands.
        comma_last = raw.rfind(",") > raw.rfind(".")
        raw = raw.replace(".", "").replace(",", ".") if comma_last else raw.replace(",", "")
    elif raw.count(",") > 1:
        raw = raw.replace(",", "")  # 1,234,567
    elif "," in raw:
        raw = raw.replace(",", ".")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")  # 1.234.567
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def parse_date(value: str) -> dt.date | None:
    """dd.mm.yyyy, yyyy-mm-dd (with or without a time), dd/mm/yyyy; '' → None; junk → ValueError."""
    raw = (value or "").strip()
    if not raw:
        return None
    head = re.split(r"[ T]", raw, maxsplit=1)[0]
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(head, fmt)  # noqa: DTZ007 — a calendar date, no time zone
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2200:
            return parsed.date()
    raise ValueError(value)


def parse_percent(value: str) -> int | None:
    """'50', '50%', '0,5' (a share) → 50; out of 0–100 → ValueError."""
    raw = (value or "").strip().rstrip("%").strip()
    if not raw:
        return None
    number = parse_decimal(raw)
    if number is None:
        return None
    if Decimal(0) < number < Decimal(1):
        number *= 100  # a share: 0,5 is 50 %
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError(value)
    return int(number.to_integral_value())


_GENDER = {
    "m": "m", "male": "m", "man": "m", "м": "m", "муж": "m", "мужской": "m", "мужчина": "m",
    "f": "f", "female": "f", "woman": "f", "ж": "f", "жен": "f", "женский": "f", "женщина": "f",
    "x": "x", "other": "x", "другое": "x", "другой": "x",
}


def parse_gender(value: str) -> str:
    raw = (value or "").strip().casefold().rstrip(".")
    if not raw:
        return ""
    if raw not in _GENDER:
        raise ValueError(value)
    return _GENDER[raw]


_AGE_BANDS = (("<25", 0, 24), ("25-34", 25, 34), ("35-44", 35, 44), ("45-54", 45, 54), ("55+", 55, 200))


def parse_age_band(value: str) -> str:
    """An age ('37') or a band ('35-44', '35–44', '55+') → the band."""
    raw = (value or "").strip().replace("–", "-").replace(" ", "")
    if not raw:
        return ""
    for band, _low, _high in _AGE_BANDS:
        if raw == band:
            return band
    match = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", raw)
    if not match:
        raise ValueError(value)
    age = int(match.group(1))
    for band, low, high in _AGE_BANDS:
        if low <= age <= high:
            return band
    raise ValueError(value)


_SIZE_BANDS = (("1-9", 1, 9), ("10-49", 10, 49), ("50-249", 50, 249), ("250-999", 250, 999), ("1000+", 1000, 10**9))


def parse_size_band(value: str) -> str:
    """A headcount ('120'), a range ('50-249', '51–200') or a band ('1000+') → the band of its lower end."""
    raw = (value or "").strip().replace("–", "-").replace(" ", "").replace("\u00a0", "")
    if not raw:
        return ""
    for band, _low, _high in _SIZE_BANDS:
        if raw == band:
            return band
    match = re.fullmatch(r"(\d{1,9})\+?(?:-(\d{1,9}))?", raw)
    if not match:
        raise ValueError(value)
    count = max(1, int(match.group(1)))
    for band, low, high in _SIZE_BANDS:
        if low <= count <= high:
            return band
    raise ValueError(value)


_SPLIT = re.compile(r"[;,\n]+")


def split_values(value: str) -> list[str]:
    """A cell holding several emails or phones ('a@x.ru, b@x.ru')."""
    return [part.strip() for part in _SPLIT.split(value or "") if part.strip()]


def split_tags(value: str) -> list[str]:
    return [clean_text(part)[:60] for part in _SPLIT.split(value or "") if clean_text(part)]
