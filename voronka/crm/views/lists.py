"""The lists of deals, companies, contacts and activities, and their export (CSV/XLSX)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.navigation import NavEntry, Part

from ..exporting import export_rows
from ..listing import audit_list_action, build_list, export_table, filter_query, quota_check
from .list_support import list_context, spec_for

EXPORT_FORMATS = ("csv", "xlsx")


def nav_entries() -> list[NavEntry]:
    """Menu entries of the lists and CRM settings; the lead registers them in CrmConfig.ready()."""
    return [
        NavEntry("crm:deal-list", _("Deals"), Part.SELL, "voronka.crm", "crm.view", order=20),
        NavEntry("crm:company-list", _("Companies"), Part.TOOLS, "voronka.crm", "crm.view", order=10),
        NavEntry("crm:contact-list", _("Contacts"), Part.TOOLS, "voronka.crm", "crm.view", order=11),
        NavEntry("crm:activity-list", _("Activities"), Part.TOOLS, "voronka.crm", "crm.view", order=12),
        NavEntry("crm:settings", _("CRM settings"), Part.TOOLS, "voronka.crm", "crm.configure", order=80),
    ]


def _render(request: HttpRequest, actor: Actor, entity: str) -> HttpResponse:
    spec = spec_for(entity)
    context = list_context(request, actor, build_list(actor, spec, request.GET))
    if request.htmx and request.headers.get("HX-Target") == "list-results":  # type: ignore[attr-defined]
        return render(request, "crm/lists/_results.html", context)
    return render(request, "crm/lists/list.html", context)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_VIEW)
def deal_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _render(request, actor, "deals")


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_VIEW)
def company_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _render(request, actor, "companies")


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_VIEW)
def contact_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _render(request, actor, "contacts")


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_VIEW)
def activity_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _render(request, actor, "activities")


@require_http_methods(["POST"])
@actor_required(Capability.CRM_EXPORT)
def list_export_view(request: HttpRequest, actor: Actor, entity: str) -> HttpResponse:
    """POST (it writes an audit row): the list's filters and sort come in the query string."""
    spec = spec_for(entity)
    fmt = request.POST.get("fmt", "csv")
    if fmt not in EXPORT_FORMATS:
        raise ApplicationError(_("Choose CSV or XLSX."), fields={"fmt": [str(_("Not a valid choice."))]})
    params: QueryDict = request.GET
    with transaction.atomic():
        quota_check(actor)
        headers, rows, count = export_table(actor, spec, params)
        content, content_type, ext = export_rows(rows=list(rows), headers=headers, fmt=fmt)
        audit_list_action(actor=actor, action="crm.export", diff={
            "entity": entity, "format": fmt, "filters": filter_query(params).urlencode()[:1000], "rows": count,
        })
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{entity}-{stamp}.{ext}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
