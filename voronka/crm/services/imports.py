"""Importing companies, contacts and deals from CSV/XLSX (issue 3 item 4; SECURITY.md R9, R14, R22).

import_start checks and stores the upload and guesses the mapping; import_confirm queues the run;
import_run (the task body) streams the file in chunks: each row is validated and normalised without
the database (crm.importing), then each chunk is matched with one query and written with
bulk_create / bulk_update in one transaction. Matching updates instead of creating, so the same file
twice creates nothing new; rows that fail go to a CSV report with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voronka.accounts.actor import Actor, actor_for, ensure_same_workspace
from voronka.accounts.models import Membership
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.db import refresh_planner_statistics
from voronka.core.errors import ApplicationError, ErrorCode
from voronka.core.tasks import enqueue_on_commit

from .. import importing
from ..exporting import spreadsheet_safe
from ..importing.fields import FIELDS, MULTI_FIELDS, missing_required
from ..importing.records import BUILDERS, Record, check_readable
from ..models import (
    Company,
    Contact,
    ContactPoint,
    Deal,
    ImportJob,
    ImportKind,
    ImportStatus,
    Pipeline,
    PointKind,
    Stage,
    StageKind,
    StageTransition,
    Tag,
)

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
HOURLY_QUOTA = 20
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# Distinguishes our advisory locks from anyone else's on PostgreSQL.
_LOCK_CLASS = 0x56524B49  # "VRKI"

FIELD_LABELS: dict[str, Any] = {
    "": gettext_lazy("— do not import —"),
    "name": gettext_lazy("Name"),
    "domain": gettext_lazy("Website / domain"),
    "industry": gettext_lazy("Industry"),
    "size_band": gettext_lazy("Size (employees)"),
    "country": gettext_lazy("Country"),
    "region": gettext_lazy("Region"),
    "city": gettext_lazy("City"),
    "annual_revenue": gettext_lazy("Annual revenue"),
    "owner": gettext_lazy("Owner (email or name)"),
    "tags": gettext_lazy("Tags"),
    "full_name": gettext_lazy("Full name"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "middle_name": gettext_lazy("Middle name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "position": gettext_lazy("Position"),
    "company": gettext_lazy("Company"),
    "company_domain": gettext_lazy("Company website"),
    "age_band": gettext_lazy("Age"),
    "gender": gettext_lazy("Gender"),
    "lead_source": gettext_lazy("Lead source"),
    "title": gettext_lazy("Deal title"),
    "amount": gettext_lazy("Amount"),
    "cost": gettext_lazy("Cost"),
    "contact_email": gettext_lazy("Contact email"),
    "contact_phone": gettext_lazy("Contact phone"),
    "pipeline": gettext_lazy("Pipeline"),
    "stage": gettext_lazy("Stage"),
    "expected_close_date": gettext_lazy("Expected close date"),
    "probability": gettext_lazy("Probability, %"),
    "external_id": gettext_lazy("External id"),
}


def max_import_bytes() -> int:
    return int(getattr(settings, "CRM_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


_FILE_MESSAGES: dict[str, Any] = {
    "empty": gettext_lazy("The file is empty: there is no header row and no data."),
    "binary": gettext_lazy("This is not a text or spreadsheet file. Upload a CSV or an XLSX file."),
    "too_large": gettext_lazy("The file is larger than %(max_mb)s MB. Split it into smaller files."),
    "bad_xlsx": gettext_lazy("The file could not be read as an Excel (XLSX) workbook. Save it again as XLSX or CSV."),
    "unsupported_format": gettext_lazy(
        "Old Excel (XLS) and other spreadsheet formats are not supported: save the file as XLSX or CSV."
    ),
    "undecodable": gettext_lazy("The file's text encoding could not be read. Save it as CSV in UTF-8."),
    "bad_csv": gettext_lazy("Line %(line)s of the CSV file is malformed."),
}

_ROW_MESSAGES: dict[str, Any] = {
    "too_long": gettext_lazy("%(field)s is longer than %(limit)s characters."),
    "bad_number": gettext_lazy("%(field)s is not a number: “%(value)s”."),
    "bad_date": gettext_lazy("%(field)s is not a date (use dd.mm.yyyy or yyyy-mm-dd): “%(value)s”."),
    "bad_percent": gettext_lazy("%(field)s must be a percentage from 0 to 100: “%(value)s”."),
    "bad_choice": gettext_lazy("%(field)s has a value that is not one of the choices: “%(value)s”."),
    "bad_email": gettext_lazy("Not an email address: “%(value)s”."),
    "bad_phone": gettext_lazy("Not a phone number: “%(value)s”."),
    "bad_domain": gettext_lazy("Not a website or domain: “%(value)s”."),
    "negative": gettext_lazy("%(field)s cannot be negative."),
    "undecodable_row": gettext_lazy("The row has characters that are not valid in the file's encoding."),
    "no_name": gettext_lazy("The row has no name, email or phone."),
    "no_company_name": gettext_lazy("The row has no company name."),
    "no_title": gettext_lazy("The row has no deal title."),
    "not_visible": gettext_lazy("A matching record exists but belongs to someone whose records you cannot see."),
    "unknown_pipeline": gettext_lazy("There is no pipeline named “%(value)s”."),
    "unknown_stage": gettext_lazy("The pipeline has no stage named “%(value)s”."),
}


def _format(template: Any, params: dict[str, Any]) -> str:
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def file_error_message(error: importing.ImportFileError) -> str:
    return _format(_FILE_MESSAGES.get(error.code, gettext_lazy("The file could not be read.")), error.params)


def row_error_message(error: importing.RowError) -> str:
    params = dict(error.params)
    if "field" in params:
        params["field"] = str(FIELD_LABELS.get(params["field"], params["field"]))
    return _format(_ROW_MESSAGES.get(error.code, gettext_lazy("The row could not be imported.")), params)


# --- starting and confirming ------------------------------------------------------------------


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
            for index, row in enumerate(importing.iter_rows(stream, fmt=_fmt(job), encoding=job.encoding,
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
    from ..tasks import run_import

    enqueue_on_commit(run_import, job_id=job.pk)
    job.refresh_from_db()
    return job


# --- running ------------------------------------------------------------------------------------


def _fmt(job: ImportJob) -> str:
    return "xlsx" if (job.file.name or "").lower().endswith(".xlsx") else "csv"


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


@dataclass
class _Group:
    """Rows of one chunk that describe the same record: the first creates, later ones update it."""

    record: Record
    lines: list[int]
    keys: list[tuple[str, str]]


class _Context:
    """What a run looks up once: members for the owner column, pipelines, companies and tags seen so far."""

    def __init__(self, actor: Actor, job: ImportJob) -> None:
        self.actor = actor
        self.job = job
        self.now = timezone.now()
        self.can_assign = actor.can(Capability.CRM_ASSIGN)
        self.members: dict[str, tuple[int, int | None]] = {}
        own_team: int | None = actor.membership.team_id
        for user_id, team_id, email, full_name in Membership.objects.filter(is_active=True).values_list(
            "user_id", "team_id", "user__email", "user__full_name"
        ):
            self.members[email.casefold()] = (user_id, team_id)
            if full_name:
                self.members.setdefault(full_name.casefold().strip(), (user_id, team_id))
        self.default_owner = (actor.user.pk, own_team)
        self.companies: dict[tuple[str, str], int] = {}
        self.tags: dict[str, int] = {}
        self._pipelines: list[Pipeline] | None = None
        self._stages: dict[int, list[Stage]] = {}

    def owner(self, typed: str) -> tuple[int, int | None]:
        if typed and self.can_assign:
            found = self.members.get(typed.casefold().strip())
            if found:
                return found
        return self.default_owner

    def visible(self, owner_id: int | None, team_id: int | None) -> bool:
        return self.actor.viewer.can_see(owner_id=owner_id, team_id=team_id)

    def pipelines(self) -> list[Pipeline]:
        if self._pipelines is None:
            self._pipelines = list(Pipeline.objects.order_by("-is_default", "order", "id"))
            for stage in Stage.objects.order_by("order", "id"):
                self._stages.setdefault(stage.pipeline_id, []).append(stage)
        return self._pipelines

    def stage_for(self, pipeline_name: str, stage_name: str) -> tuple[Pipeline, Stage]:
        pipelines = self.pipelines()
        if not pipelines:
            raise importing.RowError("unknown_pipeline", value=pipeline_name[:60])
        if pipeline_name:
            matches = [p for p in pipelines if p.name.casefold() == pipeline_name.casefold()]
            if not matches:
                raise importing.RowError("unknown_pipeline", value=pipeline_name[:60])
            pipeline = matches[0]
        else:
            pipeline = pipelines[0]
        stages = self._stages.get(pipeline.pk, [])
        if stage_name:
            found = [s for s in stages if s.name.casefold() == stage_name.casefold()]
            if not found:
                raise importing.RowError("unknown_stage", value=stage_name[:60])
            return pipeline, found[0]
        open_stages = [s for s in stages if s.kind == StageKind.OPEN] or stages
        if not open_stages:
            raise importing.RowError("unknown_stage", value="")
        return pipeline, open_stages[0]


def _serialize_chunk() -> None:
    """One chunk writer per workspace at a time, so concurrent imports see each other's rows (R14)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, connection_workspace()])


