"""Deals: create, edit, move through the pipeline, win, lose, reopen, delete.

Every stage change goes through `_enter_stage`: the stage's required fields, the version check,
the StageTransition, the timeline, the audit row and the events, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.models import Membership
from voronka.accounts.roles import Capability
from voronka.channels.models import SalesChannel
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ConflictError, NotFoundError
from voronka.core.events import publish_on_commit
from voronka.core.models import AuditEntry

from ..access import visible_companies, visible_contacts
from ..events import DealClosed, DealStageChanged
from ..models import Deal, DealStatus, LostReason, Pipeline, Stage, StageKind, StageTransition
from ..selectors.pipelines import visible_pipelines
from .custom_fields import custom_values_clean
from .pipelines import CUSTOM_PREFIX
from .tags import tag_names_clean, tags_set
from .timeline import timeline_add

MONEY_MAX = Decimal("99999999999999.99")  # max_digits=16, decimal_places=2
CENT = Decimal("0.01")

# Fields a client may set through deal_create / deal_update; anything else in `data` is ignored (R5).
_EDITABLE = ("title", "company", "contacts", "amount", "cost", "expected_close_date", "probability_override",
             "channel", "lead_source", "custom", "tags", "owner")
_STATUS_FOR_KIND = {StageKind.OPEN: DealStatus.OPEN, StageKind.WON: DealStatus.WON, StageKind.LOST: DealStatus.LOST}


# --- reading a deal back --------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def deal_last_change(*, deal: Deal) -> dict[str, Any]:
    """Who changed the deal last and when, from the audit trail (for "Anna changed this 2 minutes ago")."""
    entry = (
        AuditEntry.objects.filter(target_type="crm.deal", target_id=str(deal.pk))
        .select_related("actor").order_by("-created_at", "-id").first()
    )
    if entry is None:
        return {"changed_by": None, "changed_by_id": None, "changed_at": None}
    actor = entry.actor
    return {
        "changed_by": (actor.full_name or actor.email) if actor else None,
        "changed_by_id": entry.actor_id,
        "changed_at": entry.created_at.isoformat(),
    }


def deal_read_dict(*, deal_id: int) -> dict[str, Any]:
    """The deal as it is in the database now, JSON-ready: the `current` of a 409."""
    deal = Deal.objects.select_related("stage", "owner", "company").get(pk=deal_id)
    return {
        "id": deal.pk,
        "title": deal.title,
        "pipeline_id": deal.pipeline_id,
        "stage_id": deal.stage_id,
        "stage_name": deal.stage.name,
        "status": deal.status,
        "amount": str(deal.amount),
        "cost": str(deal.cost),
        "amount_is_manual": deal.amount_is_manual,
        "expected_close_date": _jsonable(deal.expected_close_date),
        "probability": deal.probability,
        "probability_override": deal.probability_override,
        "owner_id": deal.owner_id,
        "owner_name": (deal.owner.full_name or deal.owner.email) if deal.owner else None,
        "team_id": deal.team_id,
        "company_id": deal.company_id,
        "company_name": deal.company.name if deal.company else None,
        "contact_ids": sorted(deal.contacts.values_list("pk", flat=True)),
        "channel_id": deal.channel_id,
        "lead_source": deal.lead_source,
        "lost_reason_id": deal.lost_reason_id,
        "lost_note": deal.lost_note,
        "closed_at": _jsonable(deal.closed_at),
        "custom": deal.custom,
        "version": deal.version,
        "updated_at": deal.updated_at.isoformat(),
        **deal_last_change(deal=deal),
    }


def _fresh(deal_id: int) -> Deal:
    return Deal.objects.select_related(
        "owner", "team", "company", "pipeline", "stage", "channel", "lost_reason"
    ).get(pk=deal_id)


def _conflict(deal_id: int) -> ConflictError:
    return ConflictError(current=deal_read_dict(deal_id=deal_id))


def _lock(deal: Deal, version: Any) -> Deal:
    """The deal's row, locked; a stale version is a 409 with what the deal is now."""
    current = Deal.objects.select_for_update(of=("self",)).select_related("stage", "pipeline").filter(
        pk=deal.pk
    ).first()
    if current is None:
        raise NotFoundError()
    if not isinstance(version, int) or isinstance(version, bool) or current.version != version:
        raise _conflict(deal.pk)
    return current


