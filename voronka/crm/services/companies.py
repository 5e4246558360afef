"""Companies: create, update (optimistic locking), delete.

`data` keys: name, domain, industry, size_band, country, region, city, annual_revenue,
channel (SalesChannel or None) or channel_id, owner (User) or owner_id, custom (dict), tags
(list of names). Other keys (workspace, team, version, …) are ignored: no mass assignment.
An update changes only the keys present.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.channels.models import SalesChannel
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from ..models import Company, CustomEntity, SizeBand
from ..normalize import name_key, normalize_domain
from .custom_fields import custom_values_clean
from .records import (
    clean_choice,
    clean_decimal,
    clean_text,
    owner_change,
    owner_for_create,
    record_delete,
    record_update_finish,
    timeline_for,
    versioned_update,
    wanted_owner,
)
from .tags import tags_set

TEXT_FIELDS = {"industry": 100, "country": 100, "region": 100, "city": 100}


def _channel_id(*, actor: Actor, data: dict[str, Any]) -> int | None:
    channel = data.get("channel") if "channel" in data else None
    if channel is not None:
        ensure_same_workspace(actor, channel)
        return int(channel.pk)
    channel_id = data.get("channel_id")
    if channel_id is None or channel_id == "":
        return None
    try:
        pk = int(channel_id)
    except (TypeError, ValueError):
        pk = 0
    if pk <= 0 or not SalesChannel.objects.filter(workspace_id=actor.workspace.pk, pk=pk).exists():
        raise ApplicationError(_("Check the highlighted fields."),
                               fields={"channel_id": [_("Choose a sales channel of this workspace.")]})
    return pk


def _clean(*, actor: Actor, data: dict[str, Any], partial: bool) -> dict[str, Any]:
    """Columns to write for the keys present in `data` (all of them for a create)."""
    columns: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or key in data

    if given("name"):
        columns["name"] = clean_text(data.get("name"), field="name", max_length=200, required=True)
        columns["name_key"] = name_key(columns["name"])
    if given("domain"):
        raw = clean_text(data.get("domain"), field="domain", max_length=200)
        domain = normalize_domain(raw)
        if raw and not domain:
            raise ApplicationError(_("Check the highlighted fields."),
                                   fields={"domain": [_("Enter a domain such as example.com.")]})
        columns["domain"] = domain
    for field, max_length in TEXT_FIELDS.items():
        if given(field):
            columns[field] = clean_text(data.get(field), field=field, max_length=max_length)
    if given("size_band"):
        columns["size_band"] = clean_choice(data.get("size_band"), field="size_band", choices=SizeBand.values)
    if given("annual_revenue"):
        columns["annual_revenue"] = clean_decimal(data.get("annual_revenue"), field="annual_revenue", max_digits=16)
    if not partial or "channel" in data or "channel_id" in data:
        columns["channel_id"] = _channel_id(actor=actor, data=data)
    return columns


@transaction.atomic
def company_create(*, actor: Actor, data: dict[str, Any]) -> Company:
    """Add a company owned by the actor (or, with CRM_ASSIGN, by another member)."""
    actor.require(Capability.CRM_EDIT_CONTACTS)
    columns = _clean(actor=actor, data=data, partial=False)
    owner, team_id = owner_for_create(actor=actor, data=data)
    custom = custom_values_clean(workspace_id=actor.workspace.pk, entity=CustomEntity.COMPANY,
                                 values=data.get("custom"))
    company = Company.objects.create(workspace=actor.workspace, owner=owner, team_id=team_id, custom=custom,
                                     **columns)
    if data.get("tags"):
        tags_set(record=company, names=data["tags"])
    audit_record(action="crm.create", actor=actor.user, target=company, diff={"name": company.name})
    timeline_for(record=company, kind="created", actor=actor, data={"name": company.name})
    return company


@transaction.atomic
def company_update(*, actor: Actor, company: Company, data: dict[str, Any], version: int) -> Company:
    """Change the keys present in `data`; a stale `version` is refused with ConflictError (409)."""
    actor.require(Capability.CRM_EDIT_CONTACTS)
    ensure_same_workspace(actor, company)
    columns = _clean(actor=actor, data=data, partial=True)
    if "custom" in data:
        columns["custom"] = custom_values_clean(workspace_id=actor.workspace.pk, entity=CustomEntity.COMPANY,
                                                values=data["custom"], current=company.custom)
    owner = wanted_owner(actor=actor, data=data)
    owner_columns = owner_change(actor=actor, record=company, owner=owner) if owner is not None else {}
    before_owner = (company.owner_id, company.team_id)
    changed = sorted(name for name, value in columns.items()
                     if name != "name_key" and getattr(company, name) != value)
    versioned_update(actor=actor, record=company, version=version, changes={**columns, **owner_columns})
    return record_update_finish(actor=actor, record=company, data=data, changed=changed,
                                owner_columns=owner_columns, before_owner=before_owner)


def company_delete(*, actor: Actor, company: Company) -> None:
    """Delete a company (CRM_DELETE); its contacts and deals stay, unlinked."""
    record_delete(actor=actor, record=company)