def connection_workspace() -> int:
    from voronka.core.scoping import require_workspace_id

    return require_workspace_id()


def _merge_into(target: Record, later: Record) -> None:
    """A later row about the same record: its non-empty values win, emails/phones/tags add up."""
    for name, value in later.values.items():
        if value not in (None, ""):
            target.values[name] = value
    target.emails += [email for email in later.emails if email not in target.emails]
    target.phones += [phone for phone in later.phones if phone not in target.phones]
    target.tags += [tag for tag in later.tags if tag not in target.tags]
    if later.owner:
        target.owner = later.owner


def _group(records: list[Record], keys_of: Any) -> list[_Group]:
    groups: list[_Group] = []
    index: dict[tuple[str, str], int] = {}
    for record in records:
        keys = keys_of(record)
        position = next((index[key] for key in keys if key in index), None)
        if position is None:
            groups.append(_Group(record, [record.line], list(keys)))
            position = len(groups) - 1
        else:
            group = groups[position]
            _merge_into(group.record, record)
            group.lines.append(record.line)
            group.keys += [key for key in keys if key not in group.keys]
        for key in keys:
            index.setdefault(key, position)
    return groups


def _set_tags(ctx: _Context, through: Any, column: str, links: list[tuple[int, list[str]]]) -> None:
    names = {name for _pk, tags in links for name in tags}
    missing = names - ctx.tags.keys()
    if missing:
        Tag.objects.bulk_create([Tag(workspace=ctx.actor.workspace, name=name) for name in missing],
                                ignore_conflicts=True)
        ctx.tags.update(dict(Tag.objects.filter(name__in=missing).values_list("name", "id")))
    rows = [through(**{column: pk, "tag_id": ctx.tags[name]}) for pk, tags in links for name in tags
            if name in ctx.tags]
    if rows:
        through.objects.bulk_create(rows, ignore_conflicts=True)


