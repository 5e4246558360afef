"""API shapes of imports: the job as the client sees it, and the mapping it confirms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from voronka.core.api import Text

API_PREFIX = "/api/v1"


class ImportRead(Schema):
    id: int
    kind: str
    status: str
    original_name: str
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str]
    rows_total: int
    rows_done: int
    rows_created: int
    rows_updated: int
    rows_rejected: int
    progress: int = Field(description="Percent of rows done, 0–100.")
    message: str
    error_report_url: str | None = Field(description="The CSV of rejected rows with a reason for each, when any.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_progress(job: Any) -> int:
        if job.status == "done":
            return 100
        return min(99, job.rows_done * 100 // job.rows_total) if job.rows_total else 0

    @staticmethod
    def resolve_error_report_url(job: Any) -> str | None:
        return f"{API_PREFIX}/imports/{job.pk}/errors" if job.error_report else None


class ImportConfirm(Schema):
    mapping: dict[Text, Text] = Field(
        description="Column header → field name; an empty string leaves the column out.", max_length=500
    )
