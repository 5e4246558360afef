"""Starting an import: check and store the upload, guess the mapping, show a preview, confirm and queue."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, ErrorCode
from voronka.core.tasks import enqueue_on_commit

from ... import importing
from ...importing.fields import FIELDS, MULTI_FIELDS, missing_required
from ...models import ImportJob, ImportKind, ImportStatus, Pipeline
from .messages import FIELD_LABELS, file_error_message

HOURLY_QUOTA = 20
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def max_import_bytes() -> int:
    return int(getattr(settings, "CRM_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def file_format(job: ImportJob) -> str:
    return "xlsx" if (job.file.name or "").lower().endswith(".xlsx") else "csv"


def _check_quota(actor: Actor) -> None:
    since = timezone.now() - dt.timedelta(hours=1)
    if ImportJob.objects.filter(user=actor.user, created_at__gte=since).count() >= HOURLY_QUOTA:
        raise ApplicationError(
            _("You have started %(count)s imports in the last hour. Try again later.") % {"count": HOURLY_QUOTA},
            code=ErrorCode.THROTTLED, status=429,
        )


def _kind(kind: str) -> str:
    if kind not in ImportKind.values:
        raise ApplicationError(_("Choose what to import: companies, contacts or deals."), code="import_bad_kind",
                               status=422,
                               fields={"kind": [_("Choose companies, contacts or deals.")]})
    return kind


def validate_mapping(*, kind: str, headers: list[str], mapping: dict[str, Any]) -> dict[str, str]:
    """A complete header → field mapping, or ApplicationError naming what is wrong."""
    if not isinstance(mapping, dict):
        raise ApplicationError(_("The column mapping is not valid."), code="import_bad_mapping", status=422,
                               fields={"mapping": [_("Send an object of column → field.")]})
    allowed = set(FIELDS[kind])
    problems: list[str] = []
    unknown_columns = [str(header) for header in mapping if header not in headers]
    if unknown_columns:
        problems.append(_("The file has no column named %(names)s.") % {"names": ", ".join(unknown_columns[:5])})
    cleaned: dict[str, str] = {}
    seen: set[str] = set()
    for header in headers:
        name = mapping.get(header) or ""
        if not isinstance(name, str) or (name and name not in allowed):
            problems.append(_("“%(name)s” is not a field you can import into.") % {"name": str(name)[:40]})
            continue
        if name and name not in MULTI_FIELDS and name in seen:
            problems.append(_("Two columns map to %(field)s; choose one.") % {"field": FIELD_LABELS[name]})
        seen.add(name)
        cleaned[header] = name
    if problems:
        raise ApplicationError(_("The column mapping is not valid."), code="import_bad_mapping", status=422,
                               fields={"mapping": problems})
    missing = missing_required(kind, cleaned)
    if missing:
        names = " / ".join(str(FIELD_LABELS[name]) for name in missing[0])
        raise ApplicationError(
            _("A required column is missing: map a column to %(fields)s.") % {"fields": names},
            code="import_missing_column", status=422,
            fields={"mapping": [_("Map a column to %(fields)s.") % {"fields": names}]},
        )
    return cleaned


@transaction.atomic
def import_start(*, actor: Actor, kind: str, uploaded_file: UploadedFile,
                 mapping: dict[str, Any] | None = None) -> ImportJob:
    """Check an upload, store it with what was detected, and wait for the mapping to be confirmed."""
    actor.require(Capability.CRM_IMPORT)
    _kind(kind)
    _check_quota(actor)
    name = (uploaded_file.name or "import.csv")[-255:]
    try:
        info = importing.inspect_file(uploaded_file, name=name, size=uploaded_file.size or 0,
                                      max_bytes=max_import_bytes())
    except importing.ImportFileError as error:
        status = 413 if error.code == "too_large" else 422
        raise ApplicationError(file_error_message(error), code=f"import_{error.code}", status=status,
                               fields={"file": [file_error_message(error)]}) from None
    headers = importing.unique_headers(info.headers)
    guessed = importing.guess_mapping(kind, headers)
    chosen = validate_mapping(kind=kind, headers=headers, mapping=mapping) if mapping else guessed
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    job = ImportJob(
        workspace=actor.workspace, user=actor.user, kind=kind, original_name=name, file_sha256=digest.hexdigest(),
        encoding=info.encoding, delimiter=info.delimiter, headers=headers, mapping=chosen,
    )
    job.file.save(f"{uuid.uuid4().hex}.{info.fmt}", File(uploaded_file), save=False)
    try:
        job.save()
    except Exception:
        job.file.delete(save=False)
        raise
    return job


def import_preview_rows(*, job: ImportJob, limit: int = 10) -> list[list[str]]:
    """The first data rows of a stored upload, for the preview page (read only)."""
    rows: list[list[str]] = []
    with job.file.open("rb") as stream:
        try:
            for index, row in enumerate(importing.iter_rows(stream, fmt=file_format(job), encoding=job.encoding,
                                                             delimiter=job.delimiter)):
                if index == 0 or not any(cell.strip() for cell in row):
                    continue
                rows.append((row + [""] * len(job.headers))[: len(job.headers)])
                if len(rows) >= limit:
                    break
        except importing.ImportFileError:
            pass  # the run reports it; the preview shows what could be read
    return rows


@transaction.atomic
def import_confirm(*, actor: Actor, job: ImportJob, mapping: dict[str, Any]) -> ImportJob:
    """Fix the column mapping and queue the run (after commit)."""
    actor.require(Capability.CRM_IMPORT)
    ensure_same_workspace(actor, job)
    cleaned = validate_mapping(kind=job.kind, headers=list(job.headers), mapping=mapping)
    if job.kind == ImportKind.DEALS and not Pipeline.objects.exists():
        raise ApplicationError(_("Create a pipeline before importing deals."), code="import_no_pipeline")
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.QUEUED, mapping=cleaned, updated_at=timezone.now()
    )
    if not updated:
        raise ApplicationError(_("This import has already been started."), code="import_not_pending", status=409)
    from ...tasks import run_import

    enqueue_on_commit(run_import, job_id=job.pk)
    job.refresh_from_db()
    return job
