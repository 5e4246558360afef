"""Export rows as CSV or XLSX, safe to open in a spreadsheet (SECURITY.md R13).

A cell that starts with = + - @, a tab or a carriage return is a formula to Excel, LibreOffice and
Google Sheets; it gets a leading apostrophe so it shows as text. Everything else round-trips.
CSV is UTF-8 with a BOM so Excel opens Cyrillic correctly; large CSV exports stream.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, Literal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOM = "\ufeff"


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | Decimal | int | float):
        return str(value) if not isinstance(value, dt.datetime) else value.isoformat()
    return str(spreadsheet_safe(str(value)))


class _Line:
    """A file-like sink for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def take(self) -> str:
        value = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return value


def iter_csv(rows: Iterable[list[Any]], headers: list[str], *, batch: int = 500) -> Iterator[bytes]:
    """UTF-8 (with BOM) CSV in chunks of `batch` rows: the whole export is never held in memory."""
    sink = _Line()
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow([_csv_text(header) for header in headers])
    yield (_BOM + sink.take()).encode("utf-8")
    pending = 0
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        pending += 1
        if pending >= batch:
            yield sink.take().encode("utf-8")
            pending = 0
    tail = sink.take()
    if tail:
        yield tail.encode("utf-8")


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        # Excel has no time zones: write the naive UTC wall time.
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    return spreadsheet_safe(str(value))


def xlsx_bytes(rows: Iterable[list[Any]], headers: list[str]) -> bytes:
    """An .xlsx written with openpyxl's write-only mode (rows are streamed into the archive)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([spreadsheet_safe(str(header)) for header in headers])
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def export_rows(
    *, rows: Iterable[list[Any]], headers: list[str], fmt: Literal["csv", "xlsx"] | str
) -> tuple[bytes | Iterator[bytes], str, str]:
    """(content or a streaming iterator of chunks, content type, file extension) for a list export."""
    if fmt == "csv":
        return iter_csv(rows, headers), CSV_CONTENT_TYPE, "csv"
    if fmt == "xlsx":
        return xlsx_bytes(rows, headers), XLSX_CONTENT_TYPE, "xlsx"
    raise ValueError(f"Unknown export format: {fmt!r}")
