"""Dashboard pages: the company, team and personal dashboards, saved ones, the editor, share and delete.

The defaults are shown from their layout until their owner changes one (GET never writes);
"Edit" saves the default first. Every number comes from the metric engine as the viewer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.access import access_team
from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from voronka.core.pages import add_service_error, error_status
from voronka.metrics.catalogue import metrics_all

from ..dashboard_access import access_dashboard, access_dashboard_for_update
from ..dashboard_panels import Builder
from ..dashboard_range import Window, window_for
from ..forms.dashboards import (
    DashboardCreateForm,
    DashboardFilterForm,
    DashboardForm,
    DashboardShareForm,
    WidgetFormSet,
)
from ..models import Dashboard, DashboardKind, RangePreset
from ..selectors.dashboards import (
    FilterChoices,
    dashboard_default,
    dashboard_list,
    dashboard_widgets,
    engine_filters,
    filter_choices,
)
from ..services.dashboards import (
    FILTER_KEYS,
    WidgetSpec,
    dashboard_create,
    dashboard_delete,
    dashboard_materialize,
    dashboard_save,
    dashboard_share,
)
from .dashboard_plotly import plotly_maplibre_id

KIND_URLS: dict[str, str] = {
    DashboardKind.COMPANY: "analytics:dashboards",
    DashboardKind.TEAM: "analytics:dashboard-team",
    DashboardKind.PERSONAL: "analytics:dashboard-personal",
}


def _wrong_method(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    """405, checked after the dashboard was resolved so another workspace's id is a 404 whatever the method."""
    if request.method in allowed or (request.method == "HEAD" and "GET" in allowed):
        return None
    return HttpResponseNotAllowed(list(allowed))


def _dashboard_url(dashboard: Dashboard, actor: Actor) -> str:
    if dashboard.kind in KIND_URLS and dashboard.owner_id == actor.user.pk:
        return reverse(KIND_URLS[dashboard.kind])
    return reverse("analytics:dashboard-detail", args=[dashboard.pk])


def _today(actor: Actor) -> dt.date:
    return timezone.localtime(timezone.now(), timezone=ZoneInfo(actor.workspace.time_zone)).date()


def _saved_window(dashboard: Dashboard, actor: Actor) -> Window:
    return window_for(dashboard.range_preset, _today(actor), dashboard.date_from, dashboard.date_to)


def _period_and_filters(request: HttpRequest, actor: Actor, dashboard: Dashboard,
                        choices: FilterChoices) -> tuple[DashboardFilterForm, Window, dict[str, list[Any]]]:
    """The filter bar: what the query string asks for, else the dashboard's saved period and filters."""
    if "range_preset" in request.GET:
        form = DashboardFilterForm(request.GET, choices=choices.as_dict())
        if form.is_valid():
            data = form.cleaned_data
            window = window_for(data["range_preset"], _today(actor), data.get("date_from"), data.get("date_to"))
            return form, window, form.chosen_filters()
        # Bad input: say so on the form, show the saved view meanwhile.
        return form, _saved_window(dashboard, actor), dict(dashboard.filters)
    window = _saved_window(dashboard, actor)
    initial: dict[str, Any] = {"range_preset": dashboard.range_preset, "date_from": window.start,
                               "date_to": window.end}
    for key in FILTER_KEYS:
        values = dashboard.filters.get(key) or []
        initial[key] = values[0] if len(values) == 1 else None
    return DashboardFilterForm(initial=initial, choices=choices.as_dict()), window, dict(dashboard.filters)


def _render_dashboard(request: HttpRequest, actor: Actor, dashboard: Dashboard, widgets: list[Any]) -> HttpResponse:
    choices = filter_choices(actor=actor)
    form, window, filters = _period_and_filters(request, actor, dashboard, choices)
    builder = Builder(actor=actor, window=window, filters=engine_filters(filters, choices.team_parents))
    panels = builder.build(widgets)
    is_owner = dashboard.owner_id == actor.user.pk
    can_share = is_owner and dashboard.pk is not None and actor.can(Capability.DASHBOARDS_SHARE)
    context = {
        "dashboard": dashboard,
        "panels": panels,
        "tiles": [p for p in panels if p.chart == "tile"],
        "charts": [p for p in panels if p.chart != "tile"],
        "form": form,
        "window": window,
        "cached_as_of": builder.cached_as_of,
        "in_progress": window.start <= _today(actor) <= window.end,
        "is_owner": is_owner,
        "is_default": dashboard.kind in KIND_URLS and is_owner,
        "page_url": _dashboard_url(dashboard, actor) if dashboard.pk or is_owner else request.path,
        "can_share": can_share,
        "share_form": DashboardShareForm(initial={"team": dashboard.shared_team_id}, teams=choices.teams)
        if can_share else None,
        "tabs": [{"url": reverse(name), "label": DashboardKind(kind).label,
                  "active": is_owner and dashboard.kind == kind} for kind, name in KIND_URLS.items()],
        "plotly_maplibre_id": plotly_maplibre_id(),
        "needs_team": dashboard.kind == DashboardKind.TEAM and not filters.get("team"),
    }
    return render(request, "analytics/dashboard.html", context)


