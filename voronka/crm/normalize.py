"""Normalising the keys duplicates are matched on. Pure functions: no Django, no database."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers

_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str:
    """Trimmed and lower-cased; '' when it is not an email address."""
    value = value or ""
    # Printable text has no whitespace but the ASCII space: the regex only runs when it can change something.
    if " " in value or not value.isprintable():
        value = _SPACES.sub("", value)
    value = value.lower()
    return value if _EMAIL.match(value) and len(value) <= 254 else ""


def normalize_phone(value: str, default_region: str = "RU") -> str:
    """E.164 (+79161234567); '' when it cannot be a phone number."""
    raw = (value or "").strip()
    if not raw or len(raw) > 40:
        return ""
    if raw.startswith("8") and default_region == "RU" and len(re.sub(r"\D", "", raw)) == 11:
        raw = "+7" + re.sub(r"\D", "", raw)[1:]  # Russian trunk prefix: 8 916 … is +7 916 …
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_domain(value: str) -> str:
    """'https://www.Example.com/about' → 'example.com'; '' when there is no host."""
    raw = (value or "").strip().lower()
    if not raw:
        return ""
    if "://" not in raw:
        raw = "http://" + raw
    try:
        host = urlsplit(raw).hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    return host if "." in host and len(host) <= 200 else ""


@lru_cache(maxsize=65_536)  # imports name the same few companies on many rows
def name_key(value: str) -> str:
    """Case- and space-insensitive key for names: 'ООО  Ромашка ' → 'ооо ромашка'."""
    return _SPACES.sub(" ", (value or "").strip()).casefold()[:200]
