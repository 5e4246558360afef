"""The imports API end to end: upload with confirm=true, status, the error report, refusals."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Contact, ImportJob
from voronka.crm.tests.factories import make_contact

from .import_factories import csv_bytes, media

__all__ = ["media"]

ROWS = [["Name", "Email"], ["Anna", "anna@example.com"], ["Bad", "nope"]]


def _post(client: Client, headers: dict[str, str], **data: object) -> object:
    data.setdefault("file", SimpleUploadedFile("people.csv", csv_bytes(ROWS)))
    data.setdefault("kind", "contacts")
    return client.post("/api/v1/imports", data=data, headers=headers)


def test_upload_with_confirm_runs_and_reports(org: Org, media, bearer: Callable[..., dict[str, str]],
                                              django_capture_on_commit_callbacks) -> None:
    headers = bearer(org.admin, org.workspace)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, headers, confirm="true")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["encoding"], body["delimiter"], body["mapping"]) == (
        "queued", "utf-8", ",", {"Name": "full_name", "Email": "email"})
    status = client.get(f"/api/v1/imports/{body['id']}", headers=headers).json()
    assert {key: status[key] for key in ("status", "rows_total", "rows_done", "rows_created", "rows_updated",
                                         "rows_rejected", "progress")} == {
        "status": "done", "rows_total": 2, "rows_done": 2, "rows_created": 1, "rows_updated": 0,
        "rows_rejected": 1, "progress": 100}
    assert status["error_report_url"] == f"/api/v1/imports/{body['id']}/errors"
    report = client.get(status["error_report_url"], headers=headers)
    assert report.status_code == 200
    assert report["Content-Disposition"] == f'attachment; filename="import-{body["id"]}-errors.csv"'
    assert report["X-Content-Type-Options"] == "nosniff"
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == ["Name,Email,line,reason", "Bad,nope,3,Not an email address: “nope”."]


def test_upload_then_confirm_with_an_edited_mapping(org: Org, media, bearer, django_capture_on_commit_callbacks):
    headers = bearer(org.marketer, org.workspace)
    client = Client()
    rows = [["Col A", "Col B"], ["Anna", "anna@example.com"]]
    job = _post(client, headers, file=SimpleUploadedFile("x.csv", csv_bytes(rows))).json()
    assert job["mapping"] == {"Col A": "", "Col B": ""}
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/api/v1/imports/{job['id']}/confirm", content_type="application/json",
                                data={"mapping": {"Col A": "full_name", "Col B": "email"}}, headers=headers)
    assert confirmed.status_code == 200
    with workspace_scope(org.workspace):
        assert list(Contact.objects.values_list("full_name", "email")) == [("Anna", "anna@example.com")]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [({"mapping": "{not json"}, 422, "validation_error"),
     ({"mapping": json.dumps({"Name": "password"})}, 422, "import_bad_mapping"),
     ({"kind": "invoices"}, 422, "import_bad_kind"),
     ({"file": SimpleUploadedFile("e.csv", b"")}, 422, "import_empty"),
     ({"confirm": "true", "mapping": json.dumps({"Name": ""})}, 422, "import_missing_column")],
)
def test_refusals_are_json_errors_and_store_nothing(data, status, code, org: Org, media, bearer) -> None:
    response = _post(Client(), bearer(org.admin, org.workspace), **data)
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    with workspace_scope(org.workspace):
        assert ImportJob.objects.count() == 0


def test_oversized_upload_is_413(org: Org, media, bearer, settings) -> None:
    settings.CRM_IMPORT_MAX_BYTES = 100
    response = _post(Client(), bearer(org.admin, org.workspace),
                     file=SimpleUploadedFile("big.csv", csv_bytes([["Name"], *[["x" * 50]] * 5])))
    assert (response.status_code, response.json()["code"]) == (413, "import_too_large")


def test_list_is_own_and_its_query_count_does_not_grow(org: Org, media, bearer,
                                                       django_assert_max_num_queries) -> None:
    client = Client()
    admin_headers = bearer(org.admin, org.workspace)
    marketer_headers = bearer(org.marketer, org.workspace)
    _post(client, marketer_headers)
    _post(client, admin_headers)
    assert client.get("/api/v1/imports", headers=marketer_headers).json()["count"] == 1
    assert client.get("/api/v1/imports", headers=admin_headers).json()["count"] == 2
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/imports", headers=admin_headers)
    baseline = len(few.captured_queries)  # read now: the next request resets Django's query log
    for _ in range(5):
        _post(client, admin_headers)
    with django_assert_max_num_queries(baseline):
        assert len(client.get("/api/v1/imports", headers=admin_headers).json()["items"]) == 7


def test_duplicates_api_lists_groups(org: Org, bearer) -> None:
    with workspace_scope(org.workspace):
        a = make_contact(org.workspace, org.rep, full_name="Twin", email="t@example.com")
        b = make_contact(org.workspace, org.rep, full_name="twin")
    body = Client().get("/api/v1/duplicates/contacts", headers=bearer(org.manager, org.workspace)).json()
    assert body["count"] == 1
    assert [record["id"] for record in body["items"][0]["records"]] == [a.pk, b.pk]
    assert body["items"][0]["records"][0]["email"] == "t@example.com"
