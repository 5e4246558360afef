"""The report builder, saved reports, their weekly emails and exports.

The builder is a GET form (the query string is the report, so a link or the browser's back button
brings it back); htmx swaps the form and its result in place. Saving, exporting and subscribing
are POSTs that carry the same query as hidden fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, PermissionDeniedError
from voronka.core.pages import FORM_ERROR_STATUS, add_service_error, error_status, posted
from voronka.metrics.catalogue import metrics_all

from ..forms.reports import ReportForm, SaveReportForm, SubscribeForm
from ..models import SavedReport, Weekday
from ..report_charts import report_charts
from ..report_drill import drill_links
from ..report_spec import ReportSpec
from ..report_table import table_from_result
from ..selectors.reports import (
    ReportRun,
    access_report,
    access_report_for_update,
    report_run_for,
    saved_report_list,
    shareable_teams,
    subscription_for,
)
from ..services import reports as services
from .dashboard_plotly import plotly_maplibre_id

VIEW = Capability.ANALYTICS_VIEW
TABLE_ROWS = 200
PER_PAGE = 20
# What an empty builder starts with: revenue and deals won by channel, last quarter.
STARTER = {"metrics": ["revenue", "deals_won"], "slices": ["channel"], "granularity": "total",
           "period": "last_quarter"}


def _is_query(data: QueryDict) -> bool:
    return any(key in data for key in ("metrics", "period", "slices"))


def _save_form(actor: Actor, data: Any = None, **kwargs: Any) -> SaveReportForm:
    return SaveReportForm(data, teams=shareable_teams(actor), can_share=actor.can(Capability.DASHBOARDS_SHARE),
                          **kwargs)


def _run(form: ReportForm, actor: Actor) -> tuple[ReportRun | None, int]:
    """Run a bound builder form; the catalogue's refusal lands on the form's fields."""
    if not form.is_valid():
        return None, FORM_ERROR_STATUS
    try:
        return report_run_for(actor=actor, spec=form.spec()), 200
    except ApplicationError as error:
        add_service_error(form, error)
        return None, error_status(error)


def _render(request: HttpRequest, actor: Actor, *, form: ReportForm, run: ReportRun | None, status: int = 200,
            report: SavedReport | None = None, save_form: SaveReportForm | None = None) -> HttpResponse:
    currency = actor.workspace.currency
    context: dict[str, Any] = {
        "form": form, "run": run, "report": report, "currency": currency,
        "catalogue": metrics_all(),
        "action": reverse("analytics:report-detail", args=[report.pk]) if report else reverse("analytics:reports"),
        "can_schedule": actor.can(Capability.REPORTS_SCHEDULE),
        "is_owner": report is not None and report.owner_id == actor.user.pk,
        "plotly_maplibre_id": plotly_maplibre_id(),
    }
    if run is not None:
        drill = drill_links(run.query)
        context.update({
            "table": table_from_result(run.result, currency=currency, drill=drill, limit=TABLE_ROWS),
            "charts": report_charts(run.result, currency=currency, drill=drill),
            "pairs": run.spec.as_pairs(),
        })
        if save_form is None:
            initial = {"name": report.name, "team": report.team_id} if report else {}
            save_form = _save_form(actor, initial=initial)
    context["save_form"] = save_form
    if report is not None:
        context["subscription"] = subscription_for(actor=actor, report=report)
    template = "analytics/report_area.html" if getattr(request, "htmx", False) else "analytics/report_builder.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "HEAD"])
@actor_required(VIEW)
def report_builder_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not _is_query(request.GET):
        return _render(request, actor, form=ReportForm(initial=STARTER, actor=actor), run=None)
    form = ReportForm(request.GET, actor=actor)
    run, status = _run(form, actor)
    return _render(request, actor, form=form, run=run, status=status)


def _wrong_method(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    """405 for a method the route does not take, checked after the id was resolved: another
    workspace's id is a 404 whatever the method (the page route matrix asks for that)."""
    if request.method in allowed or (request.method == "HEAD" and "GET" in allowed):
        return None
    return HttpResponseNotAllowed(list(allowed))


def _require_owner(actor: Actor, report: SavedReport) -> None:
    if report.owner_id != actor.user.pk:
        raise PermissionDeniedError(_("This report was shared with you; only its owner can change it."))


@actor_required(VIEW)
def report_detail_view(request: HttpRequest, actor: Actor, report_id: int) -> HttpResponse:
    """A saved report: its own query, or the builder's changes to it (then "Save changes" keeps them)."""
    report = access_report(actor=actor, report_id=report_id)
    if refused := _wrong_method(request, "GET"):
        return refused
    data = request.GET if _is_query(request.GET) else _as_query(ReportSpec.from_json(report.spec))
    form = ReportForm(data, actor=actor)
    run, status = _run(form, actor)
    return _render(request, actor, form=form, run=run, status=status, report=report)


def _as_query(spec: ReportSpec) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in spec.as_pairs():
        data.appendlist(key, value)
    return data