def _resolve_companies(ctx: _Context, wanted: dict[tuple[str, str], tuple[str, str]],
                       owner: tuple[int, int | None]) -> None:
    """Company ids for (name_key, domain) pairs: visible matches by domain then name, else created."""
    todo = {key: value for key, value in wanted.items() if key not in ctx.companies}
    if not todo:
        return
    names = {key[0] for key in todo if key[0]}
    domains = {key[1] for key in todo if key[1]}
    found_by_domain: dict[str, int] = {}
    found_by_name: dict[str, int] = {}
    for pk, name_key_value, domain, owner_id, team_id in (
        Company.objects.filter(Q(name_key__in=names) | Q(domain__in=domains))
        .order_by("id").values_list("id", "name_key", "domain", "owner_id", "team_id")
    ):
        if not ctx.visible(owner_id, team_id):
            continue
        if domain:
            found_by_domain.setdefault(domain, pk)
        found_by_name.setdefault(name_key_value, pk)
    create: dict[tuple[str, str], Company] = {}
    for key, (name, domain) in todo.items():
        pk = found_by_domain.get(key[1]) if key[1] else None
        pk = pk or (found_by_name.get(key[0]) if key[0] else None)
        if pk:
            ctx.companies[key] = pk
        elif name:
            create[key] = Company(
                workspace=ctx.actor.workspace, name=name[:200], name_key=key[0], domain=domain,
                owner_id=owner[0], team_id=owner[1],
            )
    if create:
        Company.objects.bulk_create(list(create.values()))
        for key, company in create.items():
            ctx.companies[key] = company.pk


# -- contacts --


def _row_factory(model: Any, **common: Any) -> Any:
    """Plain rows with every column's default, for _insert: model instances cost more to build than to write."""
    defaults = {column.attname: column.get_default() for column in model._meta.concrete_fields
                if not column.primary_key}
    defaults.update(common)

    def make(**values: Any) -> SimpleNamespace:
        return SimpleNamespace(**{**defaults, **values})

    return make


