"""One row of a file → one validated, normalised record (pure: no database; matching happens later)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from voronka.crm.normalize import name_key, normalize_domain, normalize_email, normalize_phone

from .errors import RowError
from .values import (
    clean_text,
    parse_age_band,
    parse_date,
    parse_decimal,
    parse_gender,
    parse_percent,
    parse_size_band,
    split_tags,
    split_values,
)

MAX_LENGTHS = {
    "full_name": 200, "first_name": 100, "last_name": 100, "position": 120, "company": 200, "city": 100,
    "lead_source": 100, "name": 200, "industry": 100, "country": 100, "region": 100, "title": 200,
    "pipeline": 120, "stage": 120, "external_id": 100,
}
MAX_AMOUNT = Decimal("99999999999999.99")
_RU_FAST = re.compile(r"^(?:\+7|8)(\d{10})$")
_PHONE_NOISE = re.compile(r"[\s()\-.\u00a0]")


def fast_phone(value: str) -> str:
    """normalize_phone with a shortcut for the common Russian forms (+7 916 …, 8 916 …), same result."""
    compact = _PHONE_NOISE.sub("", value)
    match = _RU_FAST.match(compact)
    if match and match.group(1)[0] in "3489":
        return "+7" + match.group(1)
    return normalize_phone(value)


Columns = dict[str, list[int]]  # field → column indices


@dataclass
class Record:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    owner: str = ""  # as typed: an email or a member's name

    def point_keys(self) -> list[tuple[str, str]]:
        return [("email", email) for email in self.emails] + [("phone", phone) for phone in self.phones]


def _cells(row: list[str], columns: Columns, name: str) -> list[str]:
    indices = columns.get(name)
    if not indices:
        return []
    size = len(row)
    # `cell and not cell.isspace()` is `cell.strip()` without building the stripped copy.
    return [row[index] for index in indices if index < size and row[index] and not row[index].isspace()]


def _clean(cell: str) -> str:
    # Printable text has no control characters or line breaks, so clean_text would only strip it.
    return cell.strip() if cell.isprintable() else clean_text(cell)


def _text(row: list[str], columns: Columns, name: str) -> str:
    indices = columns.get(name)
    if not indices:
        return ""
    size = len(row)
    for index in indices:
        if index < size:
            cell = row[index]
            if cell and not cell.isspace():
                value = _clean(cell)
                limit = MAX_LENGTHS.get(name)
                if limit and len(value) > limit:
                    raise RowError("too_long", field=name, limit=limit)
                return value
    return ""


def _parsed(row: list[str], columns: Columns, name: str, parser: Any, code: str) -> Any:
    if name not in columns:
        return None
    raw = _text(row, columns, name)
    if not raw:
        return None
    try:
        return parser(raw)
    except (ValueError, ArithmeticError):
        raise RowError(code, field=name, value=raw[:50]) from None


def _money(row: list[str], columns: Columns, name: str) -> Decimal | None:
    value = _parsed(row, columns, name, parse_decimal, "bad_number")
    if not isinstance(value, Decimal):
        return None
    if abs(value) > MAX_AMOUNT:
        raise RowError("bad_number", field=name, value=str(value)[:50])
    return value.quantize(Decimal("0.01"))


def _parts(cell: str) -> list[str]:
    if "," in cell or ";" in cell or "\n" in cell:
        return split_values(cell)
    part = cell.strip()
    return [part] if part else []


def _points(row: list[str], columns: Columns, email_field: str, phone_field: str,
            region: str) -> tuple[list[str], list[str]]:
    emails: list[str] = []
    for cell in _cells(row, columns, email_field):
        for part in _parts(cell):
            email = normalize_email(part)
            if not email:
                raise RowError("bad_email", field=email_field, value=part[:60])
            if email not in emails:
                emails.append(email)
    phones: list[str] = []
    for cell in _cells(row, columns, phone_field):
        for part in _parts(cell):
            phone = fast_phone(part) if region == "RU" else normalize_phone(part, region)
            if not phone:
                raise RowError("bad_phone", field=phone_field, value=part[:40])
            if phone not in phones:
                phones.append(phone)
    return emails, phones


def _common(record: Record, row: list[str], columns: Columns) -> None:
    record.owner = _text(row, columns, "owner")
    if "tags" in columns:
        record.tags = [tag for cell in _cells(row, columns, "tags") for tag in split_tags(cell)]


UNREADABLE = "\ufffd"


def check_readable(row: list[str]) -> None:
    if UNREADABLE in "".join(row):
        raise RowError("undecodable_row")


def contact_record(line: int, row: list[str], columns: Columns, *, region: str = "RU") -> Record:
    record = Record(line)
    first, last = _text(row, columns, "first_name"), _text(row, columns, "last_name")
    middle = _text(row, columns, "middle_name")
    full = _text(row, columns, "full_name") or " ".join(part for part in (last, first, middle) if part)
    record.emails, record.phones = _points(row, columns, "email", "phone", region)
    # A row with only an email or phone is named after it, but that stand-in never replaces a real name.
    fallback = record.emails[0] if record.emails else record.phones[0] if record.phones else ""
    if not full and not fallback:
        raise RowError("no_name")
    if len(full) > MAX_LENGTHS["full_name"]:
        raise RowError("too_long", field="full_name", limit=MAX_LENGTHS["full_name"])
    company = _text(row, columns, "company")
    domain_raw = _text(row, columns, "company_domain")
    domain = normalize_domain(domain_raw) if domain_raw else ""
    record.values = {
        "full_name": full, "fallback_name": fallback, "first_name": first, "last_name": last,
        "position": _text(row, columns, "position"),
        "city": _text(row, columns, "city"), "lead_source": _text(row, columns, "lead_source"),
        "age_band": _parsed(row, columns, "age_band", parse_age_band, "bad_choice") or "",
        "gender": _parsed(row, columns, "gender", parse_gender, "bad_choice") or "",
        "company": company, "company_key": name_key(company), "company_domain": domain,
    }
    _common(record, row, columns)
    return record


def company_record(line: int, row: list[str], columns: Columns, *, region: str = "RU") -> Record:
    record = Record(line)
    name = _text(row, columns, "name")
    domain_raw = _text(row, columns, "domain")
    domain = normalize_domain(domain_raw) if domain_raw else ""
    if domain_raw and not domain:
        raise RowError("bad_domain", field="domain", value=domain_raw[:60])
    if not name:
        raise RowError("no_company_name")
    record.values = {
        "name": name, "name_key": name_key(name), "domain": domain, "industry": _text(row, columns, "industry"),
        "size_band": _parsed(row, columns, "size_band", parse_size_band, "bad_choice") or "",
        "country": _text(row, columns, "country"), "region": _text(row, columns, "region"),
        "city": _text(row, columns, "city"), "annual_revenue": _money(row, columns, "annual_revenue"),
    }
    _common(record, row, columns)
    return record


def deal_record(line: int, row: list[str], columns: Columns, *, region: str = "RU") -> Record:
    record = Record(line)
    title = _text(row, columns, "title")
    if not title:
        raise RowError("no_title")
    amount = _money(row, columns, "amount")
    cost = _money(row, columns, "cost")
    if (amount is not None and amount < 0) or (cost is not None and cost < 0):
        raise RowError("negative", field="amount" if amount is not None and amount < 0 else "cost")
    record.emails, record.phones = _points(row, columns, "contact_email", "contact_phone", region)
    company = _text(row, columns, "company")
    record.values = {
        "title": title, "amount": amount, "cost": cost, "company": company, "company_key": name_key(company),
        "company_domain": "",
        "pipeline": _text(row, columns, "pipeline"), "stage": _text(row, columns, "stage"),
        "expected_close_date": _parsed(row, columns, "expected_close_date", parse_date, "bad_date"),
        "probability": _parsed(row, columns, "probability", parse_percent, "bad_percent"),
        "lead_source": _text(row, columns, "lead_source"), "external_id": _text(row, columns, "external_id"),
    }
    _common(record, row, columns)
    return record


BUILDERS = {"contacts": contact_record, "companies": company_record, "deals": deal_record}