@require_http_methods(["POST"])
@actor_required(VIEW)
def report_export_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """POST (it writes an audit row and counts toward the export quota): the query comes as fields."""
    form = ReportForm(request.POST, actor=actor)
    if not form.is_valid():
        return _render(request, actor, form=form, run=None, status=FORM_ERROR_STATUS)
    try:
        export = services.report_export(actor=actor, spec=form.spec(), fmt=request.POST.get("fmt", ""))
    except ApplicationError as error:
        if error.status == 429:
            raise
        add_service_error(form, error)
        return _render(request, actor, form=form, run=None, status=error_status(error))
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["POST"])
@actor_required(VIEW)
def report_save_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ReportForm(request.POST, actor=actor)
    save_form = _save_form(actor, request.POST)
    run, status = _run(form, actor)
    if run is not None and save_form.is_valid():
        try:
            with transaction.atomic():
                report = services.saved_report_create(actor=actor, name=save_form.cleaned_data["name"],
                                                      spec=run.spec, team=save_form.cleaned_data.get("team"))
        except ApplicationError as error:
            add_service_error(save_form, error)
            status = error_status(error)
        else:
            messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
            return redirect("analytics:report-detail", report_id=report.pk)
    elif run is not None:
        status = FORM_ERROR_STATUS
    return _render(request, actor, form=form, run=run, status=status, save_form=save_form)


@actor_required(VIEW)
def report_update_view(request: HttpRequest, actor: Actor, report_id: int) -> HttpResponse:
    """The owner saves the builder's current query, name and sharing over the saved report."""
    report = access_report(actor=actor, report_id=report_id)
    if refused := _wrong_method(request, "POST"):
        return refused
    _require_owner(actor, report)
    form = ReportForm(request.POST, actor=actor)
    save_form = _save_form(actor, request.POST)
    run, status = _run(form, actor)
    if run is not None and save_form.is_valid():
        try:
            with transaction.atomic():
                locked = access_report_for_update(actor=actor, report_id=report.pk)
                version = request.POST.get("version", "")
                saved = services.saved_report_update(
                    actor=actor, report=locked, name=save_form.cleaned_data["name"], spec=run.spec,
                    team=save_form.cleaned_data.get("team"), version=int(version) if version.isdigit() else None)
        except ApplicationError as error:
            if error.status in (403, 404):
                raise
            add_service_error(save_form, error)
            status = error_status(error)
        else:
            messages.success(request, _("Report “%(name)s” saved.") % {"name": saved.name})
            return redirect("analytics:report-detail", report_id=saved.pk)
    elif run is not None:
        status = FORM_ERROR_STATUS
    return _render(request, actor, form=form, run=run, status=status, report=report, save_form=save_form)


@require_http_methods(["GET", "HEAD"])
@actor_required(VIEW)
def saved_reports_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(saved_report_list(actor), PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"report": report, "subscription": next(iter(report.my_subscriptions), None),  # type: ignore[attr-defined]
             "mine": report.owner_id == actor.user.pk} for report in page.object_list]
    return render(request, "analytics/report_saved.html", {
        "page": page, "rows": rows, "weekdays": dict(Weekday.choices),
        "can_schedule": actor.can(Capability.REPORTS_SCHEDULE),
    })


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(VIEW)
def report_delete_view(request: HttpRequest, actor: Actor, report_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes (the owner only; a shared report is read-only)."""
    report = access_report(actor=actor, report_id=report_id)
    _require_owner(actor, report)
    if request.method == "POST":
        with transaction.atomic():
            locked = access_report_for_update(actor=actor, report_id=report.pk)
            services.saved_report_delete(actor=actor, report=locked)
        messages.success(request, _("Report “%(name)s” deleted.") % {"name": report.name})
        return redirect("analytics:reports-saved")
    subscribers = report.subscriptions.count()
    return render(request, "analytics/report_delete.html", {"report": report, "subscribers": subscribers})


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.REPORTS_SCHEDULE)
def report_subscribe_view(request: HttpRequest, actor: Actor, report_id: int) -> HttpResponse:
    report = access_report(actor=actor, report_id=report_id)
    current = subscription_for(actor=actor, report=report)
    form = SubscribeForm(posted(request), initial={"weekday": current.weekday if current else Weekday.MONDAY})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.report_subscribe(actor=actor, report=report, weekday=form.cleaned_data["weekday"])
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                day = dict(Weekday.choices)[form.cleaned_data["weekday"]]
                messages.success(request, _("You will receive “%(name)s” by email every %(day)s.")
                                 % {"name": report.name, "day": day})
                return redirect("analytics:report-detail", report_id=report.pk)
        else:
            status = FORM_ERROR_STATUS
    return render(request, "analytics/report_subscribe.html",
                  {"report": report, "form": form, "subscription": current, "email": actor.user.email},
                  status=status)


@actor_required(VIEW)
def report_unsubscribe_view(request: HttpRequest, actor: Actor, report_id: int) -> HttpResponse:
    report = access_report(actor=actor, report_id=report_id)
    if refused := _wrong_method(request, "POST"):
        return refused
    with transaction.atomic():
        stopped = services.report_unsubscribe(actor=actor, report=report)
    if stopped:
        messages.success(request, _("You will no longer receive “%(name)s” by email.") % {"name": report.name})
    return redirect("analytics:report-detail", report_id=report.pk)
