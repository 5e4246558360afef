"""Helpers for the import, export, duplicate and merge tests: uploads, running a job, a private MEDIA_ROOT."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from voronka.accounts.actor import Actor
from voronka.crm.models import ImportJob
from voronka.crm.services.imports import import_confirm, import_run, import_start


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Uploads and reports go to a temporary directory, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield settings.MEDIA_ROOT


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def start(actor: Actor, kind: str, content: bytes, name: str = "people.csv",
          mapping: dict[str, str] | None = None) -> ImportJob:
    return import_start(actor=actor, kind=kind, uploaded_file=upload(content, name), mapping=mapping)


def run(actor: Actor, kind: str, content: bytes, name: str = "people.csv",
        mapping: dict[str, str] | None = None) -> ImportJob:
    """Upload, confirm (with the guessed or given mapping) and run the job in this process."""
    job = start(actor, kind, content, name, mapping)
    job = import_confirm(actor=actor, job=job, mapping=mapping or job.mapping)
    import_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
