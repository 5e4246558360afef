"""funnel's pages in the page route matrix: everyone reads the numbers (their own visibility); managers and
admins may retrain the model and take a forecast snapshot."""

from __future__ import annotations

from .page_route import PageRoute

MANAGERS = frozenset({"admin", "manager"})

PAGES: dict[str, PageRoute] = {
    "funnel:funnel": PageRoute(),
    "funnel:bottlenecks": PageRoute(),
    "funnel:stalled": PageRoute(),
    "funnel:forecast": PageRoute(),
    "funnel:model": PageRoute(),
    "funnel:model-retrain": PageRoute(get_roles=MANAGERS, post_only=True),
    "funnel:forecast-snapshot": PageRoute(get_roles=MANAGERS, post_only=True),
}
