"""Import and merge pages: upload → preview → confirm → progress; duplicates → confirm → merge."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Contact, ImportJob
from voronka.crm.tests.factories import make_contact, make_deal, make_pipeline

from .import_factories import csv_bytes, media, start

__all__ = ["media"]

ROWS = [["ФИО", "Телефон", "Почта", "ИНН"], ["Иванов Иван", "8 916 123-45-67", "ivan@example.ru", "7701"],
        ["Петрова Ольга", "+7 903 000 11 22", "не почта", "7702"]]


def test_upload_shows_the_preview_with_detection_and_guessed_mapping(org: Org, media, login_as) -> None:
    client = login_as(org.marketer)
    upload = SimpleUploadedFile("клиенты.csv", csv_bytes(ROWS, delimiter=";", encoding="cp1251"))
    response = client.post(reverse("crm:imports"), {"kind": "contacts", "file": upload})
    with workspace_scope(org.workspace):
        job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:import-detail", kwargs={"job_id": job.pk})
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<dd class="col-sm-9" id="import-encoding">cp1251</dd>' in html
    assert '<dd class="col-sm-9" id="import-delimiter">semicolon</dd>' in html
    assert "Иванов Иван" in html and "Петрова Ольга" in html
    assert '<option value="full_name" selected>' in html
    assert '<option value="phone" selected>' in html
    assert '<option value="email" selected>' in html
    assert html.count('<option value="" selected>') == 1  # ИНН is left out


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [(b"", "empty.csv", "The submitted file is empty."),
     (b"\x00\x01\x02binary", "x.csv", "This is not a text or spreadsheet file.")],
)
def test_bad_uploads_re_render_the_form_with_the_message(content, name, message, org: Org, media,
                                                         login_as) -> None:
    response = login_as(org.admin).post(reverse("crm:imports"),
                                        {"kind": "contacts", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == (400 if not content else 422)  # Django's own empty-file check, or ours
    assert message in response.content.decode()
    with workspace_scope(org.workspace):
        assert ImportJob.objects.count() == 0


def test_confirm_runs_the_import_and_the_progress_shows_counts_and_the_report(
    org: Org, media, login_as, django_capture_on_commit_callbacks
) -> None:
    client = login_as(org.admin)
    with workspace_scope(org.workspace):
        job = start(org.actor(org.admin), "contacts", csv_bytes(ROWS, delimiter=";"))
    # When the user confirms the mapping (ИНН left out)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("crm:import-confirm", kwargs={"job_id": job.pk}),
                               {"map-0": "full_name", "map-1": "phone", "map-2": "email", "map-3": ""})
    assert response.status_code == 302
    # Then the progress page shows the finished counts and the report link, and stops polling
    page = client.get(response["Location"]).content.decode()
    assert '<dd class="col-6 col-sm-9" id="import-created">1</dd>' in page
    assert '<dd class="col-6 col-sm-9" id="import-rejected">1</dd>' in page
    assert 'data-progress="100"' in page
    assert "hx-trigger" not in page
    report = client.get(reverse("crm:import-errors", kwargs={"job_id": job.pk}))
    assert report["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    assert report["X-Content-Type-Options"] == "nosniff"
    assert "не почта" in b"".join(report.streaming_content).decode("utf-8-sig")


def test_a_queued_job_polls_every_second(org: Org, media, login_as) -> None:
    with workspace_scope(org.workspace):
        job = start(org.actor(org.admin), "contacts", csv_bytes(ROWS))
        ImportJob.objects.filter(pk=job.pk).update(status="running", rows_total=200, rows_done=50)
    partial = login_as(org.admin).get(reverse("crm:import-progress", kwargs={"job_id": job.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert 'data-progress="25"' in partial


def test_confirm_without_a_required_column_shows_the_error(org: Org, media, login_as) -> None:
    with workspace_scope(org.workspace):
        job = start(org.actor(org.admin), "contacts", csv_bytes(ROWS))
    response = login_as(org.admin).post(reverse("crm:import-confirm", kwargs={"job_id": job.pk}),
                                        {"map-0": "", "map-1": "", "map-2": "", "map-3": ""})
    assert response.status_code == 422
    assert "A required column is missing" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "uploaded"


def test_import_list_query_count_does_not_grow(org: Org, media, login_as, django_assert_max_num_queries) -> None:
    client = login_as(org.admin)
    client.get(reverse("crm:imports"))
    with workspace_scope(org.workspace):
        for _ in range(5):
            start(org.actor(org.admin), "contacts", csv_bytes(ROWS))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("crm:imports"))
    baseline = len(few.captured_queries)  # read now: the next request resets Django's query log
    with workspace_scope(org.workspace):
        for _ in range(10):
            start(org.actor(org.admin), "contacts", csv_bytes(ROWS))
    with django_assert_max_num_queries(baseline):
        assert client.get(reverse("crm:imports")).content.decode().count("people.csv") == 15


def test_duplicates_page_confirm_and_merge(org: Org, login_as) -> None:
    with workspace_scope(org.workspace):
        pipeline = make_pipeline(org.workspace)
        keep = make_contact(org.workspace, org.rep, full_name="Twin", email="twin@example.com")
        drop = make_contact(org.workspace, org.rep, full_name="twin", city="Kazan")
        make_deal(pipeline, org.rep).contacts.add(drop)
    client = login_as(org.manager)
    page = client.get(reverse("crm:duplicates"))
    assert page.status_code == 200
    assert f'name="primary" value="{keep.pk}"' in page.content.decode()
    confirm = client.get(reverse("crm:merge"), {"entity": "contacts", "primary": keep.pk, "ids": [keep.pk, drop.pk]})
    assert confirm.status_code == 200
    assert "1 deal" in confirm.content.decode()
    done = client.post(reverse("crm:merge"), {"entity": "contacts", "primary": keep.pk, "ids": [keep.pk, drop.pk]})
    assert done.status_code == 302
    with workspace_scope(org.workspace):
        assert list(Contact.objects.values_list("pk", "city")) == [(keep.pk, "Kazan")]


def test_merge_page_with_an_invisible_record_is_not_found(org: Org, login_as) -> None:
    from voronka.accounts.models import Membership

    with workspace_scope(org.workspace):
        mine = make_contact(org.workspace, org.rep, full_name="Twin")
        hidden = make_contact(org.workspace, org.rep_south, full_name="Twin")
        Membership.objects.filter(user=org.manager).update(team=org.north)
    response = login_as(org.manager).post(reverse("crm:merge"),
                                          {"entity": "contacts", "primary": mine.pk, "ids": [mine.pk, hidden.pk]})
    assert response.status_code == 404
    with workspace_scope(org.workspace):
        assert Contact.objects.count() == 2
