"""The slices funnel cuts deals by: team, rep, channel, lead source, product (line items), industry (company).

Defined here rather than borrowed from the metrics app (same layer rules: funnel sits above metrics but
keeps its own small mapping, so the two evolve independently).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership, Team
from voronka.channels.models import SalesChannel
from voronka.core.errors import ApplicationError
from voronka.crm.access import visible_deals
from voronka.crm.models import DealLineItem, Product

from .params import DIMENSIONS, SliceRef

OPTIONS_CACHE_SECONDS = 600


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Promise
    plural: Promise


DIMENSION_INFO = {
    "team": Dimension("team", _("Team"), _("Teams")),
    "owner": Dimension("owner", _("Rep"), _("Reps")),
    "channel": Dimension("channel", _("Channel"), _("Channels")),
    "lead_source": Dimension("lead_source", _("Lead source"), _("Lead sources")),
    "product": Dimension("product", _("Product"), _("Products")),
    "industry": Dimension("industry", _("Industry"), _("Industries")),
}


def slice_q(ref: SliceRef | None, prefix: str = "") -> Q:
    """A filter on deals (or on rows pointing at a deal through `prefix`, e.g. "deal__") for one slice."""
    if ref is None:
        return Q()
    if ref.dimension == "team":
        return Q(**{f"{prefix}team_id": ref.numeric_value})
    if ref.dimension == "owner":
        return Q(**{f"{prefix}owner_id": ref.numeric_value})
    if ref.dimension == "channel":
        return Q(**{f"{prefix}channel_id": ref.numeric_value})
    if ref.dimension == "lead_source":
        return Q(**{f"{prefix}lead_source": ref.value})
    if ref.dimension == "industry":
        return Q(**{f"{prefix}company__industry": ref.value})
    deals = DealLineItem.objects.filter(product_id=ref.numeric_value).values("deal_id")
    return Q(**{f"{prefix}id__in": deals})


def id_labels(actor: Actor, dimension: str) -> dict[int, str]:
    """Names of the catalogue rows a slice dimension points at (one query)."""
    workspace_id = actor.workspace.pk
    if dimension == "team":
        return dict(Team.objects.filter(workspace_id=workspace_id).values_list("id", "name"))
    if dimension == "owner":
        members = Membership.objects.filter(workspace_id=workspace_id).select_related("user")
        return {m.user_id: m.user.display_name for m in members}
    if dimension == "channel":
        return dict(SalesChannel.objects.filter(workspace_id=workspace_id).values_list("id", "name"))
    if dimension == "product":
        return dict(Product.objects.filter(workspace_id=workspace_id).values_list("id", "name"))
    return {}


def slice_label(actor: Actor, ref: SliceRef) -> str:
    """The slice's display name; a value that does not exist in the workspace is a field error."""
    if ref.dimension in ("lead_source", "industry"):
        return ref.value
    label = id_labels(actor, ref.dimension).get(ref.numeric_value)
    if label is None:
        message = _("There is no such %(dimension)s.") % {"dimension": DIMENSION_INFO[ref.dimension].label}
        raise ApplicationError(message, fields={"slice": [str(message)]})
    return label


def _text_values(actor: Actor, dimension: str) -> list[str]:
    field = "lead_source" if dimension == "lead_source" else "company__industry"
    key = f"funnel:slice-values:{actor.workspace.pk}:{scope_key(actor)}:{dimension}"

    def load() -> list[str]:
        rows = (visible_deals(actor).exclude(**{field: ""}).exclude(**{f"{field}__isnull": True}).order_by()
                .values_list(field, flat=True).distinct()[:200])
        return sorted(str(value) for value in rows)

    return list(cache.get_or_set(key, load, OPTIONS_CACHE_SECONDS) or [])


def slice_options(actor: Actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every slice the actor can pick, grouped by dimension: [(group label, [(param, label)])]."""
    groups = []
    for dimension in DIMENSIONS:
        if dimension in ("lead_source", "industry"):
            values = [(f"{dimension}:{value}", value) for value in _text_values(actor, dimension)]
        else:
            labels = id_labels(actor, dimension)
            values = sorted(((f"{dimension}:{pk}", name) for pk, name in labels.items()), key=lambda item: item[1])
        if values:
            groups.append((str(DIMENSION_INFO[dimension].plural), values))
    return groups


def scope_key(actor: Actor) -> str:
    """Which deals the actor sees, as a short stable string (snapshots and caches are kept per scope)."""
    viewer = actor.viewer
    if viewer.scope == "all":
        return "all"
    if viewer.scope == "team":
        return f"team:{','.join(str(t) for t in sorted(viewer.team_ids))}:user:{viewer.user_id}"
    return f"own:{viewer.user_id}"
