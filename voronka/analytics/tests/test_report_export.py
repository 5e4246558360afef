"""Report exports: CSV and XLSX read back with exact values, formula cells quoted (R13), only the
rows the actor may see (R2), an audit row each (R17), the shared export quota (R9), bad input refused."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from voronka.core.models import AuditEntry
from voronka.crm.listing import QUOTA_LIMIT
from voronka.crm.models import Deal

from .channel_fixtures import build_quarter

QUERY = {"metrics": ["revenue", "deals_won"], "slices": ["channel"], "granularity": "total", "period": "custom",
         "date_from": "2026-04-01", "date_to": "2026-06-30"}


def export(client, fmt="csv", **changes):
    return client.post(reverse("analytics:report-export"), {**QUERY, **changes, "fmt": fmt})


def read_csv(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())  # Excel opens UTF-8 with a BOM
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_holds_the_table(org, login_as):
    build_quarter(org)
    response = export(login_as(org.admin))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="report-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert read_csv(response) == [
        ["Sales channel", "Revenue, RUB", "Deals won"],
        ["Partners", "20000.00", "1"],
        ["Shop", "15000.00", "2"],
        ["(not set)", "1000.00", "1"],
    ]


def test_xlsx_holds_numbers_as_numbers(org, login_as):
    build_quarter(org)
    response = export(login_as(org.admin), fmt="xlsx", metrics=["revenue", "win_rate", "sales_cycle"])
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = read_xlsx(response)
    assert rows[0] == ["Sales channel", "Revenue, RUB", "Win rate, %", "Median sales cycle, days"]
    assert rows[1:] == [
        ["Partners", 20000, 100, 29.6],
        ["Shop", 15000, 66.67, 33],
        ["(not set)", 1000, 100, 34],
    ]


def test_a_time_series_exports_its_period_column(org, login_as):
    build_quarter(org)
    rows = read_csv(export(login_as(org.admin), metrics=["revenue"], slices=[], granularity="month"))
    assert rows == [["Period", "Revenue, RUB"], ["2026-04", "10000.00"], ["2026-05", "6000.00"],
                    ["2026-06", "20000.00"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_like_labels_are_quoted(org, login_as, fmt):
    build_quarter(org)
    Deal.unscoped.filter(amount=Decimal("20000")).update(lead_source='=HYPERLINK("http://x")')
    Deal.unscoped.filter(amount=Decimal("5000")).update(lead_source="+7 partner")
    response = export(login_as(org.admin), fmt=fmt, metrics=["revenue"], slices=["lead_source"])
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    labels = [row[0] for row in rows[1:]]
    assert labels[:2] == ["'=HYPERLINK(\"http://x\")", "(not set)"]
    assert "'+7 partner" in labels


@pytest.mark.parametrize(("role", "expected"), [
    ("rep", [["Shop", "15000.00"], ["(not set)", "1000.00"]]),
    ("rep_south", [["Partners", "20000.00"], ["Shop", "0.00"]]),  # South's Shop deal was lost
    ("manager", [["Partners", "20000.00"], ["Shop", "15000.00"], ["(not set)", "1000.00"]]),
])
def test_an_export_holds_only_what_the_actor_may_see(org, login_as, role, expected):
    build_quarter(org)
    rows = read_csv(export(login_as(getattr(org, role)), metrics=["revenue"]))
    assert rows[1:] == expected


def test_every_export_is_audited(org, login_as):
    build_quarter(org)
    export(login_as(org.rep), fmt="xlsx")
    entry = AuditEntry.objects.get(action="analytics.report.export")
    assert entry.actor_id == org.rep.pk
    assert entry.workspace_id == org.workspace.pk
    assert entry.diff["format"] == "xlsx"
    assert entry.diff["rows"] == 2
    assert entry.diff["spec"]["metrics"] == ["revenue", "deals_won"]


def test_the_quota_is_shared_with_list_exports(org, login_as):
    client = login_as(org.rep)
    for _ in range(QUOTA_LIMIT - 1):
        AuditEntry.objects.create(action="crm.export", actor=org.rep, workspace=org.workspace)
    assert export(client).status_code == 200
    refused = export(client)
    assert refused.status_code == 429
    assert AuditEntry.objects.filter(action="analytics.report.export").count() == 1


@pytest.mark.parametrize(("changes", "status", "message"), [
    ({"fmt": "pdf"}, 400, "Choose CSV or XLSX."),
    ({"metrics": ["bogus"]}, 422, "Unknown metric: bogus."),
    ({"date_to": "2026-01-01"}, 422, "The period ends before it starts."),
    ({"metrics": []}, 400, "Choose at least one metric."),
])
def test_bad_exports_are_refused_and_not_audited(org, login_as, changes, status, message):
    fmt = changes.pop("fmt", "csv")
    response = export(login_as(org.rep), fmt=fmt, **changes)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not AuditEntry.objects.filter(action="analytics.report.export").exists()


def test_export_needs_a_post(org, login_as):
    assert login_as(org.rep).get(reverse("analytics:report-export")).status_code == 405
