"""Uploaded import files hold people's personal data: they are kept only CRM_IMPORT_RETENTION_DAYS.

A periodic job (crm.tasks.purge_import_uploads, registered in CrmConfig.ready) deletes the stored upload
of every finished import older than that. The job row stays, with its counts, its message, its file
hash and its error report, so the import history and the "already imported" hint keep working.
An upload never confirmed within the same time is closed as failed and its file deleted too.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import ngettext

from ...models import ImportJob, ImportStatus

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    return max(1, int(getattr(settings, "CRM_IMPORT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)))


def _close_abandoned(job: ImportJob, now: dt.datetime) -> bool:
    with translation.override(job.workspace.language or settings.LANGUAGE_CODE):
        days = retention_days()
        message = ngettext("Not confirmed within %(days)s day: the uploaded file was deleted.",
                           "Not confirmed within %(days)s days: the uploaded file was deleted.", days) % {"days": days}
    return bool(ImportJob.unscoped.filter(pk=job.pk, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.FAILED, finished_at=now, message=message, updated_at=now))


def import_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the stored uploads of imports finished (or left unconfirmed) before the retention period.

    Runs across every workspace (a job), so it uses the unscoped manager; safe to run twice.
    Returns how many uploads were deleted.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    finished = Q(status__in=[ImportStatus.DONE, ImportStatus.FAILED], finished_at__lt=cutoff)
    abandoned = Q(status=ImportStatus.UPLOADED, created_at__lt=cutoff)
    purged = 0
    jobs = ImportJob.unscoped.filter(finished | abandoned).exclude(file="").select_related("workspace")
    for job in jobs.only("id", "file", "status", "workspace__language"):
        if job.status == ImportStatus.UPLOADED and not _close_abandoned(job, now):
            continue  # confirmed at this very moment: it runs, and its file stays until it is finished
        try:
            job.file.storage.delete(job.file.name)
        except OSError:
            logger.exception("Could not delete the upload of import %s; the next run tries again", job.pk)
            continue
        ImportJob.unscoped.filter(pk=job.pk).update(file="", updated_at=now)
        purged += 1
    if purged:
        logger.info("Deleted %s import uploads older than %s days", purged, retention_days())
    return purged
