"""SECURITY.md R1, R3, R6 for pages: every route is in this table, each role gets what the
capability table allows, another workspace's ids are 404 with nothing changed, and GET never
writes. Adding a route without a row here fails `test_table_covers_every_route`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import Org
from tests.security.page_route import EXCLUDED, EXCLUDED_PREFIXES, ROLES, PageRoute
from voronka.core.models import AuditEntry

# Each app lists its pages in tests/security/routes_<app>.py as PAGES = {url name: PageRoute}.
PAGES: dict[str, PageRoute] = {}
for _module in sorted(Path(__file__).parent.glob("routes_*.py")):
    PAGES.update(importlib.import_module(f"tests.security.{_module.stem}").PAGES)


def _route_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def _page_routes() -> set[str]:
    return {
        name for name in _route_names()
        if not name.startswith(EXCLUDED_PREFIXES) and name not in EXCLUDED
    }


def test_table_covers_every_route() -> None:
    missing = _page_routes() - set(PAGES)
    stale = set(PAGES) - _page_routes()
    assert not missing, f"add these routes to PAGES in {__file__}: {sorted(missing)}"
    assert not stale, f"these PAGES entries name no route: {sorted(stale)}"


def _client_for(org: Org, role: str) -> Client:
    client = Client()
    client.force_login(getattr(org, role))
    return client


GET_ROUTES = sorted(name for name, route in PAGES.items() if not route.post_only)


@pytest.mark.parametrize("name", GET_ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_what_the_capability_table_allows(name: str, role: str, org: Org) -> None:
    route = PAGES[name]
    response = _client_for(org, role).get(reverse(name, kwargs=route.kwargs(org)))
    if route.public or role in route.get_roles:
        assert response.status_code < 400 or (
            name == "accounts:invitation-accept" and response.status_code == 404
        ), response.status_code
    else:
        assert response.status_code in (403, 404)


DENIED_POSTS = sorted(
    (name, role) for name, route in PAGES.items() if route.post_only for role in ROLES if role not in route.get_roles
)


@pytest.mark.parametrize(("name", "role"), DENIED_POSTS)
def test_denied_roles_cannot_post_and_nothing_changes(name: str, role: str, org: Org) -> None:
    route = PAGES[name]
    url = reverse(name, kwargs=route.kwargs(org))  # building the target may write fixture rows
    client = _client_for(org, role)
    before = _counts()
    response = client.post(url, {"name": "x", "email": "y@z.test", "role": "rep"})
    assert response.status_code in (403, 404)
    assert _counts() == before


@pytest.mark.parametrize("name", sorted(name for name, route in PAGES.items() if not route.public))
def test_anonymous_is_sent_to_login_or_refused(name: str, org: Org) -> None:
    route = PAGES[name]
    url = reverse(name, kwargs=route.kwargs(org))
    response = Client().post(url) if route.post_only else Client().get(url)
    assert response.status_code in (302, 403, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


FOREIGN = sorted(name for name, route in PAGES.items() if route.foreign is not None)


def _counts() -> dict[str, tuple[Any, ...]]:
    """Row count and latest update of every Voronka model: any write on a refused request shows."""
    snapshot: dict[str, tuple[Any, ...]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("voronka.") or model is AuditEntry:
            continue
        manager = getattr(model, "unscoped", model._default_manager)
        fields = {f.name for f in model._meta.get_fields()}
        latest = manager.aggregate(latest=Max("updated_at"))["latest"] if "updated_at" in fields else None
        snapshot[model._meta.label] = (manager.count(), latest)
    return snapshot


@pytest.mark.parametrize("name", FOREIGN)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_workspaces_object_is_404_and_nothing_changes(name: str, method: str, org: Org, other_org: Org) -> None:
    route = PAGES[name]
    assert route.foreign is not None
    url = reverse(name, kwargs=route.foreign(other_org))
    before = _counts()
    response = getattr(_client_for(org, "admin"), method)(url, {"name": "x", "role": "admin", "confirm": "1"})
    assert response.status_code == 404
    assert _counts() == before


@pytest.mark.parametrize("name", GET_ROUTES)
def test_get_never_writes(name: str, org: Org) -> None:
    route = PAGES[name]
    kwargs = route.kwargs(org)  # fixtures may write; only the request itself is watched
    client = _client_for(org, "admin")
    client.get(reverse("home"))  # settle the session's workspace first
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(name, kwargs=kwargs))
    writes = [
        query["sql"] for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in query["sql"]
    ]
    assert writes == []
