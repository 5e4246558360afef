"""Running an import (the task body): stream the stored file in chunks, apply each chunk in one
transaction, report the rejected rows, record the outcome."""

from __future__ import annotations

import csv
import gc
import logging
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, actor_for
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.db import refresh_planner_statistics

from ... import importing
from ...exporting import spreadsheet_safe
from ...importing.reader import not_blank
from ...importing.records import BUILDERS, Record, check_readable
from ...models import Company, Contact, ContactPoint, Deal, ImportJob, ImportKind, ImportStatus, StageTransition
from .companies import apply_companies
from .contacts import apply_contacts
from .deals import apply_deals
from .matching import RunContext, serialize_chunk
from .messages import file_error_message, row_error_message
from .starting import file_format

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000

APPLY = {ImportKind.CONTACTS: apply_contacts, ImportKind.COMPANIES: apply_companies, ImportKind.DEALS: apply_deals}
LOADED_TABLES: dict[ImportKind, tuple[type[Model], ...]] = {
    ImportKind.CONTACTS: (Contact, ContactPoint, Company),
    ImportKind.COMPANIES: (Company,),
    ImportKind.DEALS: (Deal, StageTransition, Company),
}


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while one chunk is read and written (reference counting still frees).

    A chunk allocates tens of thousands of small containers (rows, records, groups) that all live until
    the chunk is written; each automatic collection meanwhile walks every object of the process, which
    measured about a fifth of a large import's time. They are freed by reference counting when the
    chunk ends, so pausing the collector leaves nothing behind (the same idea as Mercurial's util.nogc).
    Counted, so two imports in two threads of one process leave the collector as they found it.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _numbered_rows(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for line, row in enumerate(rows, start=2):
        if not_blank(row):
            yield line, row


class _Report:
    """The rejected rows with their reasons, written as they come (spreadsheet-safe cells)."""

    def __init__(self, headers: list[str]) -> None:
        self.file = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 — closed in close()
        self.headers = headers
        self.count = 0
        line_header = "line" if "line" not in headers else "line (report)"
        reason_header = "reason" if "reason" not in headers else "reason (report)"
        self._write([*headers, line_header, reason_header])

    def _write(self, cells: list[str]) -> None:
        sink = _LineSink()
        safe = [spreadsheet_safe(cell) for cell in cells]
        csv.writer(sink, lineterminator="\r\n").writerow(safe)  # lint: allow R13 — every cell made safe above
        prefix = "\ufeff" if not self.file.tell() else ""
        self.file.write((prefix + sink.text).encode("utf-8"))

    def add(self, row: list[str], line: int, reason: str) -> None:
        padded = (row + [""] * len(self.headers))[: max(len(self.headers), len(row))]
        self._write([*padded[: len(self.headers)], str(line), reason])
        self.count += 1

    def close(self) -> None:
        self.file.close()


class _LineSink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, value: str) -> int:
        self.text += value
        return len(value)


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, message=message[:500],
                                               finished_at=timezone.now(), updated_at=timezone.now())


# After this many rows the planner's statistics are refreshed (see core.db).
LARGE_IMPORT_ROWS = 10_000


def import_run(*, job_id: int) -> None:
    """Run a queued import (the task body): chunked, resumable by re-import, a no-op when not queued."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now(),
                                                   updated_at=timezone.now())
    actor = actor_for(user=job.user, workspace_id=job.workspace_id) if job.user_id else None  # type: ignore[arg-type]
    language = actor.workspace.language if actor else settings.LANGUAGE_CODE
    with translation.override(language):
        if actor is None or not actor.can(Capability.CRM_IMPORT):
            _fail(job.pk, _("The user who started this import may no longer import."))
            return
        try:
            _run(actor, job)
        except importing.ImportFileError as error:
            _fail(job.pk, file_error_message(error))
        except Exception:
            logger.exception("Import %s failed", job.pk)
            _fail(job.pk, _("The import stopped because of an internal error. Rows imported so far are kept."))


def _run(actor: Actor, job: ImportJob) -> None:
    kind = job.kind
    headers = list(job.headers)
    columns: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        name = (job.mapping or {}).get(header) or ""
        if name:
            columns.setdefault(name, []).append(index)
    region = "RU"
    builder = BUILDERS[kind]
    apply = APPLY[ImportKind(kind)]
    ctx = RunContext(actor, job)
    fmt = file_format(job)
    report = _Report(headers)
    done = created = updated = 0
    try:
        with job.file.open("rb") as stream:
            total = importing.count_rows(stream, fmt=fmt, encoding=job.encoding, delimiter=job.delimiter)
            ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
            rows = importing.iter_rows(stream, fmt=fmt, encoding=job.encoding, delimiter=job.delimiter)
            next(rows, None)  # the header
            numbered = _numbered_rows(rows)
            while True:
                with gc_paused():
                    chunk = list(islice(numbered, CHUNK_ROWS))
                    if not chunk:
                        break
                    records: list[Record] = []
                    by_line: dict[int, list[str]] = {}
                    for line, row in chunk:
                        by_line[line] = row
                        try:
                            check_readable(row)
                            records.append(builder(line, row, columns, region=region))
                        except importing.RowError as error:
                            report.add(row, line, row_error_message(error))
                    with transaction.atomic():
                        serialize_chunk()
                        outcome = apply(ctx, records)
                        done += len(chunk)
                        created += outcome.created
                        updated += outcome.updated
                        for line, reason in outcome.rejected:
                            report.add(by_line[line], line, reason)
                        ImportJob.objects.filter(pk=job.pk).update(
                            rows_done=done, rows_created=created, rows_updated=updated, rows_rejected=report.count,
                            updated_at=timezone.now(),
                        )
        with transaction.atomic():
            job.refresh_from_db()
            if report.count:
                report.file.seek(0)
                job.error_report.save(f"{uuid.uuid4().hex}-errors.csv", File(report.file), save=False)
            job.status = ImportStatus.DONE
            job.rows_total = done
            job.finished_at = timezone.now()
            job.message = _("%(created)s created, %(updated)s updated, %(rejected)s rejected.") % {
                "created": created, "updated": updated, "rejected": report.count,
            }
            job.save()
            audit_record(
                action="crm.import", actor=actor.user, target=job,
                diff={"kind": kind, "file": job.original_name, "rows": done, "created": created, "updated": updated,
                      "rejected": report.count},
            )
    finally:
        report.close()
    if done >= LARGE_IMPORT_ROWS:
        refresh_planner_statistics(*LOADED_TABLES[ImportKind(kind)])  # outside the transaction: after a bulk load
