"""Channel catalogue writes: the seed a new workspace starts with, and the catalogue pages' use cases.

Economics are money: a fee between 0 and 100 %, costs of zero or more. The rules live here and in
the table's check constraints; every change is audited with the old and the new figures.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.models import Workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from .models import ChannelKind, SalesChannel

DEFAULT_CHANNELS = [
    (ChannelKind.DIRECT, _("Direct sales")),
    (ChannelKind.PARTNER, _("Distributors and partners")),
    (ChannelKind.ONLINE_STORE, _("Online store")),
    (ChannelKind.MARKETPLACE, _("Marketplaces")),
    (ChannelKind.SOCIAL, _("Social networks")),
]

MAX_MONEY = Decimal("999999999999.99")  # 14 digits, 2 places
ECONOMICS = ("fee_percent", "fixed_cost_per_month", "acquisition_cost")


@transaction.atomic
def channel_seed_defaults(*, workspace: Workspace) -> list[SalesChannel]:
    """Create the standard channels a new workspace starts with (idempotent)."""
    return [
        SalesChannel.unscoped.get_or_create(workspace=workspace, name=str(name), defaults={"kind": kind})[0]
        for kind, name in DEFAULT_CHANNELS
    ]


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(_("Check the highlighted fields."), fields={field: [message]})


def _clean_name(value: Any) -> str:
    if not isinstance(value, str):
        raise _refuse("name", _("Enter a name."))
    value = value.strip()
    if not value or "\x00" in value:
        raise _refuse("name", _("Enter a name."))
    if len(value) > 120:
        raise _refuse("name", _("At most %(n)d characters.") % {"n": 120})
    return value


def _clean_amount(value: Any, *, field: str, maximum: Decimal) -> Decimal:
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise _refuse(field, _("Enter a number."))
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _refuse(field, _("Enter a number.")) from None
    if not number.is_finite():
        raise _refuse(field, _("Enter a number."))
    if number < 0:
        raise _refuse(field, _("Enter zero or more."))
    if number > maximum:
        raise _refuse(field, _("Enter at most %(max)s.") % {"max": maximum})
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or key in data

    if given("name"):
        columns["name"] = _clean_name(data.get("name"))
    if given("kind"):
        kind = data.get("kind") or ChannelKind.OTHER
        if kind not in ChannelKind.values:
            raise _refuse("kind", _("Not a valid choice."))
        columns["kind"] = kind
    if given("fee_percent"):
        columns["fee_percent"] = _clean_amount(data.get("fee_percent"), field="fee_percent", maximum=Decimal(100))
    for field in ("fixed_cost_per_month", "acquisition_cost"):
        if given(field):
            columns[field] = _clean_amount(data.get(field), field=field, maximum=MAX_MONEY)
    if given("is_active"):
        columns["is_active"] = bool(data.get("is_active"))
    return columns


def _save(channel: SalesChannel) -> None:
    try:
        with transaction.atomic():
            channel.save()
    except IntegrityError as error:
        raise ApplicationError(_("A channel with this name already exists."),
                               fields={"name": [_("Choose another name.")]}) from error


@transaction.atomic
def channel_create(*, actor: Actor, data: dict[str, Any]) -> SalesChannel:
    """Add a channel with its economics."""
    actor.require(Capability.CHANNELS_MANAGE)
    data = {"kind": ChannelKind.OTHER, "fee_percent": 0, "fixed_cost_per_month": 0, "acquisition_cost": 0,
            "is_active": True, **data}
    channel = SalesChannel(workspace=actor.workspace, **_clean(data, partial=False))
    _save(channel)
    audit_record(action="channels.channel.create", actor=actor.user, target=channel,
                 diff={"name": channel.name, **{name: str(getattr(channel, name)) for name in ECONOMICS}})
    return channel


@transaction.atomic
def channel_update(*, actor: Actor, channel: SalesChannel, data: dict[str, Any]) -> SalesChannel:
    """Change the keys present in `data`; each changed figure is audited as [old, new]."""
    actor.require(Capability.CHANNELS_MANAGE)
    ensure_same_workspace(actor, channel)
    columns = _clean(data, partial=True)
    diff = {name: [str(getattr(channel, name)), str(value)] for name, value in columns.items()
            if getattr(channel, name) != value}
    if not diff:
        return channel
    for name, value in columns.items():
        setattr(channel, name, value)
    _save(channel)
    audit_record(action="channels.channel.update", actor=actor.user, target=channel, diff=diff)
    return channel


def channel_deactivate(*, actor: Actor, channel: SalesChannel) -> SalesChannel:
    """Hide a channel from new deals; its history stays in every report."""
    return channel_update(actor=actor, channel=channel, data={"is_active": False})


def channel_activate(*, actor: Actor, channel: SalesChannel) -> SalesChannel:
    return channel_update(actor=actor, channel=channel, data={"is_active": True})
