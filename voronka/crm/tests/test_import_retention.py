"""services.imports.retention: uploaded files are deleted after CRM_IMPORT_RETENTION_DAYS; the history stays."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import Org
from voronka.core.schedule import periodic_jobs
from voronka.core.scoping import workspace_scope
from voronka.crm.models import ImportJob
from voronka.crm.services.imports import import_uploads_purge, retention_days
from voronka.crm.tasks import purge_import_uploads

from .import_factories import csv_bytes, media, run, start

__all__ = ["media"]

ROWS = [["Name", "Email"], ["Anna", "anna@example.ru"], ["Boris", "not an email"]]


def _finished(org: Org, *, days_ago: int) -> ImportJob:
    job = run(org.actor(org.admin), "contacts", csv_bytes(ROWS))
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=days_ago))
    job.refresh_from_db()
    return job


def test_the_upload_of_an_old_finished_import_is_deleted_and_its_history_kept(org: Org, scoped, media) -> None:
    # Given an import finished 31 days ago, with an error report
    job = _finished(org, days_ago=31)
    upload, report = job.file.name, job.error_report.name
    storage = job.file.storage
    assert storage.exists(upload) and report
    # When the retention job runs
    assert import_uploads_purge() == 1
    # Then the upload is gone; the job row, its counts, its hash and its report stay
    job.refresh_from_db()
    assert not storage.exists(upload)
    assert (job.file.name, job.status, job.rows_created, job.rows_rejected) == ("", "done", 1, 1)
    assert job.file_sha256 and job.error_report.name == report and storage.exists(report)


def test_recent_running_and_queued_imports_keep_their_uploads(org: Org, scoped, media) -> None:
    # Given a recent finished import, and old ones still queued or running
    recent = _finished(org, days_ago=29)
    queued = start(org.actor(org.admin), "contacts", csv_bytes(ROWS))
    running = start(org.actor(org.admin), "contacts", csv_bytes(ROWS))
    long_ago = timezone.now() - dt.timedelta(days=90)
    ImportJob.objects.filter(pk=queued.pk).update(status="queued", created_at=long_ago)
    ImportJob.objects.filter(pk=running.pk).update(status="running", created_at=long_ago, started_at=long_ago)
    # When the retention job runs
    assert import_uploads_purge() == 0
    # Then every upload is still there
    for job in (recent, queued, running):
        job.refresh_from_db()
        assert job.file.name and job.file.storage.exists(job.file.name)


def test_an_upload_never_confirmed_is_closed_and_deleted(org: Org, scoped, media) -> None:
    # Given an upload left at the mapping step 31 days ago, in an English-speaking workspace
    type(org.workspace).objects.filter(pk=org.workspace.pk).update(language="en")
    job = start(org.actor(org.admin), "contacts", csv_bytes(ROWS))
    upload = job.file.name
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    # When the retention job runs
    assert import_uploads_purge() == 1
    # Then the job is closed as failed with a message in the workspace's language, and the file is gone
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("failed", "")
    assert job.finished_at is not None
    assert job.message == "Not confirmed within 30 days: the uploaded file was deleted."
    assert not job.file.storage.exists(upload)


def test_the_retention_follows_the_setting_and_runs_twice_safely(org: Org, scoped, media, settings) -> None:
    settings.CRM_IMPORT_RETENTION_DAYS = 7
    job = _finished(org, days_ago=8)
    assert retention_days() == 7
    assert import_uploads_purge() == 1
    assert import_uploads_purge() == 0
    job.refresh_from_db()
    assert job.file.name == ""


def test_every_workspace_is_purged_by_the_periodic_task(org: Org, other_org: Org, media) -> None:
    # Given an old finished import in each of two workspaces
    jobs = []
    for each in (org, other_org):
        with workspace_scope(each.workspace):
            jobs.append(_finished(each, days_ago=40))
    # When the registered periodic task runs (outside any workspace, as the scheduler runs it)
    registered = {job.name: job for job in periodic_jobs()}["crm.purge_import_uploads"]
    assert registered.task is purge_import_uploads
    assert registered.every == dt.timedelta(hours=6)
    purge_import_uploads.call()
    # Then both uploads are gone
    assert list(ImportJob.unscoped.filter(pk__in=[job.pk for job in jobs]).values_list("file", flat=True)) == ["", ""]
