"""exporting: CSV/XLSX exports that round-trip and cannot run formulas in a spreadsheet (R13)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from voronka.crm.exporting import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, export_rows, spreadsheet_safe

DANGEROUS = ["=1+2", "+7 916 123-45-67", "-5", "@SUM(A1)", "\tcmd", "\rcmd", "=HYPERLINK(\"http://x\",\"y\")"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_prefixes_get_an_apostrophe(value: str) -> None:
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Anna", "", " =not first", "1+1", "'quoted", "Иванов", 42, None, Decimal("-5")])
def test_everything_else_is_unchanged(value: object) -> None:
    assert spreadsheet_safe(value) == value


def _csv(rows: list[list[object]], headers: list[str]) -> list[list[str]]:
    content, content_type, ext = export_rows(rows=rows, headers=headers, fmt="csv")
    assert (content_type, ext) == (CSV_CONTENT_TYPE, "csv")
    data = b"".join(content) if not isinstance(content, bytes) else content
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 Cyrillic correctly
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_export_is_safe_and_typed_values_are_plain() -> None:
    rows = [["=cmd|' /C calc'!A0", Decimal("1234.50"), dt.date(2024, 1, 31), None, True, "Иванов"]]
    assert _csv(rows, ["Name", "Amount", "Date", "Empty", "Flag", "Ru"]) == [
        ["Name", "Amount", "Date", "Empty", "Flag", "Ru"],
        ["'=cmd|' /C calc'!A0", "1234.50", "2024-01-31", "", "true", "Иванов"],
    ]


def test_csv_streams_in_chunks() -> None:
    content, _type, _ext = export_rows(rows=([str(n)] for n in range(2000)), headers=["n"], fmt="csv")
    chunks = list(content)
    assert len(chunks) > 2
    assert len(_csv([[str(n)] for n in range(2000)], ["n"])) == 2001


cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cell_text, min_size=3, max_size=3), max_size=20))
def test_csv_round_trips_except_quoted_cells(rows: list[list[str]]) -> None:
    # When any text is exported and read back
    back = _csv(rows, ["a", "b", "c"])[1:]
    # Then each cell is exactly the input, or the input behind one apostrophe when it would be a formula
    expected = [["'" + cell if cell.startswith(("=", "+", "-", "@", "\t", "\r")) else cell for cell in row]
                for row in rows]
    normalised_back = [[cell.replace("\r\n", "\n") for cell in row] for row in back]
    normalised_expected = [[cell.replace("\r\n", "\n") for cell in row] for row in expected]
    assert normalised_back == normalised_expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFFFF,
                                                        blacklist_categories=("Cs",)), max_size=20),
                         min_size=2, max_size=2), max_size=10))
def test_xlsx_round_trips_except_quoted_cells(rows: list[list[str]]) -> None:
    content, content_type, ext = export_rows(rows=rows, headers=["a", "b"], fmt="xlsx")
    assert (content_type, ext) == (XLSX_CONTENT_TYPE, "xlsx")
    assert isinstance(content, bytes)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    back = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)][1:]
    expected = [["'" + cell if cell.startswith(("=", "+", "-", "@")) else cell for cell in row] for row in rows]
    assert back[: len(expected)] == expected


def test_xlsx_cells_are_never_formulas() -> None:
    content, _type, _ext = export_rows(rows=[["=1+2", 5, Decimal("2.5"), dt.date(2024, 2, 3)]],
                                       headers=["=bad header", "n", "d", "date"], fmt="xlsx")
    assert isinstance(content, bytes)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["'=bad header", "n", "d", "date"]
    assert sheet["A2"].value == "'=1+2"
    assert sheet["A2"].data_type == "s"
    assert (sheet["B2"].value, sheet["C2"].value) == (5, 2.5)


def test_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        export_rows(rows=[], headers=[], fmt="pdf")
