"""Stream the rows of a CSV or XLSX file as lists of strings; nothing loads the whole file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .errors import ImportFileError

# A single cell larger than this is not a CRM field; csv's default (128 KiB) is kept explicit.
csv.field_size_limit(1024 * 1024)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == 0 and not value.microsecond:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store phone numbers and ids as floats: 79161234567.0 → "79161234567".
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def iter_xlsx_rows(stream: Any) -> Iterator[list[str]]:
    """Rows of the first worksheet, as text."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError("bad_xlsx") from None
    try:
        if not workbook.worksheets:
            raise ImportFileError("empty")
        sheet = workbook.worksheets[0]
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in values]
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
            raise ImportFileError("bad_xlsx") from None
    finally:
        workbook.close()


def iter_csv_rows(stream: Any, *, encoding: str, delimiter: str) -> Iterator[list[str]]:
    # A stray byte the encoding cannot read becomes U+FFFD, and that one row is rejected (not the file).
    text = io.TextIOWrapper(stream, encoding=encoding or "utf-8", errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter or ",")
    first = True
    try:
        for row in reader:
            if first and row:
                row[0] = row[0].lstrip("\ufeff")
                first = False
            if "\x00" in "".join(row):
                raise ImportFileError("binary")
            yield row
    except csv.Error as error:
        raise ImportFileError("bad_csv", line=reader.line_num, detail=str(error)) from None
    finally:
        text.detach()


def iter_rows(stream: Any, *, fmt: str, encoding: str = "", delimiter: str = "") -> Iterator[list[str]]:
    """Every row of the file, header first."""
    if fmt == "xlsx":
        return iter_xlsx_rows(stream)
    return iter_csv_rows(stream, encoding=encoding, delimiter=delimiter)


def not_blank(row: list[str]) -> bool:
    """Some cell holds more than whitespace (one join is cheaper than a strip per cell)."""
    return bool("".join(row).strip())


def count_rows(stream: Any, *, fmt: str, encoding: str = "", delimiter: str = "") -> int:
    """Non-blank data rows (header excluded); the stream is rewound."""
    total = -1
    for row in iter_rows(stream, fmt=fmt, encoding=encoding, delimiter=delimiter):
        if not_blank(row):
            total += 1
    stream.seek(0)
    return max(total, 0)
