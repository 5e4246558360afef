"""What the list pages, bulk actions and saved views share: the spec from the URL, the context."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.accounts.selectors import membership_list
from voronka.core.errors import NotFoundError

from ..listing import PER_PAGE_CHOICES, SPECS, ListPage, ListSpec
from ..models import Stage


def spec_for(entity: str) -> ListSpec:
    try:
        return SPECS[entity]
    except KeyError:
        raise NotFoundError() from None


def list_context(request: HttpRequest, actor: Actor, listing: ListPage) -> dict[str, Any]:
    spec = listing.spec
    can_edit = actor.can(spec.edit_capability)
    context: dict[str, Any] = {
        "listing": listing,
        "spec": spec,
        "list_url": spec.list_url,
        "query": listing.query.urlencode(),
        "per_page_choices": PER_PAGE_CHOICES,
        "create_url": reverse(spec.create_url) if spec.create_url and can_edit else None,
        "import_url": reverse("crm:imports") if actor.can(Capability.CRM_IMPORT) else None,
        "can_export": actor.can(Capability.CRM_EXPORT),
        "export_url": reverse("crm:list-export", args=[spec.entity]),
        "bulk_url": reverse("crm:list-bulk", args=[spec.entity]),
        "saved_view_create_url": reverse("crm:saved-view-create", args=[spec.entity]),
        "can_assign": actor.can(Capability.CRM_ASSIGN),
        "can_delete": actor.can(Capability.CRM_DELETE),
        "can_tag": can_edit and spec.has_tags,
        "can_move": spec.has_stages and actor.can(Capability.CRM_EDIT_DEALS),
    }
    context["has_bulk"] = any(context[name] for name in ("can_assign", "can_delete", "can_tag", "can_move"))
    if context["has_bulk"] and not request.htmx:  # type: ignore[attr-defined]
        if context["can_assign"]:
            context["owners"] = [(m.user_id, m.user.display_name) for m in membership_list(actor=actor)]
        if context["can_move"]:
            context["stages"] = list(
                Stage.objects.filter(workspace_id=actor.workspace.pk).select_related("pipeline")
                .order_by("pipeline__order", "pipeline_id", "order", "id")
            )
    return context


def wrong_method(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    """405 for a method the route does not take, checked after the object was resolved so that
    another workspace's id is a 404 whatever the method (the route matrix asks for that)."""
    if request.method in allowed or (request.method == "HEAD" and "GET" in allowed):
        return None
    return HttpResponseNotAllowed(list(allowed))
