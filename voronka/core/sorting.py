"""Sort orders that higher apps add to a lower app's lists, without the lower app importing them.

crm's board sorts cards by the orders it knows and by any registered for the entity "deal": funnel
registers "win probability" as a subquery on its score table. `expression()` returns a Django
expression evaluated per row of the entity's queryset (use OuterRef("pk") for the row); rows where
it is NULL come last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OrderBy
from django.utils.functional import Promise

RESERVED = frozenset({"recent", "age", "amount", "close"})  # the board's own orders


@dataclass(frozen=True)
class NamedSort:
    entity: str  # "deal"
    key: str  # the value in the query string, e.g. "win_probability"
    label: Promise | str
    expression: Callable[[], Any]  # a fresh Django expression for each query
    descending: bool = True
    module: str = ""  # the app that provides it (informational)
    order: int = 100

    @property
    def alias(self) -> str:
        return f"sort_{self.key}"

    def order_by(self) -> list[OrderBy | str]:
        """The ORDER BY terms, for a queryset annotated with `alias`; ties broken by id."""
        value = F(self.alias)
        term = value.desc(nulls_last=True) if self.descending else value.asc(nulls_last=True)
        return [term, "-id" if self.descending else "id"]


_sorts: dict[tuple[str, str], NamedSort] = {}


def register_sort(sort: NamedSort) -> None:
    """Offer `sort` on the entity's lists (call from AppConfig.ready()); the same key again replaces it."""
    if sort.key in RESERVED or not sort.key.replace("_", "").isalnum():
        raise ValueError(f"{sort.key!r} is not a usable sort key")
    _sorts[(sort.entity, sort.key)] = sort


def unregister_sort(entity: str, key: str) -> None:
    _sorts.pop((entity, key), None)


def sorts_for(entity: str) -> list[NamedSort]:
    return sorted((s for (e, _k), s in _sorts.items() if e == entity), key=lambda s: (s.order, s.key))


def get_sort(entity: str, key: str | None) -> NamedSort | None:
    if not key:
        return None
    return _sorts.get((entity, key))