def _default_view(request: HttpRequest, actor: Actor, kind: str) -> HttpResponse:
    dashboard, widgets = dashboard_default(actor=actor, kind=kind)
    return _render_dashboard(request, actor, dashboard, widgets)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_company_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _default_view(request, actor, DashboardKind.COMPANY)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_team_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _default_view(request, actor, DashboardKind.TEAM)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_personal_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _default_view(request, actor, DashboardKind.PERSONAL)


@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_detail_view(request: HttpRequest, actor: Actor, dashboard_id: int) -> HttpResponse:
    dashboard = access_dashboard(actor=actor, dashboard_id=dashboard_id)
    if refused := _wrong_method(request, "GET"):
        return refused
    return _render_dashboard(request, actor, dashboard, dashboard_widgets(dashboard=dashboard))


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    dashboards = list(dashboard_list(actor=actor))
    return render(request, "analytics/dashboard_list.html", {
        "own": [d for d in dashboards if d.owner_id == actor.user.pk],
        "shared": [d for d in dashboards if d.owner_id != actor.user.pk],
        "kind_urls": {kind: reverse(name) for kind, name in KIND_URLS.items()},
    })


@require_http_methods(["POST"])
@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_customise_view(request: HttpRequest, actor: Actor, kind: str) -> HttpResponse:
    """Save the actor's default dashboard of this kind (if it is not saved yet) and open the editor."""
    if kind not in KIND_URLS:
        raise NotFoundError()
    with transaction.atomic():
        dashboard = dashboard_materialize(actor=actor, kind=kind)
    return redirect("analytics:dashboard-edit", dashboard_id=dashboard.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = DashboardCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                dashboard = dashboard_create(actor=actor, name=form.cleaned_data["name"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect("analytics:dashboard-edit", dashboard_id=dashboard.pk)
    status = 400 if form.is_bound else 200
    return render(request, "analytics/dashboard_create.html", {"form": form}, status=status)


def _catalogue() -> dict[str, Any]:
    """What the editor's script needs to grey out slices a metric cannot be broken down by."""
    return {m.key: {"slices": sorted(m.slices), "snapshot": m.is_snapshot, "required": sorted(m.required_slices)}
            for m in metrics_all()}


def _editor_initial(dashboard: Dashboard, widgets: list[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header: dict[str, Any] = {"name": dashboard.name, "range_preset": dashboard.range_preset,
                              "date_from": dashboard.date_from, "date_to": dashboard.date_to}
    for key in FILTER_KEYS:
        values = dashboard.filters.get(key) or []
        header[key] = values[0] if values else None
    rows = [{"metric": w.metric, "chart": w.chart, "slice": w.slice, "ORDER": index + 1}
            for index, w in enumerate(widgets)]
    return header, rows


def _widget_specs(formset: Any) -> tuple[list[WidgetSpec], list[Any]]:
    forms = [form for form in formset.ordered_forms if form.cleaned_data.get("metric")]
    specs = [WidgetSpec(form.cleaned_data["metric"], form.cleaned_data["chart"], form.cleaned_data.get("slice") or "")
             for form in forms]
    return specs, forms


def _show_errors(error: ApplicationError, form: DashboardForm, widget_forms: list[Any]) -> None:
    header_fields: dict[str, list[str]] = {}
    for name, messages_ in error.fields.items():
        parts = name.split(".")
        if parts[0] == "widgets" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(widget_forms):
            target = widget_forms[int(parts[1])]
            for message in messages_:
                target.add_error(parts[2] if parts[2] in target.fields else None, message)
        else:
            header_fields[parts[-1] if parts[0] == "filters" else name] = messages_
    add_service_error(form, ApplicationError(error.message, fields=header_fields))


@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_edit_view(request: HttpRequest, actor: Actor, dashboard_id: int) -> HttpResponse:
    """Name, default period and filters, and the widgets: add, remove, reorder; saved together."""
    with transaction.atomic():
        if request.method == "POST":
            dashboard = access_dashboard_for_update(actor=actor, dashboard_id=dashboard_id)
        else:
            dashboard = access_dashboard(actor=actor, dashboard_id=dashboard_id)
            if refused := _wrong_method(request, "GET", "POST"):
                return refused
            if dashboard.owner_id != actor.user.pk:
                raise PermissionDeniedError(_("This dashboard was shared with you; only its owner can change it."))
        choices = filter_choices(actor=actor)
        status = 200
        if request.method == "POST":
            form = DashboardForm(request.POST, choices=choices.as_dict())
            formset = WidgetFormSet(request.POST, prefix="w")
            version = request.POST.get("version", "")
            if form.is_valid() and formset.is_valid():
                specs, widget_forms = _widget_specs(formset)
                data = form.cleaned_data
                try:
                    with transaction.atomic():
                        dashboard_save(
                            actor=actor, dashboard=dashboard, name=data["name"], widgets=specs,
                            version=int(version) if version.isdigit() else -1,
                            range_preset=data["range_preset"], date_from=data.get("date_from"),
                            date_to=data.get("date_to"), filters=form.chosen_filters(),
                        )
                except ApplicationError as error:
                    _show_errors(error, form, widget_forms)
                    status = error_status(error)
                else:
                    messages.success(request, _("Dashboard “%(name)s” saved.") % {"name": data["name"]})
                    return redirect(_dashboard_url(dashboard, actor))
            else:
                status = 400
        else:
            header, initial_rows = _editor_initial(dashboard, dashboard_widgets(dashboard=dashboard))
            form = DashboardForm(initial=header, choices=choices.as_dict())
            formset = WidgetFormSet(initial=initial_rows, prefix="w")
            version = str(dashboard.version)
    initial_count = formset.initial_form_count()
    rows = [(widget_form, index >= initial_count and (not formset.is_bound or not widget_form.has_changed()))
            for index, widget_form in enumerate(formset.forms)]
    return render(request, "analytics/dashboard_edit.html", {
        "dashboard": dashboard, "form": form, "formset": formset, "rows": rows, "version": version,
        "catalogue": _catalogue(), "cancel_url": _dashboard_url(dashboard, actor),
        "custom_preset": RangePreset.CUSTOM,
    }, status=status)


@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_share_view(request: HttpRequest, actor: Actor, dashboard_id: int) -> HttpResponse:
    with transaction.atomic():
        dashboard = access_dashboard_for_update(actor=actor, dashboard_id=dashboard_id)
        if refused := _wrong_method(request, "POST"):
            return refused
        actor.require(Capability.DASHBOARDS_SHARE)
        form = DashboardShareForm(request.POST, teams=filter_choices(actor=actor).teams)
        if not form.is_valid():
            messages.error(request, _("Choose a team from the list."))
            return redirect(_dashboard_url(dashboard, actor))
        team_id = form.cleaned_data["team"]
        team = None
        if team_id is not None:
            team = access_team(actor=actor, team_id=team_id)
        dashboard = dashboard_share(actor=actor, dashboard=dashboard, team=team)
    if team is None:
        messages.success(request, _("The dashboard is no longer shared."))
    else:
        messages.success(request, _("Shared with %(team)s: its members see it read-only, each with the numbers "
                                    "they may see.") % {"team": team.name})
    return redirect(_dashboard_url(dashboard, actor))


@actor_required(Capability.ANALYTICS_VIEW)
def dashboard_delete_view(request: HttpRequest, actor: Actor, dashboard_id: int) -> HttpResponse:
    with transaction.atomic():
        if request.method == "POST":
            dashboard = access_dashboard_for_update(actor=actor, dashboard_id=dashboard_id)
            name, kind = dashboard.name, dashboard.kind
            dashboard_delete(actor=actor, dashboard=dashboard)
            messages.success(request, _("Dashboard “%(name)s” deleted.") % {"name": name})
            return redirect(KIND_URLS.get(kind, "analytics:dashboard-list"))
        dashboard = access_dashboard(actor=actor, dashboard_id=dashboard_id)
        if refused := _wrong_method(request, "GET", "POST"):
            return refused
        if dashboard.owner_id != actor.user.pk:
            raise PermissionDeniedError(_("This dashboard was shared with you; only its owner can delete it."))
    return render(request, "analytics/dashboard_delete.html", {
        "dashboard": dashboard, "cancel_url": _dashboard_url(dashboard, actor),
        "is_default": dashboard.kind in KIND_URLS,
    })

