"""The pure parsing layer: encodings, delimiters, headers, values (no database)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from voronka.crm.importing import ImportFileError, RowError, guess_mapping, inspect_file, iter_rows, unique_headers
from voronka.crm.importing.detect import detect_delimiter, detect_encoding
from voronka.crm.importing.fields import missing_required
from voronka.crm.importing.records import contact_record, deal_record, fast_phone
from voronka.crm.importing.values import (
    parse_age_band,
    parse_date,
    parse_decimal,
    parse_gender,
    parse_percent,
    parse_size_band,
)
from voronka.crm.normalize import normalize_phone

from .import_factories import csv_bytes, xlsx_bytes

ROWS = [["ФИО", "Телефон", "E-mail"], ["Иванов Иван", "+7 916 123-45-67", "ivan@example.ru"],
        ["Петрова Ольга", "8 (903) 000-11-22", "olga@example.ru"]]
LIMIT = 10 * 1024 * 1024


def _inspect(content: bytes, name: str = "people.csv"):
    return inspect_file(io.BytesIO(content), name=name, size=len(content), max_bytes=LIMIT)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1251", "cp1251")],
)
def test_each_encoding_is_detected_and_cyrillic_reads_back(encoding: str, expected: str) -> None:
    # Given the same Russian rows saved in an encoding Excel or another CRM writes
    content = csv_bytes(ROWS, delimiter=";", encoding=encoding)
    # When the file is inspected
    info = _inspect(content)
    # Then the encoding is named and the headers and names read correctly
    assert info.encoding == expected
    assert info.headers == ["ФИО", "Телефон", "E-mail"]
    assert info.rows[0][0] == "Иванов Иван"
    rows = list(iter_rows(io.BytesIO(content), fmt="csv", encoding=info.encoding, delimiter=info.delimiter))
    assert rows == ROWS


def test_utf16_without_bom_is_recognised() -> None:
    content = "Name,Email\nAnna,anna@example.com\n".encode("utf-16-le")
    assert detect_encoding(content, complete=True) == "utf-16-le"


def test_utf8_is_preferred_when_valid_and_koi8_lookalikes_become_cp1251() -> None:
    # A short cp1251 sample that charset-normalizer may take for KOI8-R or MacCyrillic
    sample = "Имя;Город\nСергей;Москва\nАнна;Тверь\n".encode("cp1251")
    assert detect_encoding(sample, complete=True) == "cp1251"
    assert detect_encoding("Имя;Город\n".encode(), complete=True) == "utf-8"


def test_utf8_sample_cut_inside_a_character_is_still_utf8() -> None:
    # Given a sample that ends in the middle of a two-byte Cyrillic letter
    sample = ("Имя\n" + "Ж" * 100).encode()[:-1]
    # Then it is still UTF-8 (the file goes on)
    assert detect_encoding(sample, complete=False) == "utf-8"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_detected(delimiter: str) -> None:
    rows = [["Name", "Amount", "Date"], ["Anna", "1 234,50", "01.02.2024"], ["Boris", "10,5", "2024-03-04"]]
    info = _inspect(csv_bytes(rows, delimiter=delimiter))
    assert info.delimiter == delimiter
    assert info.headers == ["Name", "Amount", "Date"]
    assert info.rows[0] == ["Anna", "1 234,50", "01.02.2024"]


def test_semicolon_file_with_decimal_commas_is_not_taken_for_comma_separated() -> None:
    text = "Название;Сумма;Бюджет\nСделка 1;1 234,50;10,00\nСделка 2;99,99;1,5\n"
    assert detect_delimiter(text) == ";"


def test_single_column_file_falls_back_to_comma() -> None:
    assert detect_delimiter("Email\na@example.com\nb@example.com\n") == ","


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.csv", "empty"),
        (b"\n\n  \n", "blank.csv", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "picture.csv", "binary"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "program.exe", "binary"),
        (b"Name,Email\nAnna,a@b.c\n", "fake.xlsx", "bad_xlsx"),
        (b"PK\x03\x04not really a zip", "broken.xlsx", "bad_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls", "unsupported_format"),
    ],
)
def test_files_that_cannot_be_imported_get_a_code(content: bytes, name: str, code: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        _inspect(content, name)
    assert caught.value.code == code


def test_oversized_file_is_refused_before_reading() -> None:
    content = csv_bytes(ROWS)
    with pytest.raises(ImportFileError) as caught:
        inspect_file(io.BytesIO(content), name="x.csv", size=len(content), max_bytes=len(content) - 1)
    assert caught.value.code == "too_large"


def test_xlsx_headers_and_typed_cells_read_as_text() -> None:
    content = xlsx_bytes([["Компания", "Сумма", "Дата закрытия", "Телефон"],
                          ["Ромашка", 1234.5, dt.datetime(2024, 5, 6), 79161234567]])
    info = _inspect(content, "deals.xlsx")
    assert (info.fmt, info.encoding, info.delimiter) == ("xlsx", "", "")
    assert info.headers == ["Компания", "Сумма", "Дата закрытия", "Телефон"]
    assert info.rows == [["Ромашка", "1234.5", "2024-05-06", "79161234567"]]


@pytest.mark.parametrize(
    ("kind", "headers", "expected"),
    [
        ("contacts", ["ФИО", "Моб. телефон", "E-mail", "Компания", "Должность", "Город", "ИНН"],
         ["full_name", "phone", "email", "company", "position", "city", ""]),
        ("contacts", ["Имя", "Фамилия", "Почта", "Организация", "Сайт", "Ответственный"],
         ["first_name", "last_name", "email", "company", "company_domain", "owner"]),
        # amoCRM / Bitrix24 contact export
        ("contacts", ["Полное имя", "Рабочий телефон", "Мобильный телефон", "Рабочий email", "Теги"],
         ["full_name", "phone", "phone", "email", "tags"]),
        # HubSpot
        ("contacts", ["First Name", "Last Name", "Email Address", "Phone Number", "Company Name", "Job Title"],
         ["first_name", "last_name", "email", "phone", "company", "position"]),
        ("companies", ["Название", "Сайт", "Отрасль", "Число сотрудников", "ИНН"],
         ["name", "domain", "industry", "size_band", ""]),
        # Pipedrive deals
        ("deals", ["Deal - Title", "Deal - Value", "Deal - Organization", "Deal - Stage", "Deal - Expected close date"],
         ["title", "amount", "company", "stage", "expected_close_date"]),
        ("deals", ["Название сделки", "Бюджет", "Сумма", "Этап", "Ответственный"],
         ["title", "amount", "", "stage", "owner"]),
    ],
)
def test_headers_are_guessed_in_english_and_russian(kind: str, headers: list[str], expected: list[str]) -> None:
    assert list(guess_mapping(kind, headers).values()) == expected


def test_duplicate_and_blank_headers_get_unique_names() -> None:
    assert unique_headers(["Телефон", "", "телефон", "Телефон"]) == ["Телефон", "Column 2", "телефон (2)",
                                                                      "Телефон (3)"]


def test_required_columns_per_kind() -> None:
    assert missing_required("contacts", {"Город": "city"}) == [("full_name", "first_name", "last_name", "email",
                                                                 "phone")]
    assert missing_required("contacts", {"Телефон": "phone"}) == []
    assert missing_required("companies", {"Сайт": "domain"}) == [("name",)]
    assert missing_required("deals", {"Сумма": "amount"}) == [("title",)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1 234,50", Decimal("1234.50")), ("1\u00a0234,5", Decimal("1234.5")), ("1,234.50", Decimal("1234.50")),
     ("1.234,50", Decimal("1234.50")), ("1234.5", Decimal("1234.5")), ("10 000 ₽", Decimal("10000")),
     ("1,234,567", Decimal("1234567")), ("-5,5", Decimal("-5.5")), ("", None)],
)
def test_decimal_commas_and_thousands(raw: str, expected: Decimal | None) -> None:
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1,2,3.4.5", "NaN", "Infinity"])
def test_junk_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("31.12.2024", dt.date(2024, 12, 31)), ("2024-12-31", dt.date(2024, 12, 31)),
     ("2024-12-31 10:00:00", dt.date(2024, 12, 31)), ("31/12/2024", dt.date(2024, 12, 31)),
     ("01.02.24", dt.date(2024, 2, 1)), ("", None)],
)
def test_dates(raw: str, expected: dt.date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31.02.2024", "tomorrow", "12.31.2024", "0001-01-01"])
def test_bad_dates_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_date(raw)


def test_small_value_parsers() -> None:
    assert [parse_percent(v) for v in ("50", "50%", "0,5", "")] == [50, 50, 50, None]
    assert [parse_size_band(v) for v in ("120", "1000+", "51-200", "1–9")] == ["50-249", "1000+", "50-249", "1-9"]
    assert [parse_gender(v) for v in ("М", "жен", "female", "")] == ["m", "f", "f", ""]
    assert [parse_age_band(v) for v in ("37", "55+", "25-34", "")] == ["35-44", "55+", "25-34", ""]
    with pytest.raises(ValueError):
        parse_percent("150")


@pytest.mark.parametrize("raw", ["+7 916 123-45-67", "8 (916) 123 45 67", "+7 495 1234567", "89031234567",
                                 "+7 700 123 4567", "+44 20 7946 0958", "not a phone"])
def test_fast_phone_agrees_with_normalize_phone(raw: str) -> None:
    assert fast_phone(raw) == normalize_phone(raw)


def test_contact_record_normalises_and_splits_cells() -> None:
    columns = {"full_name": [0], "phone": [1, 2], "email": [3]}
    record = contact_record(2, ["  Иванов Иван ", "8 916 123-45-67", "+7 916 1234567; +7 903 000 11 22",
                                "Ivan@Example.RU, ivan2@example.ru"], columns)
    assert record.values["full_name"] == "Иванов Иван"
    assert record.phones == ["+79161234567", "+79030001122"]
    assert record.emails == ["ivan@example.ru", "ivan2@example.ru"]


def test_contact_name_is_built_from_parts_or_falls_back_to_email() -> None:
    parts = contact_record(2, ["Иван", "Иванов", "Петрович"], {"first_name": [0], "last_name": [1],
                                                                "middle_name": [2]})
    assert parts.values["full_name"] == "Иванов Иван Петрович"
    only_email = contact_record(3, ["a@example.com"], {"email": [0]})
    assert (only_email.values["full_name"], only_email.values["fallback_name"]) == ("", "a@example.com")


@pytest.mark.parametrize(
    ("row", "code"),
    [(["", "", ""], "no_name"), (["Anna", "not-an-email", ""], "bad_email"), (["Anna", "", "12"], "bad_phone"),
     (["A" * 201, "", ""], "too_long")],
)
def test_bad_contact_rows_say_why(row: list[str], code: str) -> None:
    with pytest.raises(RowError) as caught:
        contact_record(2, row, {"full_name": [0], "email": [1], "phone": [2]})
    assert caught.value.code == code


def test_deal_record_parses_money_dates_and_percent() -> None:
    columns = {"title": [0], "amount": [1], "expected_close_date": [2], "probability": [3]}
    record = deal_record(2, ["Поставка", "1 234,56", "15.07.2025", "40%"], columns)
    assert record.values["amount"] == Decimal("1234.56")
    assert record.values["expected_close_date"] == dt.date(2025, 7, 15)
    assert record.values["probability"] == 40
    with pytest.raises(RowError) as caught:
        deal_record(3, ["Поставка", "много", "", ""], columns)
    assert caught.value.code == "bad_number"
