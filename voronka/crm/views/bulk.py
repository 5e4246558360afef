"""Bulk actions on the rows selected in a list: assign owner, move stage, add tag, delete.

Ids come from the form; only those the actor sees (access.visible_*) are acted on, the rest are
reported as not found. Each row goes through its service on its own, so one refusal (a stale
version, a stage gate) does not undo the others, and the page says which failed and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.models import Membership
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import safe_next

from ..access import access_stage
from ..listing import ListSpec, audit_list_action, quota_check
from ..services.deals import deal_move_stage
from ..services.records import record_delete, record_set_owner
from ..services.tags import tags_add
from .list_support import spec_for

MAX_IDS = 500
ACTIONS: dict[str, Capability | None] = {
    "assign": Capability.CRM_ASSIGN,
    "stage": Capability.CRM_EDIT_DEALS,
    "tag": None,  # the list's edit capability
    "delete": Capability.CRM_DELETE,
}


@dataclass
class BulkResult:
    done: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (record, reason)
    not_found: int = 0


def _ids(request: HttpRequest) -> list[int]:
    found: list[int] = []
    for raw in request.POST.getlist("ids")[:MAX_IDS]:
        try:
            value = int(raw)
        except ValueError:
            continue
        if value > 0 and value not in found:
            found.append(value)
    return found


def _records(actor: Actor, spec: ListSpec, ids: list[int]) -> list[Any]:
    queryset = spec.visible(actor).filter(pk__in=ids)
    if spec.has_stages:
        queryset = queryset.select_related("stage", "pipeline")
    by_pk = {record.pk: record for record in queryset}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _member(actor: Actor, raw: str | None) -> Any:
    try:
        user_id = int(raw or "")
    except ValueError:
        raise ApplicationError(_("Choose an owner."), fields={"owner": [_("Choose an owner.")]}) from None
    membership = Membership.objects.filter(
        workspace_id=actor.workspace.pk, user_id=user_id, is_active=True
    ).select_related("user").first()
    if membership is None:
        raise ApplicationError(_("Choose an owner."), fields={"owner": [_("Choose an owner.")]})
    return membership.user


def _each(records: list[Any], result: BulkResult, apply: Any) -> None:
    for record in records:
        try:
            with transaction.atomic():
                apply(record)
        except ApplicationError as error:
            result.failed.append((str(record), str(error.message)))
        else:
            result.done += 1


def _run(actor: Actor, spec: ListSpec, action: str, request: HttpRequest, records: list[Any]) -> BulkResult:
    result = BulkResult()
    if action == "assign":
        owner = _member(actor, request.POST.get("owner"))
        _each(records, result, lambda record: record_set_owner(actor=actor, record=record, owner=owner))
    elif action == "stage":
        stage = access_stage(actor=actor, stage_id=request.POST.get("stage"))
        _each(records, result, lambda deal: deal_move_stage(actor=actor, deal=deal, stage=stage, version=deal.version))
    elif action == "tag":
        names = [name for name in (request.POST.get("tag") or "").split(",") if name.strip()]
        if not names:
            raise ApplicationError(_("Type a tag."), fields={"tag": [_("Type a tag.")]})
        with transaction.atomic():
            result.done = tags_add(actor=actor, records=records, names=names)
    elif action == "delete":
        _each(records, result, lambda record: record_delete(actor=actor, record=record))
    return result


def _report(request: HttpRequest, action: str, result: BulkResult) -> None:
    done_messages = {
        "assign": ngettext("%(count)d record reassigned.", "%(count)d records reassigned.", result.done),
        "stage": ngettext("%(count)d deal moved.", "%(count)d deals moved.", result.done),
        "tag": ngettext("%(count)d record tagged.", "%(count)d records tagged.", result.done),
        "delete": ngettext("%(count)d record deleted.", "%(count)d records deleted.", result.done),
    }
    messages.success(request, done_messages[action] % {"count": result.done})
    for record, reason in result.failed[:20]:
        messages.warning(request, _("“%(record)s” was not changed: %(reason)s") % {"record": record, "reason": reason})
    if result.not_found:
        messages.warning(request, ngettext(
            "%(count)d selected record was not found.", "%(count)d selected records were not found.",
            result.not_found,
        ) % {"count": result.not_found})


@require_http_methods(["POST"])
@actor_required(Capability.CRM_VIEW)
def list_bulk_view(request: HttpRequest, actor: Actor, entity: str) -> HttpResponse:
    spec = spec_for(entity)
    action = request.POST.get("action", "")
    if action not in ACTIONS or (action == "stage" and not spec.has_stages) or (action == "tag" and not spec.has_tags):
        raise ApplicationError(_("Choose an action."), fields={"action": [_("Not a valid choice.")]})
    actor.require(ACTIONS[action] or spec.edit_capability)
    back = safe_next(request, spec.list_url)
    ids = _ids(request)
    if not ids:
        messages.warning(request, _("Select at least one row."))
        return redirect(back)
    records = _records(actor, spec, ids)
    if action == "delete" and request.POST.get("confirm") != "yes":
        return render(request, "crm/lists/bulk_confirm.html", {
            "spec": spec, "records": records, "count": len(records), "missing": len(ids) - len(records),
            "back": back,
        })
    quota_check(actor)
    result = _run(actor, spec, action, request, records)
    result.not_found = len(ids) - len(records)
    with transaction.atomic():
        audit_list_action(actor=actor, action="crm.bulk", diff={
            "entity": entity, "action": action, "selected": len(ids), "done": result.done,
            "failed": len(result.failed), "not_found": result.not_found,
        })
    _report(request, action, result)
    return redirect(back)
