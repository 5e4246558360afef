"""Importing a CSV through the pages in a real browser: upload, check the mapping, start, see the counts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "ФИО;Телефон;E-mail;Компания\r\nИванов Иван;8 916 123-45-67;ivan@example.ru;Ромашка\r\n" \
      "Петрова Ольга;+7 903 000-11-22;not-an-email;Ромашка\r\nСидоров Пётр;;petr@example.ru;Лютик\r\n"


def test_import_a_windows_1251_csv_through_the_page(page, live_server, people, log_in, csp_violations, settings,
                                                    tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Given an admin on the import page with a Russian Excel CSV (Windows-1251, semicolons)
    log_in(people.admin_email, people.password)
    page.goto(f"{live_server.url}/crm/imports/")
    page.select_option("#id_kind", "contacts")
    page.set_input_files("#id_file", files=[{"name": "клиенты.csv", "mimeType": "text/csv",
                                              "buffer": CSV.encode("cp1251")}])
    page.click("#import-upload button[type=submit]")
    # Then the preview names the encoding and delimiter, shows the rows and the guessed fields
    expect(page.locator("#import-encoding")).to_have_text("cp1251")
    expect(page.locator("#import-delimiter")).to_have_text("semicolon")
    expect(page.locator("#import-preview")).to_contain_text("Петрова Ольга")
    expect(page.locator("#id_map-0")).to_have_value("full_name")
    expect(page.locator("#id_map-2")).to_have_value("email")
    # When the mapping is confirmed
    page.click("#import-start")
    # Then the progress card shows the finished counts and offers the rejected rows
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "done")
    expect(page.locator("#import-created")).to_have_text("2")
    expect(page.locator("#import-rejected")).to_have_text("1")
    expect(page.locator("#import-report")).to_be_visible()
    # the bar's width is set by imports.js once htmx has settled the swap: wait for it, don't race it
    page.wait_for_function("() => document.querySelector('.progress-bar').style.width === '100%'", timeout=5000)
    assert csp_violations == []