def _insert(model: Any, objects: list[Any], *, ignore_conflicts: bool = False) -> None:
    """INSERT model instances in multi-row statements and set their ids (skipped rows keep id None).

    bulk_create prepares every value of every row through the field API, which measured about 8 times
    slower than the database work itself on a 100,000-row import. The values here come from our own
    normalisation (plain str/int/bool/None), so only datetimes and JSON need adapting, once per field.
    """
    if not objects:
        return
    fields = [column for column in model._meta.concrete_fields if not column.primary_key]
    ops = connection.ops
    adapters: list[Any] = []
    for column in fields:
        internal = column.get_internal_type()
        if internal == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif internal == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif internal == "DecimalField":
            adapters.append(lambda value, f=column: ops.adapt_decimalfield_value(value, f.max_digits,
                                                                                  f.decimal_places))
        elif internal == "JSONField":
            adapters.append(lambda value, f=column: f.get_db_prep_save(value, connection))
        else:
            adapters.append(None)
    attnames = [column.attname for column in fields]
    # auto_now fields are filled by Model.save(), which this skips.
    stamped = [bool(getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False))
               for column in fields]
    now = timezone.now()
    columns = ", ".join(ops.quote_name(column.column) for column in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = getattr(connection.features, "max_query_params", None) or 65_535
    per_statement = max(1, min(1000, limit // len(fields)))
    table = ops.quote_name(model._meta.db_table)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    returning = "" if ignore_conflicts else f" RETURNING {ops.quote_name(model._meta.pk.column)}"
    memo: dict[tuple[str, int], tuple[Any, Any]] = {}  # keeps the value alive so its id stays unique

    def row_values(obj: Any) -> list[Any]:
        values: list[Any] = []
        for attname, adapt, auto in zip(attnames, adapters, stamped, strict=True):
            value = getattr(obj, attname)
            if auto and value is None:
                value = now
                setattr(obj, attname, now)
            if adapt is not None and value is not None:
                # Most rows share one timestamp: adapt it once.
                key = (attname, id(value))
                if key not in memo:
                    memo[key] = (value, adapt(value))
                value = memo[key][1]
            values.append(value)
        return values

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column through unnest(): a short statement whatever the row count (psycopg
            # parses every placeholder of a long VALUES list in Python).
            rows = [row_values(obj) for obj in objects]
            arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in fields)
            sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}){conflict}{returning}"  # noqa: S608
            cursor.execute(sql, [list(column_values) for column_values in zip(*rows, strict=True)])
            if returning:
                for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                    obj.pk = pk
            return
        for start in range(0, len(objects), per_statement):
            part = objects[start : start + per_statement]
            params = [value for obj in part for value in row_values(obj)]
            values = ", ".join([placeholder] * len(part))
            # Identifiers come from the model's meta; every value is a bound parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES {values}{conflict}{returning}"  # noqa: S608
            cursor.execute(sql, params)
            if returning:
                # Rows come back in VALUES order on SQLite and PostgreSQL (bulk_create relies on it too).
                for obj, (pk,) in zip(part, cursor.fetchall(), strict=True):
                    obj.pk = pk


def _contact_keys(record: Record) -> list[tuple[str, str]]:
    keys = record.point_keys()
    if not keys:
        keys = [("name", f"{str(record.values['full_name']).casefold()}|{record.values['company_key']}")]
    return keys


CONTACT_TEXT_FIELDS = ("full_name", "first_name", "last_name", "position", "city", "lead_source", "age_band", "gender")


def _apply_contacts(ctx: _Context, records: list[Record]) -> Outcome:
    outcome = Outcome()
    groups = _group(records, _contact_keys)
    emails = {value for g in groups for kind, value in g.keys if kind == "email"}
    phones = {value for g in groups for kind, value in g.keys if kind == "phone"}
    names = {str(g.record.values["full_name"]) for g in groups if g.keys[0][0] == "name"}
    # One query finds every existing contact a row names (by email or phone).
    existing: dict[tuple[str, str], tuple[int, bool]] = {}
    if emails or phones:
        for kind, value, contact_id, owner_id, team_id in ContactPoint.objects.filter(
            Q(kind=PointKind.EMAIL, value__in=emails) | Q(kind=PointKind.PHONE, value__in=phones)
        ).values_list("kind", "value", "contact_id", "contact__owner_id", "contact__team_id"):
            existing[(kind, value)] = (contact_id, ctx.visible(owner_id, team_id))
    if names:
        for pk, full_name, company_key, owner_id, team_id in Contact.objects.filter(
            full_name__in=names, email="", phone=""
        ).order_by("id").values_list("id", "full_name", "company__name_key", "owner_id", "team_id"):
            existing.setdefault(("name", f"{full_name.casefold()}|{company_key or ''}"),
                                (pk, ctx.visible(owner_id, team_id)))
    # Companies named in the rows (created when missing, visible ones reused).
    wanted = {
        (str(g.record.values["company_key"]), str(g.record.values["company_domain"])):
        (str(g.record.values["company"]), str(g.record.values["company_domain"]))
        for g in groups if g.record.values["company"]
    }
    _resolve_companies(ctx, wanted, ctx.default_owner)

    to_update: dict[int, _Group] = {}
    to_create: list[_Group] = []
    for group in groups:
        match = next((existing[key] for key in group.keys if key in existing), None)
        if match is None:
            to_create.append(group)
        elif not match[1]:
            outcome.rejected += [(line, row_error_message(importing.RowError("not_visible"))) for line in group.lines]
        elif match[0] in to_update:
            # Two groups of this chunk point at the same stored contact (one by email, one by phone).
            _merge_into(to_update[match[0]].record, group.record)
            to_update[match[0]].lines += group.lines
            to_update[match[0]].keys += group.keys
        else:
            to_update[match[0]] = group

    def company_id(record: Record) -> int | None:
        if not record.values["company"]:
            return None
        return ctx.companies.get((str(record.values["company_key"]), str(record.values["company_domain"])))

    points: list[Any] = []
    new_point = _row_factory(ContactPoint, workspace_id=ctx.actor.workspace.pk, created_at=ctx.now,
                             updated_at=ctx.now)
    tag_links: list[tuple[int, list[str]]] = []
    if to_update:
        contacts = list(Contact.objects.filter(pk__in=to_update.keys()))
        changed: set[str] = set()
        for contact in contacts:
            group = to_update[contact.pk]
            record = group.record
            for name in CONTACT_TEXT_FIELDS:
                value = record.values.get(name)
                if value:
                    setattr(contact, name, value)
                    changed.add(name)
            if company_id(record):
                contact.company_id = company_id(record)
                changed.add("company")
            new_email = not contact.email and record.emails
            new_phone = not contact.phone and record.phones
            if new_email:
                contact.email = record.emails[0]
                changed.add("email")
            if new_phone:
                contact.phone = record.phones[0]
                changed.add("phone")
            contact.version = F("version") + 1  # type: ignore[assignment]
            contact.updated_at = ctx.now
            for kind, value in group.keys:
                if kind in ("email", "phone") and (kind, value) not in existing:
                    first = record.emails[0] if kind == "email" else record.phones[0]
                    primary = bool((new_email if kind == "email" else new_phone) and value == first)
                    points.append(new_point(contact_id=contact.pk, kind=kind, value=value, is_primary=primary))
            if record.tags:
                tag_links.append((contact.pk, record.tags))
            outcome.updated += len(group.lines)
        Contact.objects.bulk_update(contacts, [*sorted(changed), "version", "updated_at"])

    new_contacts: list[tuple[Any, _Group]] = []
    new_contact = _row_factory(Contact, workspace_id=ctx.actor.workspace.pk, created_at=ctx.now,
                               updated_at=ctx.now)
    for group in to_create:
        record = group.record
        owner_id, team_id = ctx.owner(record.owner)
        contact = new_contact(
            owner_id=owner_id, team_id=team_id, company_id=company_id(record),
            email=record.emails[0] if record.emails else "", phone=record.phones[0] if record.phones else "",
            **{name: record.values.get(name) or "" for name in CONTACT_TEXT_FIELDS},
        )
        contact.full_name = contact.full_name or str(record.values["fallback_name"])
        new_contacts.append((contact, group))
    if new_contacts:
        _insert(Contact, [contact for contact, _group in new_contacts])
        for contact, group in new_contacts:
            record = group.record
            for kind, value in group.keys:
                if kind in ("email", "phone"):
                    first = record.emails[0] if kind == "email" else record.phones[0]
                    points.append(new_point(contact_id=contact.pk, kind=kind, value=value,
                                            is_primary=value == first))
    if points:
        # Unique per workspace and value: a concurrent import or edit may have taken one since we
        # looked; those rows are skipped here and sorted out by re-reading below (R22).
        _insert(ContactPoint, points, ignore_conflicts=True)
    losers: list[int] = []
    if new_contacts:
        new_keys = [key for contact, group in new_contacts for key in group.keys if key[0] != "name"]
        owners: dict[tuple[str, str], int] = {}
        if new_keys:
            owners = {
                (kind, value): contact_id for kind, value, contact_id in ContactPoint.objects.filter(
                    Q(kind=PointKind.EMAIL, value__in=[v for k, v in new_keys if k == "email"])
                    | Q(kind=PointKind.PHONE, value__in=[v for k, v in new_keys if k == "phone"])
                ).values_list("kind", "value", "contact_id")
            }
        fix: list[Contact] = []
        for contact, group in new_contacts:
            keys = [key for key in group.keys if key[0] != "name"]
            mine = [key for key in keys if owners.get(key) == contact.pk]
            if keys and not mine:
                losers.append(contact.pk)  # someone else created this person first: theirs is kept
                outcome.updated += len(group.lines)
                continue
            outcome.created += 1
            outcome.updated += len(group.lines) - 1
            if group.record.tags:
                tag_links.append((contact.pk, group.record.tags))
            own_email = next((v for k, v in mine if k == "email"), "")
            own_phone = next((v for k, v in mine if k == "phone"), "")
            if contact.email != own_email or contact.phone != own_phone:
                fix.append(Contact(pk=contact.pk, email=own_email, phone=own_phone))
        if losers:
            Contact.objects.filter(pk__in=losers).delete()
        if fix:
            Contact.objects.bulk_update(fix, ["email", "phone"])
    if tag_links:
        _set_tags(ctx, Contact.tags.through, "contact_id", tag_links)
    return outcome


# -- companies --


def _company_keys(record: Record) -> list[tuple[str, str]]:
    keys = [("name", str(record.values["name_key"]))]
    if record.values["domain"]:
        keys.insert(0, ("domain", str(record.values["domain"])))
    return keys


COMPANY_FIELDS = ("name", "industry", "size_band", "country", "region", "city", "annual_revenue", "domain")


def _apply_companies(ctx: _Context, records: list[Record]) -> Outcome:
    outcome = Outcome()
    groups = _group(records, _company_keys)
    domains = {v for g in groups for k, v in g.keys if k == "domain"}
    names = {v for g in groups for k, v in g.keys if k == "name"}
    by_domain: dict[str, tuple[int, bool]] = {}
    by_name: dict[str, tuple[int, bool, str]] = {}
    for pk, name_key_value, domain, owner_id, team_id in (
        Company.objects.filter(Q(domain__in=domains) | Q(name_key__in=names)).order_by("id")
        .values_list("id", "name_key", "domain", "owner_id", "team_id")
    ):
        visible = ctx.visible(owner_id, team_id)
        if domain:
            by_domain.setdefault(domain, (pk, visible))
        by_name.setdefault(name_key_value, (pk, visible, domain))
    to_update: dict[int, _Group] = {}
    to_create: list[_Group] = []
    for group in groups:
        values = group.record.values
        match: tuple[int, bool] | None = by_domain.get(str(values["domain"])) if values["domain"] else None
        if match is None and str(values["name_key"]) in by_name:
            pk, visible, domain = by_name[str(values["name_key"])]
            if not values["domain"] or not domain:
                match = (pk, visible)
        if match is None:
            to_create.append(group)
        elif not match[1]:
            outcome.rejected += [(line, row_error_message(importing.RowError("not_visible"))) for line in group.lines]
        elif match[0] in to_update:
            _merge_into(to_update[match[0]].record, group.record)
            to_update[match[0]].lines += group.lines
        else:
            to_update[match[0]] = group
    tag_links: list[tuple[int, list[str]]] = []
    if to_update:
        companies = list(Company.objects.filter(pk__in=to_update.keys()))
        changed: set[str] = set()
        for company in companies:
            group = to_update[company.pk]
            for name in COMPANY_FIELDS:
                value = group.record.values.get(name)
                if value not in (None, ""):
                    setattr(company, name, value)
                    changed.add(name)
            company.name_key = str(group.record.values["name_key"])
            company.version = F("version") + 1  # type: ignore[assignment]
            company.updated_at = ctx.now
            if group.record.tags:
                tag_links.append((company.pk, group.record.tags))
            outcome.updated += len(group.lines)
        Company.objects.bulk_update(companies, [*sorted(changed), "name_key", "version", "updated_at"])
    if to_create:
        created: list[tuple[Company, _Group]] = []
        for group in to_create:
            owner_id, team_id = ctx.owner(group.record.owner)
            values = group.record.values
            created.append((Company(
                workspace=ctx.actor.workspace, owner_id=owner_id, team_id=team_id, name_key=str(values["name_key"]),
                **{name: values.get(name) if name == "annual_revenue" else values.get(name) or ""
                   for name in COMPANY_FIELDS},
            ), group))
        Company.objects.bulk_create([company for company, _group in created])
        for company, group in created:
            outcome.created += 1
            outcome.updated += len(group.lines) - 1
            ctx.companies[(company.name_key, company.domain)] = company.pk
            if group.record.tags:
                tag_links.append((company.pk, group.record.tags))
    if tag_links:
        _set_tags(ctx, Company.tags.through, "company_id", tag_links)
    return outcome


# -- deals --


def _deal_keys(record: Record) -> list[tuple[str, str]]:
    if record.values["external_id"]:
        return [("external_id", str(record.values["external_id"]))]
    return [("title", f"{record.values['title']}|{record.values['company_key']}")]


def _apply_deals(ctx: _Context, records: list[Record]) -> Outcome:
    outcome = Outcome()
    groups = _group(records, _deal_keys)
    placed: list[tuple[_Group, Pipeline, Stage]] = []
    for group in groups:
        try:
            pipeline, stage = ctx.stage_for(str(group.record.values["pipeline"]), str(group.record.values["stage"]))
        except importing.RowError as error:
            outcome.rejected += [(line, row_error_message(error)) for line in group.lines]
            continue
        placed.append((group, pipeline, stage))
    external = {g.keys[0][1] for g, _p, _s in placed if g.keys[0][0] == "external_id"}
    titles = {str(g.record.values["title"]) for g, _p, _s in placed if g.keys[0][0] == "title"}
    existing: dict[tuple[str, str], tuple[int, bool]] = {}
    if external or titles:
        query = Q(title__in=titles) if titles else Q(pk__in=[])
        if external:
            query |= Q(custom__external_id__in=sorted(external))
        for pk, title, company_key, custom, owner_id, team_id in Deal.objects.filter(query).order_by("id").values_list(
            "id", "title", "company__name_key", "custom", "owner_id", "team_id"
        ):
            visible = ctx.visible(owner_id, team_id)
            external_id = (custom or {}).get("external_id") if isinstance(custom, dict) else None
            if external_id:
                existing.setdefault(("external_id", str(external_id)), (pk, visible))
            existing.setdefault(("title", f"{title}|{company_key or ''}"), (pk, visible))
    wanted = {
        (str(g.record.values["company_key"]), ""): (str(g.record.values["company"]), "")
        for g, _p, _s in placed if g.record.values["company"]
    }
    _resolve_companies(ctx, wanted, ctx.default_owner)

    def company_id(record: Record) -> int | None:
        return ctx.companies.get((str(record.values["company_key"]), "")) if record.values["company"] else None

    to_update: dict[int, _Group] = {}
    to_create: list[tuple[_Group, Pipeline, Stage]] = []
    for group, pipeline, stage in placed:
        match = existing.get(group.keys[0])
        if match is None:
            to_create.append((group, pipeline, stage))
        elif not match[1]:
            outcome.rejected += [(line, row_error_message(importing.RowError("not_visible"))) for line in group.lines]
        elif match[0] in to_update:
            _merge_into(to_update[match[0]].record, group.record)
            to_update[match[0]].lines += group.lines
        else:
            to_update[match[0]] = group
    contact_links: list[tuple[int, Record]] = []
    tag_links: list[tuple[int, list[str]]] = []
    if to_update:
        deals = list(Deal.objects.filter(pk__in=to_update.keys()))
        changed: set[str] = set()
        for deal in deals:
            group = to_update[deal.pk]
            values = group.record.values
            for name, target in (("amount", "amount"), ("cost", "cost"), ("lead_source", "lead_source"),
                                 ("expected_close_date", "expected_close_date"),
                                 ("probability", "probability_override")):
                if values.get(name) not in (None, ""):
                    setattr(deal, target, values[name])
                    changed.add(target)
            if company_id(group.record):
                deal.company_id = company_id(group.record)
                changed.add("company")
            deal.version = F("version") + 1  # type: ignore[assignment]
            deal.updated_at = ctx.now
            contact_links.append((deal.pk, group.record))
            if group.record.tags:
                tag_links.append((deal.pk, group.record.tags))
            outcome.updated += len(group.lines)
        Deal.objects.bulk_update(deals, [*sorted(changed), "version", "updated_at"])
    if to_create:
        created: list[tuple[Deal, _Group]] = []
        for group, pipeline, stage in to_create:
            values = group.record.values
            owner_id, team_id = ctx.owner(group.record.owner)
            status = {"won": "won", "lost": "lost"}.get(str(stage.kind), "open")
            custom = {"external_id": values["external_id"]} if values["external_id"] else {}
            created.append((Deal(
                workspace=ctx.actor.workspace, owner_id=owner_id, team_id=team_id, title=values["title"],
                company_id=company_id(group.record), pipeline=pipeline, stage=stage,
                amount=values["amount"] or 0, cost=values["cost"] or 0, amount_is_manual=True,
                expected_close_date=values["expected_close_date"], probability_override=values["probability"],
                lead_source=values["lead_source"] or "", status=status, stage_entered_at=ctx.now,
                closed_at=ctx.now if status != "open" else None, custom=custom,
            ), group))
        Deal.objects.bulk_create([deal for deal, _group in created])
        StageTransition.objects.bulk_create([
            StageTransition(workspace=ctx.actor.workspace, deal=deal, from_stage=None, to_stage_id=deal.stage_id,
                            at=ctx.now, actor_id=ctx.actor.user.pk)
            for deal, _group in created
        ])
        for deal, group in created:
            outcome.created += 1
            outcome.updated += len(group.lines) - 1
            contact_links.append((deal.pk, group.record))
            if group.record.tags:
                tag_links.append((deal.pk, group.record.tags))
    _link_deal_contacts(ctx, contact_links)
    if tag_links:
        _set_tags(ctx, Deal.tags.through, "deal_id", tag_links)
    return outcome


def _link_deal_contacts(ctx: _Context, links: list[tuple[int, Record]]) -> None:
    emails = {email for _pk, record in links for email in record.emails}
    phones = {phone for _pk, record in links for phone in record.phones}
    if not emails and not phones:
        return
    found: dict[tuple[str, str], int] = {}
    for kind, value, contact_id, owner_id, team_id in ContactPoint.objects.filter(
        Q(kind=PointKind.EMAIL, value__in=emails) | Q(kind=PointKind.PHONE, value__in=phones)
    ).values_list("kind", "value", "contact_id", "contact__owner_id", "contact__team_id"):
        if ctx.visible(owner_id, team_id):
            found[(kind, value)] = contact_id
    through = Deal.contacts.through
    rows = {
        (deal_id, found[key]) for deal_id, record in links for key in record.point_keys() if key in found
    }
    through.objects.bulk_create([through(deal_id=deal_id, contact_id=contact_id) for deal_id, contact_id in rows],
                                ignore_conflicts=True)


APPLY = {ImportKind.CONTACTS: _apply_contacts, ImportKind.COMPANIES: _apply_companies, ImportKind.DEALS: _apply_deals}


def _batched(iterator: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while True:
        chunk = list(islice(iterator, size))
        if not chunk:
            return
        yield chunk


def _numbered_rows(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    for line, row in enumerate(rows, start=2):
        if any(cell.strip() for cell in row):
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
        csv.writer(sink, lineterminator="\r\n").writerow([spreadsheet_safe(cell) for cell in cells])
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
    ctx = _Context(actor, job)
    fmt = _fmt(job)
    report = _Report(headers)
    done = created = updated = 0
    try:
        with job.file.open("rb") as stream:
            total = importing.count_rows(stream, fmt=fmt, encoding=job.encoding, delimiter=job.delimiter)
            ImportJob.objects.filter(pk=job.pk).update(rows_total=total)
            rows = importing.iter_rows(stream, fmt=fmt, encoding=job.encoding, delimiter=job.delimiter)
            next(rows, None)  # the header
            for chunk in _batched(_numbered_rows(rows), CHUNK_ROWS):
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
                    _serialize_chunk()
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
        refresh_planner_statistics()  # outside the transaction: ANALYZE after a bulk load
