"""Export of a list view: same rows as the list (R2), CSV and XLSX read back, formula cells quoted
(R13), attachment headers, an audit row per export, and the quota (R9)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from voronka.core.models import AuditEntry
from voronka.crm.listing import QUOTA_LIMIT
from voronka.crm.tests.factories import make_company
from voronka.crm.tests.lists_factories import OWNERS, seed


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def export(client, entity, fmt="csv", **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.post(f"{reverse('crm:list-export', args=[entity])}?{query}", {"fmt": fmt})


@pytest.mark.parametrize("role", ["rep", "rep_south", "manager", "admin"])
def test_a_csv_export_holds_exactly_the_visible_rows(org, login_as, role):
    seeded = seed(org)
    response = export(login_as(getattr(org, role)), "deals")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="deals-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = read_csv(response)
    visible = {"rep": ("rep",), "rep_south": ("rep_south",), "manager": ("manager", "rep", "rep_south"),
               "admin": OWNERS}[role]
    expected = {deal.title for owner in visible for deal in seeded.deals[owner]}
    assert rows[0][0] == "Title"
    assert {row[0] for row in rows[1:]} == expected


def test_export_uses_the_list_filters_and_sort(org, login_as):
    seed(org)
    rows = read_csv(export(login_as(org.admin), "deals", owner=org.rep.pk, sort="-amount"))
    assert [row[0] for row in rows[1:]] == ["rep deal 1", "rep deal 0"]


def test_xlsx_export_reads_back(org, login_as):
    make_company(org.workspace, org.rep, name="Ромашка", city="Москва")
    response = export(login_as(org.rep), "companies", fmt="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_xlsx(response)
    assert rows[0][:4] == ["Name", "Domain", "Industry", "City"]
    assert rows[1][0] == "Ромашка"
    assert rows[1][3] == "Москва"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells_are_quoted(org, login_as, fmt):
    make_company(org.workspace, org.rep, name="=HYPERLINK(\"http://x\")", city="+7 city")
    response = export(login_as(org.rep), "companies", fmt=fmt)
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][3] == "'+7 city"


def test_export_is_audited(org, login_as):
    seed(org)
    export(login_as(org.rep), "contacts", q="rep")
    entry = AuditEntry.objects.get(action="crm.export")
    assert entry.actor_id == org.rep.pk
    assert entry.diff["entity"] == "contacts"
    assert entry.diff["rows"] == 2
    assert entry.diff["filters"] == "q=rep"


def test_get_does_not_export(org, login_as):
    response = login_as(org.rep).get(reverse("crm:list-export", args=["deals"]))
    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="crm.export").exists()


def test_unknown_list_or_format_is_not_a_500(org, login_as):
    client = login_as(org.rep)
    assert client.post(reverse("crm:list-export", args=["users"]), {"fmt": "csv"}).status_code == 404
    assert client.post(reverse("crm:list-export", args=["deals"]), {"fmt": "exe"}).status_code == 400


def test_quota_gives_429(org, login_as):
    client = login_as(org.rep)
    for _ in range(QUOTA_LIMIT):
        assert export(client, "companies").status_code == 200
    response = export(client, "companies")
    assert response.status_code == 429
    assert AuditEntry.objects.filter(action="crm.export").count() == QUOTA_LIMIT
    # another user has their own quota
    assert export(login_as(org.rep_south), "companies").status_code == 200