def _bump(deal_id: int, version: int, now: dt.datetime, **fields: Any) -> None:
    """Write `fields` only if nobody moved the version on; the check and the write are one statement."""
    updated = Deal.objects.filter(pk=deal_id, version=version).update(
        **fields, version=F("version") + 1, updated_at=now
    )
    if not updated:
        raise _conflict(deal_id)


# --- cleaning input -------------------------------------------------------------------------


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, fields={field: [message]})


def _pk(value: Any, field: str) -> int:
    if isinstance(value, Model):
        return int(value.pk)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise _field_error(field, _("Choose a valid item."))


def _given(data: dict[str, Any], name: str) -> tuple[bool, Any]:
    """Whether `name` (or `name_id` / `contact_ids` style) is in data, and its value."""
    for key in (name, f"{name}_id", f"{name[:-1]}_ids" if name.endswith("s") else ""):
        if key and key in data:
            return True, data[key]
    return False, None


def _clean_money(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _field_error(field, _("Enter an amount."))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _field_error(field, _("Enter a number.")) from None
    if not number.is_finite():
        raise _field_error(field, _("Enter a number."))
    if number < 0:
        raise _field_error(field, _("Must be zero or more."))
    if number > MONEY_MAX:
        raise _field_error(field, _("The amount is too large."))
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _clean_text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _field_error(field, _("Enter text."))
    value = value.strip()
    if "\x00" in value:
        raise _field_error(field, _("Enter text."))
    if required and not value:
        raise _field_error(field, _("This field is required."))
    if len(value) > max_length:
        raise _field_error(field, _("At most %(n)d characters.") % {"n": max_length})
    return value


def _clean_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise _field_error(field, _("Enter a date as YYYY-MM-DD."))
    return parsed


def _clean_probability(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise _field_error("probability_override", _("Enter 0–100 or leave empty."))
    return value


def _clean_company(actor: Actor, value: Any) -> int | None:
    if value is None or value == "":
        return None
    company_id = _pk(value, "company")
    if not visible_companies(actor).filter(pk=company_id).exists():
        raise _field_error("company", _("This company does not exist or is not visible to you."))
    return company_id


def _clean_contacts(actor: Actor, value: Any) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list | tuple | set):
        raise _field_error("contacts", _("Choose valid contacts."))
    ids = sorted({_pk(item, "contacts") for item in value})
    if len(ids) > 100:
        raise _field_error("contacts", _("At most 100 contacts."))
    if visible_contacts(actor).filter(pk__in=ids).count() != len(ids):
        raise _field_error("contacts", _("A contact does not exist or is not visible to you."))
    return ids


def _clean_channel(actor: Actor, value: Any) -> int | None:
    if value is None or value == "":
        return None
    channel_id = _pk(value, "channel")
    if not SalesChannel.objects.filter(workspace_id=actor.workspace.pk, pk=channel_id).exists():
        raise _field_error("channel", _("Choose a sales channel of this workspace."))
    return channel_id


def _clean_owner(actor: Actor, value: Any) -> tuple[int, int | None]:
    """(owner id, team id): the team follows the owner's membership."""
    owner_id = actor.user.pk if value is None else _pk(value, "owner")
    if owner_id != actor.user.pk:
        actor.require(Capability.CRM_ASSIGN)
    membership = Membership.objects.filter(
        workspace_id=actor.workspace.pk, user_id=owner_id, is_active=True
    ).first()
    if membership is None:
        raise _field_error("owner", _("Choose an active member of this workspace."))
    return owner_id, membership.team_id


def _clean_custom(actor: Actor, value: Any, existing: dict[str, Any] | None = None) -> dict[str, Any]:
    return custom_values_clean(workspace_id=actor.workspace.pk, entity="deal", values=value, current=existing)


def _clean_fields(actor: Actor, data: dict[str, Any], *, existing: Deal | None) -> dict[str, Any]:
    """The editable fields present in `data`, cleaned: model field name → value; m2m under their names."""
    cleaned: dict[str, Any] = {}
    for name in _EDITABLE:
        present, value = _given(data, name)
        if not present:
            continue
        if name == "title":
            cleaned["title"] = _clean_text(value, "title", max_length=200, required=True)
        elif name == "company":
            cleaned["company_id"] = _clean_company(actor, value)
        elif name == "contacts":
            cleaned["contacts"] = _clean_contacts(actor, value)
        elif name in ("amount", "cost"):
            cleaned[name] = _clean_money(value, name)
        elif name == "expected_close_date":
            cleaned[name] = _clean_date(value, name)
        elif name == "probability_override":
            cleaned[name] = _clean_probability(value)
        elif name == "channel":
            cleaned["channel_id"] = _clean_channel(actor, value)
        elif name == "lead_source":
            cleaned[name] = _clean_text(value, name, max_length=100)
        elif name == "custom":
            cleaned["custom"] = _clean_custom(actor, value, existing.custom if existing else None)
        elif name == "tags":
            cleaned["tags"] = tag_names_clean(value)
        elif name == "owner" and value is not None:  # None keeps the owner (create: the actor)
            cleaned["owner_id"], cleaned["team_id"] = _clean_owner(actor, value)
    return cleaned


# --- the stage gate -------------------------------------------------------------------------


def _is_filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def missing_required_fields(*, stage: Stage, values: dict[str, Any]) -> list[str]:
    """Names in stage.required_fields that `values` (company_id, contacts, amount, …, custom) leaves empty."""
    missing = []
    for name in stage.required_fields or []:
        if name.startswith(CUSTOM_PREFIX):
            filled = _is_filled((values.get("custom") or {}).get(name.removeprefix(CUSTOM_PREFIX)))
        elif name == "amount":
            filled = (values.get("amount") or Decimal(0)) > 0
        elif name in ("company", "channel"):
            filled = values.get(f"{name}_id") is not None
        else:
            filled = _is_filled(values.get(name))
        if not filled:
            missing.append(name)
    return missing


def _deal_values(deal: Deal) -> dict[str, Any]:
    return {
        "company_id": deal.company_id, "contacts": list(deal.contacts.values_list("pk", flat=True)),
        "amount": deal.amount, "expected_close_date": deal.expected_close_date, "channel_id": deal.channel_id,
        "lead_source": deal.lead_source, "custom": deal.custom,
    }


def _check_gate(stage: Stage, values: dict[str, Any]) -> None:
    missing = missing_required_fields(stage=stage, values=values)
    if missing:
        message = _("Fill these fields before the deal enters %(stage)s.") % {"stage": stage.name}
        raise ApplicationError(
            message, code="stage_gate", fields={name: [_("Required in this stage.")] for name in missing},
            extra={"missing_fields": missing},
        )


# --- create, update, delete -----------------------------------------------------------------


def _pipeline_for(actor: Actor, data: dict[str, Any]) -> Pipeline:
    present, value = _given(data, "pipeline")
    pipelines = visible_pipelines(actor)
    if present and value not in (None, ""):
        pipeline = pipelines.filter(pk=_pk(value, "pipeline")).first()
    else:
        pipeline = pipelines.order_by("-is_default", "order", "id").first()
    if pipeline is None:
        raise _field_error("pipeline", _("Choose a pipeline you work in."))
    return pipeline


def _stage_for(pipeline: Pipeline, data: dict[str, Any]) -> Stage:
    present, value = _given(data, "stage")
    stages = Stage.objects.filter(pipeline=pipeline)
    if present and value not in (None, ""):
        stage = stages.filter(pk=_pk(value, "stage")).first()
    else:
        stage = stages.filter(kind=StageKind.OPEN).order_by("order", "id").first()
    if stage is None:
        raise _field_error("stage", _("Choose a stage of this pipeline."))
    return stage


def _lost_reason_for(actor: Actor, value: Any) -> LostReason:
    if value is None or value == "":
        raise _field_error("lost_reason", _("Choose why the deal was lost."))
    reason = value if isinstance(value, LostReason) else (
        LostReason.objects.filter(workspace_id=actor.workspace.pk, pk=_pk(value, "lost_reason")).first()
    )
    if reason is None or not reason.is_active:
        raise _field_error("lost_reason", _("Choose why the deal was lost."))
    ensure_same_workspace(actor, reason)
    return reason


@transaction.atomic
def deal_create(*, actor: Actor, data: dict[str, Any]) -> Deal:
    """Open a deal in a pipeline stage (default: the first open stage), owned by the actor unless assigned."""
    actor.require(Capability.CRM_EDIT_DEALS)
    if "title" not in data:
        raise _field_error("title", _("This field is required."))
    pipeline = _pipeline_for(actor, data)
    stage = _stage_for(pipeline, data)
    fields = _clean_fields(actor, data, existing=None)
    if "owner_id" not in fields:
        fields["owner_id"], fields["team_id"] = _clean_owner(actor, None)
    if "custom" not in fields:
        fields["custom"] = _clean_custom(actor, {})  # required custom fields must be filled
    contacts = fields.pop("contacts", [])
    tags = fields.pop("tags", None)
    _check_gate(stage, {**fields, "contacts": contacts})
    now = timezone.now()
    status = _STATUS_FOR_KIND[StageKind(stage.kind)]
    lost_reason = None
    if status == DealStatus.LOST:
        lost_reason = _lost_reason_for(actor, _given(data, "lost_reason")[1])
    deal = Deal.objects.create(
        workspace=actor.workspace, pipeline=pipeline, stage=stage, status=status, stage_entered_at=now,
        closed_at=now if status != DealStatus.OPEN else None, lost_reason=lost_reason, created_at=now, **fields,
    )
    if contacts:
        deal.contacts.set(contacts)
    if tags:
        tags_set(record=deal, names=tags)
    StageTransition.objects.create(workspace=actor.workspace, deal=deal, from_stage=None, to_stage=stage, at=now,
                                   actor=actor.user)
    timeline_add(kind="deal_created", workspace_id=actor.workspace.pk, actor=actor.user, deal=deal, at=now,
                 data={"title": deal.title, "stage_id": stage.pk, "stage": stage.name})
    audit_record(action="deal.create", actor=actor.user, target=deal, diff={
        "title": deal.title, "amount": str(deal.amount), "owner": deal.owner_id, "stage": stage.pk,
    })
    publish_on_commit(DealStageChanged(workspace_id=actor.workspace.pk, deal_id=deal.pk, from_stage_id=None,
                                       to_stage_id=stage.pk, actor_id=actor.user.pk))
    return _fresh(deal.pk)


@transaction.atomic
def deal_update(*, actor: Actor, deal: Deal, data: dict[str, Any], version: Any) -> Deal:
    """Edit a deal's fields (not its stage or status); a stale `version` is a 409."""
    actor.require(Capability.CRM_EDIT_DEALS)
    ensure_same_workspace(actor, deal)
    current = _lock(deal, version)
    fields = _clean_fields(actor, data, existing=current)
    contacts = fields.pop("contacts", None)
    tags = fields.pop("tags", None)
    if "amount" in fields and not current.amount_is_manual and fields["amount"] != current.amount:
        raise _field_error("amount", _("The amount is the sum of the line items; edit those instead."))
    if "owner_id" in fields and fields["owner_id"] == current.owner_id:
        fields.pop("owner_id")
        fields.pop("team_id")
    diff = {name: [_jsonable(getattr(current, name)), _jsonable(value)]
            for name, value in fields.items() if getattr(current, name) != value}
    old_contacts = sorted(current.contacts.values_list("pk", flat=True))
    if contacts is not None and contacts != old_contacts:
        diff["contacts"] = [old_contacts, contacts]
    if tags is not None:
        old_tags = sorted(current.tags.values_list("name", flat=True))
        if sorted(name.casefold() for name in old_tags) != sorted(name.casefold() for name in tags):
            diff["tags"] = [old_tags, tags]
        else:
            tags = None
    if not diff:
        return _fresh(current.pk)
    now = timezone.now()
    _bump(current.pk, current.version, now, **{name: fields[name] for name in fields if name in diff or
                                               (name == "team_id" and "owner_id" in diff)})
    if "contacts" in diff:
        current.contacts.set(contacts or [])
    if tags is not None:
        tags_set(record=current, names=tags)
    if "amount" in diff:
        audit_record(action="deal.amount", actor=actor.user, target=current, diff={"amount": diff["amount"]})
    if "owner_id" in diff:
        audit_record(action="deal.owner", actor=actor.user, target=current, diff={"owner": diff["owner_id"]})
    rest = {name: change for name, change in diff.items() if name not in ("amount", "owner_id", "team_id")}
    if rest:
        audit_record(action="deal.update", actor=actor.user, target=current, diff=rest)
    timeline_add(kind="deal_updated", workspace_id=actor.workspace.pk, actor=actor.user, deal=current, at=now,
                 data={"fields": sorted(name.removesuffix("_id") for name in diff if name != "team_id")})
    return _fresh(current.pk)


@transaction.atomic
def deal_delete(*, actor: Actor, deal: Deal) -> None:
    """Delete a deal with its history (audited)."""
    actor.require(Capability.CRM_DELETE)
    ensure_same_workspace(actor, deal)
    audit_record(action="deal.delete", actor=actor.user, target=deal,
                 diff={"title": deal.title, "amount": str(deal.amount), "owner": deal.owner_id})
    deal.delete()


# --- moving through the pipeline --------------------------------------------------------------


def _enter_stage(*, actor: Actor, deal: Deal, stage: Stage, version: Any, lost_reason: Any = None,
                 note: str = "") -> Deal:
    actor.require(Capability.CRM_EDIT_DEALS)
    ensure_same_workspace(actor, deal, stage)
    if stage.pipeline_id != deal.pipeline_id:
        raise ApplicationError(_("That stage belongs to another pipeline."), code="stage_mismatch",
                               fields={"stage": [_("Choose a stage of the deal's pipeline.")]})
    current = _lock(deal, version)
    if current.stage_id == stage.pk:
        return _fresh(current.pk)
    _check_gate(stage, _deal_values(current))
    now = timezone.now()
    status = _STATUS_FOR_KIND[StageKind(stage.kind)]
    fields: dict[str, Any] = {"stage": stage, "stage_entered_at": now, "status": status}
    if status == DealStatus.LOST:
        reason = _lost_reason_for(actor, lost_reason)
        fields.update(lost_reason=reason, lost_note=_clean_text(note, "note", max_length=500),
                      closed_at=now if current.status != DealStatus.LOST else current.closed_at)
    elif status == DealStatus.WON:
        fields.update(lost_reason=None, lost_note="",
                      closed_at=now if current.status != DealStatus.WON else current.closed_at)
    else:
        fields.update(lost_reason=None, lost_note="", closed_at=None)
    _bump(current.pk, current.version, now, **fields)
    from_stage = current.stage
    StageTransition.objects.create(workspace=actor.workspace, deal=current, from_stage=from_stage, to_stage=stage,
                                   at=now, actor=actor.user)
    timeline_add(kind="stage_changed", workspace_id=actor.workspace.pk, actor=actor.user, deal=current, at=now,
                 data={"from_stage_id": from_stage.pk, "from": from_stage.name, "to_stage_id": stage.pk,
                       "to": stage.name})
    diff: dict[str, Any] = {"stage": [from_stage.pk, stage.pk]}
    if status != current.status:
        diff["status"] = [current.status, status]
        entry = {DealStatus.WON: "deal_won", DealStatus.LOST: "deal_lost", DealStatus.OPEN: "deal_reopened"}
        extra = {"lost_reason": fields["lost_reason"].name, "note": fields["lost_note"]} if (
            status == DealStatus.LOST) else {}
        timeline_add(kind=entry[status], workspace_id=actor.workspace.pk, actor=actor.user, deal=current, at=now,
                     data={"stage": stage.name, **extra})
    if status == DealStatus.LOST:
        diff["lost_reason"] = [current.lost_reason_id, fields["lost_reason"].pk]
    audit_record(action="deal.stage", actor=actor.user, target=current, diff=diff)
    publish_on_commit(DealStageChanged(workspace_id=actor.workspace.pk, deal_id=current.pk,
                                       from_stage_id=from_stage.pk, to_stage_id=stage.pk, actor_id=actor.user.pk))
    if status != current.status and status != DealStatus.OPEN:
        publish_on_commit(DealClosed(workspace_id=actor.workspace.pk, deal_id=current.pk, status=str(status),
                                     actor_id=actor.user.pk))
    return _fresh(current.pk)


@transaction.atomic
def deal_move_stage(*, actor: Actor, deal: Deal, stage: Stage, version: Any, lost_reason: Any = None,
                    note: str = "") -> Deal:
    """Move a deal, record the transition, and tell the rest of the system."""
    return _enter_stage(actor=actor, deal=deal, stage=stage, version=version, lost_reason=lost_reason, note=note)


def _closing_stage(deal: Deal, kind: StageKind) -> Stage:
    stages = Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=kind)
    if kind == StageKind.LOST and deal.stage.kind == StageKind.LOST:
        return deal.stage
    stage = stages.order_by("order", "id").first()
    if stage is None:
        raise ApplicationError(_("This pipeline has no stage for that."), code="stage_kinds")
    return stage


