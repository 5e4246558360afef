"""The top navigation: four product parts, each a dropdown of entries that apps register.

Core cannot import the apps above it, so an entry names its app as a dotted module string and
its capability as a plain string. An entry shows only when its app is installed, its URL
reverses and the actor holds the capability; a part with no visible entry is hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Part(StrEnum):
    PLAN = "plan"
    SELL = "sell"
    TOOLS = "tools"
    IMPROVE = "improve"


PART_LABELS: dict[Part, Promise] = {
    Part.PLAN: _("Plan"),
    Part.SELL: _("Sell"),
    Part.TOOLS: _("Tools"),
    Part.IMPROVE: _("Improve"),
}


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Promise | str
    part: Part
    module: str  # the app that provides the page, e.g. "voronka.crm"
    capability: str | None = None  # a voronka.accounts.roles.Capability value
    order: int = 100


@dataclass(frozen=True)
class NavLink:
    url: str
    label: Promise | str
    url_name: str


@dataclass(frozen=True)
class NavPart:
    part: Part
    label: Promise | str
    links: tuple[NavLink, ...]


_registry: dict[str, NavEntry] = {}


def register(*entries: NavEntry) -> None:
    """Add entries (call from an AppConfig.ready()); re-registering a url name replaces it."""
    for entry in entries:
        _registry[entry.url_name] = entry


def registered() -> list[NavEntry]:
    return sorted(_registry.values(), key=lambda entry: (list(Part).index(entry.part), entry.order, entry.url_name))


def _url(entry: NavEntry) -> str | None:
    if not apps.is_installed(entry.module):
        return None
    try:
        return reverse(entry.url_name)
    except NoReverseMatch:
        return None


def visible_parts(can: Callable[[str], bool], entries: Iterable[NavEntry] | None = None) -> list[NavPart]:
    """The parts and links an actor may see, in menu order; `can` answers a capability check."""
    links: dict[Part, list[NavLink]] = {part: [] for part in Part}
    for entry in registered() if entries is None else entries:
        if entry.capability is not None and not can(entry.capability):
            continue
        url = _url(entry)
        if url is not None:
            links[entry.part].append(NavLink(url=url, label=entry.label, url_name=entry.url_name))
    return [NavPart(part=part, label=PART_LABELS[part], links=tuple(found)) for part, found in links.items() if found]


# The pages that exist today. Apps that land later register their own entries in ready().
register(
    NavEntry("accounts:members", _("Team members"), Part.SELL, "voronka.accounts", "members.view", order=80),
    NavEntry("accounts:teams", _("Teams"), Part.SELL, "voronka.accounts", "teams.view", order=81),
    NavEntry("api-docs", _("API documentation"), Part.TOOLS, "ninja", None, order=90),
)
