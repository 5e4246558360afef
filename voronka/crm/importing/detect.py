"""What kind of file this is: spreadsheet or text, which encoding, which delimiter, which headers."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from typing import Any

from charset_normalizer import from_bytes

from .errors import ImportFileError

SAMPLE_BYTES = 64 * 1024
PREVIEW_ROWS = 10
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")
# charset-normalizer often answers one of these for Russian text in a single-byte encoding; Excel on
# Windows writes Windows-1251, so that is what such a file almost always is.
_CYRILLIC_SINGLE_BYTE = {
    "cp1251", "windows_1251", "koi8_r", "koi8_u", "mac_cyrillic", "cp866", "iso8859_5", "ptcp154", "kz1048",
    "cp1125", "cp855",
}


@dataclass(frozen=True)
class FileInfo:
    fmt: str  # "csv" or "xlsx"
    encoding: str  # "" for xlsx
    delimiter: str  # "" for xlsx
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)  # the first PREVIEW_ROWS data rows


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without a BOM: every other byte is NUL in mostly-ASCII text."""
    head = sample[:2000]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _valid_utf8(sample: bytes, complete: bool) -> bool:
    # The sample may end in the middle of a character: an incremental decoder tolerates that.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, *, complete: bool = False) -> str:
    """The encoding of a text sample; raises ImportFileError("binary") for anything that is not text."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        found = _utf16_without_bom(sample)
        if found:
            return found
        raise ImportFileError("binary")
    if _valid_utf8(sample, complete):
        return "utf-8"
    best = from_bytes(sample).best()
    guess = best.encoding.lower().replace("-", "_") if best is not None else ""
    if guess in _CYRILLIC_SINGLE_BYTE or not guess:
        try:
            sample.decode("cp1251")
        except UnicodeDecodeError:
            if not guess:
                raise ImportFileError("binary") from None
        else:
            return "cp1251"
    return guess


def _looks_binary(text: str) -> bool:
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n")
    return controls > max(2, len(text) // 100)


def _first_lines(text: str, limit: int = 50) -> list[str]:
    return [line for line in text.splitlines()[:limit] if line.strip()]


def _consistency(lines: list[str], delimiter: str) -> tuple[float, int]:
    """How well a delimiter splits the sample: share of rows with the header's width, and that width."""
    rows = list(csv.reader(lines, delimiter=delimiter))
    if not rows:
        return 0.0, 0
    width = len(rows[0])
    if width < 2:
        return 0.0, width
    # The last line of a sample may be cut short; don't let it vote.
    body = rows[1:-1] if len(rows) > 2 else rows[1:]
    if not body:
        return 1.0, width
    return sum(1 for row in body if len(row) == width) / len(body), width


def detect_delimiter(text: str) -> str:
    """, ; or tab: csv.Sniffer first, checked against (and, when it fails, replaced by) counting."""
    lines = _first_lines(text)
    if not lines:
        return ","
    scores = {delimiter: _consistency(lines, delimiter) for delimiter in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    best = max(DELIMITERS, key=lambda delimiter: (scores[delimiter][0] >= 0.9, scores[delimiter][1], scores[delimiter]))
    if sniffed in scores and scores[sniffed][0] >= 0.9 and scores[sniffed][1] >= scores[best][1]:
        return sniffed
    return best if scores[best][1] >= 2 else (sniffed or ",")


def _inspect_csv(stream: Any, size: int) -> FileInfo:
    sample = stream.read(SAMPLE_BYTES)
    complete = len(sample) >= size
    encoding = detect_encoding(sample, complete=complete)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        raise ImportFileError("undecodable", encoding=encoding) from None
    text = text.lstrip("\ufeff")
    if _looks_binary(text):
        raise ImportFileError("binary")
    if not complete and "\n" in text:
        text = text[: text.rfind("\n") + 1]  # drop the partial last line
    if not text.strip():
        raise ImportFileError("empty")
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportFileError("empty")
    headers = [cell.strip() for cell in rows[0]]
    return FileInfo("csv", encoding, delimiter, headers, [list(row) for row in rows[1 : 1 + PREVIEW_ROWS]])


def _inspect_xlsx(stream: Any) -> FileInfo:
    from .reader import iter_xlsx_rows

    rows: list[list[str]] = []
    for row in iter_xlsx_rows(stream):
        if any(cell.strip() for cell in row):
            rows.append(row)
        if len(rows) > PREVIEW_ROWS:
            break
    if not rows:
        raise ImportFileError("empty")
    return FileInfo("xlsx", "", "", [cell.strip() for cell in rows[0]], rows[1:])


def inspect_file(stream: Any, *, name: str, size: int, max_bytes: int) -> FileInfo:
    """Check an uploaded file and read its headers and first rows; the stream is left at its start."""
    if size <= 0:
        raise ImportFileError("empty")
    if size > max_bytes:
        raise ImportFileError("too_large", max_mb=max(1, max_bytes // (1024 * 1024)), max_bytes=max_bytes)
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    is_zip = head.startswith(ZIP_MAGIC)
    lower = name.lower()
    try:
        if lower.endswith((".xlsx", ".xlsm")) or is_zip:
            if not is_zip:
                raise ImportFileError("bad_xlsx")
            return _inspect_xlsx(stream)
        if lower.endswith((".xls", ".ods", ".numbers")):
            raise ImportFileError("unsupported_format")
        return _inspect_csv(stream, size)
    finally:
        stream.seek(0)