@transaction.atomic
def deal_mark_won(*, actor: Actor, deal: Deal, version: Any) -> Deal:
    """Close the deal as won: it moves to the pipeline's won stage."""
    return _enter_stage(actor=actor, deal=deal, stage=_closing_stage(deal, StageKind.WON), version=version)


@transaction.atomic
def deal_mark_lost(*, actor: Actor, deal: Deal, version: Any, lost_reason: Any, note: str = "") -> Deal:
    """Close the deal as lost for a reason: it moves to the pipeline's lost stage."""
    actor.require(Capability.CRM_EDIT_DEALS)
    reason = _lost_reason_for(actor, lost_reason)
    return _enter_stage(actor=actor, deal=deal, stage=_closing_stage(deal, StageKind.LOST), version=version,
                        lost_reason=reason, note=note)


@transaction.atomic
def deal_reopen(*, actor: Actor, deal: Deal, version: Any, stage: Stage | None = None) -> Deal:
    """Reopen a won or lost deal in an open stage (default: the pipeline's first)."""
    actor.require(Capability.CRM_EDIT_DEALS)
    ensure_same_workspace(actor, deal, stage)
    if deal.status == DealStatus.OPEN:
        raise ApplicationError(_("This deal is already open."), code="deal_open")
    if stage is None:
        stage = Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=StageKind.OPEN).order_by("order", "id").first()
    if stage is None or stage.kind != StageKind.OPEN:
        raise _field_error("stage", _("Choose an open stage."))
    return _enter_stage(actor=actor, deal=deal, stage=stage, version=version)


__all__ = [
    "deal_create", "deal_delete", "deal_last_change", "deal_mark_lost", "deal_mark_won", "deal_move_stage",
    "deal_read_dict", "deal_reopen", "deal_update", "missing_required_fields",
]
