"""Channel catalogue writes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from voronka.accounts.models import Workspace

from .models import ChannelKind, SalesChannel

DEFAULT_CHANNELS = [
    (ChannelKind.DIRECT, _("Direct sales")),
    (ChannelKind.PARTNER, _("Distributors and partners")),
    (ChannelKind.ONLINE_STORE, _("Online store")),
    (ChannelKind.MARKETPLACE, _("Marketplaces")),
    (ChannelKind.SOCIAL, _("Social networks")),
]


@transaction.atomic
def channel_seed_defaults(*, workspace: Workspace) -> list[SalesChannel]:
    """Create the standard channels a new workspace starts with (idempotent)."""
    return [
        SalesChannel.unscoped.get_or_create(workspace=workspace, name=str(name), defaults={"kind": kind})[0]
        for kind, name in DEFAULT_CHANNELS
    ]
