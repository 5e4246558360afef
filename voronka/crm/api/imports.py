"""crm API: imports (multipart upload → job, confirm, progress, error report) and the duplicate finder.

Parse, resolve through access, call one service, render; the rules live in services.imports.
"""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

import json
from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES, Pagination
from voronka.core.errors import ApplicationError, ErrorCode, NotFoundError
from voronka.core.idempotency import idempotent

from ..access import access_import_job
from ..models import ImportJob
from ..schemas.imports import ImportConfirm, ImportRead
from ..schemas.merge import DuplicateGroupRead, DuplicatePageRead, DuplicateRecord
from ..selectors.duplicates import DuplicatePage, company_duplicate_groups, contact_duplicate_groups
from ..selectors.imports import import_job_list
from ..services.imports import import_confirm, import_start

router = Router(tags=["crm:imports"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _mapping(raw: str | None) -> dict[str, Any] | None:
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ApplicationError(_message(), code=ErrorCode.VALIDATION,
                               fields={"mapping": [_message()]})
    return value


def _message() -> str:
    from django.utils.translation import gettext as _

    return _("Send the mapping as a JSON object of column → field name.")


@router.post("/imports", response={201: ImportRead, **ERROR_RESPONSES})
@idempotent
def import_create_api(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    mapping: Form[str | None] = None,
    confirm: Form[bool] = False,
) -> Status:
    """Upload a CSV or XLSX of `companies`, `contacts` or `deals`.

    The answer shows the detected encoding, delimiter, headers and the guessed `mapping`. Confirm it
    with `POST /imports/{id}/confirm`, or send `confirm=true` (with an optional `mapping` JSON object)
    to start at once. At most 20 imports per user per hour (429 `throttled`).
    """
    actor = _actor(request)
    chosen = _mapping(mapping)
    job = import_start(actor=actor, kind=kind, uploaded_file=file, mapping=chosen)
    if confirm:
        job = import_confirm(actor=actor, job=job, mapping=dict(job.mapping))
    return Status(201, job)


@router.get("/imports", response={200: list[ImportRead], **ERROR_RESPONSES})
@paginate(Pagination)
def import_list_api(request: HttpRequest) -> QuerySet[ImportJob]:
    """Your imports, newest first (administrators see everyone's)."""
    actor = _actor(request)
    actor.require(Capability.CRM_IMPORT)
    return import_job_list(actor=actor)


@router.get("/imports/{import_id}", response={200: ImportRead, **ERROR_RESPONSES})
def import_get_api(request: HttpRequest, import_id: int) -> ImportJob:
    """Status and counts of one import, with the link to its error report."""
    actor = _actor(request)
    actor.require(Capability.CRM_IMPORT)
    return access_import_job(actor=actor, job_id=import_id)


@router.post("/imports/{import_id}/confirm", response={200: ImportRead, **ERROR_RESPONSES})
def import_confirm_api(request: HttpRequest, import_id: int, payload: ImportConfirm) -> ImportJob:
    """Fix the column mapping and start the import in the background."""
    actor = _actor(request)
    actor.require(Capability.CRM_IMPORT)
    job = access_import_job(actor=actor, job_id=import_id)
    return import_confirm(actor=actor, job=job, mapping=dict(payload.mapping))


@router.get("/imports/{import_id}/errors", response={200: None, **ERROR_RESPONSES})
def import_errors_api(request: HttpRequest, import_id: int) -> FileResponse:
    """The rejected rows as CSV, each with the reason (an attachment)."""
    actor = _actor(request)
    actor.require(Capability.CRM_IMPORT)
    job = access_import_job(actor=actor, job_id=import_id)
    if not job.error_report:
        raise NotFoundError()
    response = FileResponse(job.error_report.open("rb"), as_attachment=True,
                            filename=f"import-{job.pk}-errors.csv", content_type="text/csv; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- duplicates ------------------------------------------------------------------------------


class DuplicateQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


def _page_read(page: DuplicatePage) -> DuplicatePageRead:
    groups = []
    for group in page.groups:
        records = []
        for record in group.records:
            owner = getattr(record, "owner", None)
            company = getattr(record, "company", None)
            records.append(DuplicateRecord(
                id=record.pk, name=str(record), email=getattr(record, "email", ""),
                phone=getattr(record, "phone", ""), domain=getattr(record, "domain", ""),
                company=company.name if company is not None else "",
                owner=(owner.full_name or owner.email) if owner is not None else "",
            ))
        groups.append(DuplicateGroupRead(reason=group.reason, key=group.key, records=records))
    return DuplicatePageRead(items=groups, count=page.total, limit=page.limit, offset=page.offset)


@router.get("/duplicates/contacts", response={200: DuplicatePageRead, **ERROR_RESPONSES})
def contact_duplicates_api(request: HttpRequest, query: Query[DuplicateQuery]) -> DuplicatePageRead:
    """Groups of contacts you can see that share an email, a phone, or a name at one company."""
    actor = _actor(request)
    actor.require(Capability.CRM_MERGE)
    return _page_read(contact_duplicate_groups(actor=actor, limit=query.limit, offset=query.offset))


@router.get("/duplicates/companies", response={200: DuplicatePageRead, **ERROR_RESPONSES})
def company_duplicates_api(request: HttpRequest, query: Query[DuplicateQuery]) -> DuplicatePageRead:
    """Groups of companies you can see that share a domain or a name."""
    actor = _actor(request)
    actor.require(Capability.CRM_MERGE)
    return _page_read(company_duplicate_groups(actor=actor, limit=query.limit, offset=query.offset))
