"""The metric glossary: every metric's definition, unit, direction and slices, searchable without a script."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.navigation import NavEntry, Part

from .catalogue import Direction, Metric, Slice, Unit, metrics_all, slice_get, slices_all

MAX_SEARCH = 100


def nav_entries() -> list[NavEntry]:
    """The glossary's menu entry (registered in MetricsConfig.ready())."""
    return [NavEntry("metrics:glossary", gettext_lazy("Metric glossary"), Part.IMPROVE, "voronka.metrics",
                     Capability.METRICS_VIEW.value, order=90)]


@dataclass(frozen=True)
class GlossaryEntry:
    key: str
    name: str
    description: str
    unit: str
    direction: str
    higher_is_better: bool
    snapshot: bool
    slices: list[str]
    required: list[str]

    def matches(self, words: list[str]) -> bool:
        text = " ".join([self.key, self.name, self.description, *self.slices]).casefold()
        return all(word in text for word in words)


def _unit_label(unit: Unit, currency: str) -> str:
    return {
        Unit.COUNT: _("Count"),
        Unit.MONEY: _("Money, %(currency)s") % {"currency": currency},
        Unit.RATIO: _("Share, %"),
        Unit.DAYS: _("Days"),
    }[unit]


def _slice_names(keys: frozenset[str]) -> list[str]:
    found = [slice_ for key in keys if (slice_ := slice_get(key)) is not None]
    order = [s.key for s in slices_all()]
    return [str(s.name) for s in sorted(found, key=lambda s: order.index(s.key))]


def _entry(metric: Metric, currency: str) -> GlossaryEntry:
    higher = metric.direction is Direction.HIGHER_IS_BETTER
    return GlossaryEntry(
        key=metric.key, name=str(metric.name), description=str(metric.description),
        unit=_unit_label(metric.unit, currency),
        direction=_("Higher is better") if higher else _("Lower is better"), higher_is_better=higher,
        snapshot=metric.is_snapshot, slices=_slice_names(metric.slices), required=_slice_names(metric.required_slices),
    )


def _slice_row(slice_: Slice) -> dict[str, str]:
    return {"key": slice_.key, "name": str(slice_.name), "description": str(slice_.description)}


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.METRICS_VIEW)
def glossary_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The catalogue explained, in the user's language; `?q=` keeps the metrics whose text has every word."""
    search = request.GET.get("q", "")[:MAX_SEARCH].strip()
    words = search.casefold().split()
    entries = [_entry(metric, actor.workspace.currency) for metric in metrics_all()]
    shown = [entry for entry in entries if entry.matches(words)]
    return render(request, "metrics/glossary.html", {
        "entries": shown, "total": len(entries), "search": search,
        "slices": [_slice_row(s) for s in slices_all()], "time_zone": actor.workspace.time_zone,
    })
