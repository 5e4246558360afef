"""Import pages: the list and upload form, the preview with the column mapping, the progress bar.

Parse, resolve through access, call one service, render; the rules live in services.imports.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, NotFoundError
from voronka.core.navigation import NavEntry, Part
from voronka.core.pages import FORM_ERROR_STATUS, add_service_error, error_status

from ..access import access_import_job
from ..importing.fields import FIELDS
from ..models import ImportJob, ImportKind, ImportStatus
from ..selectors.imports import import_job_list, import_job_same_file
from ..services.imports import FIELD_LABELS, import_confirm, import_preview_rows, import_start, max_import_bytes

LIST_LIMIT = 50


def nav_entries() -> list[NavEntry]:
    """Menu entries of these pages (registered by crm's AppConfig.ready)."""
    return [
        NavEntry("crm:imports", gettext_lazy("Import"), Part.TOOLS, "voronka.crm", Capability.CRM_IMPORT.value,
                 order=40),
        NavEntry("crm:duplicates", gettext_lazy("Duplicates"), Part.TOOLS, "voronka.crm",
                 Capability.CRM_MERGE.value, order=41),
    ]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=ImportKind.choices,
                             initial=ImportKind.CONTACTS)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8, UTF-16 or Windows-1251; comma, semicolon or tab) or Excel XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )


def progress_of(job: ImportJob) -> int:
    if job.status == ImportStatus.DONE:
        return 100
    return min(99, job.rows_done * 100 // job.rows_total) if job.rows_total else 0


def _render_list(request: HttpRequest, actor: Actor, form: ImportUploadForm, status: int = 200) -> HttpResponse:
    jobs = list(import_job_list(actor=actor)[:LIST_LIMIT])
    context = {"jobs": jobs, "form": form, "max_mb": max_import_bytes() // (1024 * 1024)}
    return render(request, "crm/imports/list.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.CRM_IMPORT)
def import_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method != "POST":
        return _render_list(request, actor, ImportUploadForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_list(request, actor, form, status=FORM_ERROR_STATUS)
    try:
        job = import_start(actor=actor, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"])
    except ApplicationError as error:
        add_service_error(form, error)
        return _render_list(request, actor, form, status=error_status(error))
    return redirect("crm:import-detail", job_id=job.pk)


def _columns(job: ImportJob, mapping: dict[str, str]) -> list[dict[str, Any]]:
    choices = [(name, FIELD_LABELS[name]) for name in ("", *FIELDS[job.kind])]
    return [
        {"index": index, "header": header, "name": f"map-{index}", "selected": mapping.get(header, ""),
         "choices": choices}
        for index, header in enumerate(job.headers)
    ]


def _render_preview(request: HttpRequest, actor: Actor, job: ImportJob, *, mapping: dict[str, str] | None = None,
                    error: ApplicationError | None = None, status: int = 200) -> HttpResponse:
    rows = import_preview_rows(job=job)
    context = {
        "job": job, "columns": _columns(job, mapping if mapping is not None else dict(job.mapping)), "rows": rows,
        "error": error, "previous": import_job_same_file(actor=actor, job=job),
        "delimiter_label": {",": _("comma"), ";": _("semicolon"), "\t": _("tab")}.get(job.delimiter, ""),
    }
    return render(request, "crm/imports/preview.html", context, status=status)


def _read_only(request: HttpRequest) -> HttpResponse | None:
    # The job is resolved first, so another workspace's id is a 404 whatever the method (R1).
    return None if request.method in ("GET", "HEAD") else HttpResponseNotAllowed(["GET", "HEAD"])


@actor_required(Capability.CRM_IMPORT)
def import_detail_view(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponse:
    job = access_import_job(actor=actor, job_id=job_id)
    if refused := _read_only(request):
        return refused
    if job.status == ImportStatus.UPLOADED:
        return _render_preview(request, actor, job)
    return render(request, "crm/imports/progress.html", {"job": job, "progress": progress_of(job)})


@actor_required(Capability.CRM_IMPORT)
def import_confirm_view(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponse:
    job = access_import_job(actor=actor, job_id=job_id)
    if request.method != "POST":
        return redirect("crm:import-detail", job_id=job.pk)
    mapping = {header: request.POST.get(f"map-{index}", "") for index, header in enumerate(job.headers)}
    try:
        import_confirm(actor=actor, job=job, mapping=mapping)
    except ApplicationError as error:
        job.refresh_from_db()
        if job.status != ImportStatus.UPLOADED:
            messages.info(request, str(error.message))
            return redirect("crm:import-detail", job_id=job.pk)
        return _render_preview(request, actor, job, mapping=mapping, error=error, status=error_status(error))
    return redirect("crm:import-detail", job_id=job.pk)


@actor_required(Capability.CRM_IMPORT)
def import_progress_view(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponse:
    """The progress card alone, polled by htmx every second until the job is finished."""
    job = access_import_job(actor=actor, job_id=job_id)
    if refused := _read_only(request):
        return refused
    return render(request, "crm/imports/_progress.html", {"job": job, "progress": progress_of(job)})


@actor_required(Capability.CRM_IMPORT)
def import_errors_view(request: HttpRequest, actor: Actor, job_id: int) -> HttpResponse:
    job = access_import_job(actor=actor, job_id=job_id)
    if refused := _read_only(request):
        return refused
    if not job.error_report:
        raise NotFoundError()
    response = FileResponse(job.error_report.open("rb"), as_attachment=True,
                            filename=f"import-{job.pk}-errors.csv", content_type="text/csv; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)  # a streaming response; the decorator's type wants HttpResponse
