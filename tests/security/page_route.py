"""The row type of the page route matrix (see test_page_routes.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conftest import Org

ROLES = ("admin", "manager", "rep", "marketer")
ALL = frozenset(ROLES)

# Routes served by other machinery, checked elsewhere: Django admin, the API (test_api_matrix),
# Django's language switch, and the token-in-URL flows whose own tests cover them.
EXCLUDED_PREFIXES = ("admin:", "api:")
EXCLUDED = {"set_language", "api-docs"}


@dataclass(frozen=True)
class PageRoute:
    kwargs: Callable[[Org], dict[str, Any]] = lambda org: {}
    get_roles: frozenset[str] = ALL  # roles whose GET answers 2xx/3xx; others 403 or 404
    public: bool = False  # reachable without logging in
    foreign: Callable[[Org], dict[str, Any]] | None = None  # kwargs naming another workspace's object
    post_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


