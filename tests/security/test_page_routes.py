"""SECURITY.md R1, R3, R6 for pages: every route is in this table, each role gets what the
capability table allows, another workspace's ids are 404 with nothing changed, and GET never
writes. Adding a route without a row here fails `test_table_covers_every_route`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import Org
from voronka.accounts.models import ApiToken, Invitation, Membership, Team
from voronka.accounts.services.tokens import api_token_issue_for
from voronka.core.scoping import workspace_scope

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


def _membership(org: Org, user_attr: str = "rep_south") -> Membership:
    with workspace_scope(org.workspace):
        return Membership.objects.get(user=getattr(org, user_attr))


def _invitation(org: Org) -> Invitation:
    with workspace_scope(org.workspace):
        return Invitation.objects.create(
            workspace=org.workspace, email="x@invite.test", role="rep", invited_by=org.admin,
            expires_at="2099-01-01T00:00:00Z",
        )


def _token(org: Org) -> ApiToken:
    token, _secret = api_token_issue_for(user=org.admin, workspace=org.workspace, name="matrix")
    return token


ADMIN_ONLY = frozenset({"admin"})
INVITERS = frozenset({"admin", "manager"})

PAGES: dict[str, PageRoute] = {
    "home": PageRoute(),
    "accounts:login": PageRoute(public=True),
    "accounts:logout": PageRoute(post_only=True),
    "accounts:password-change": PageRoute(),
    "accounts:password-change-done": PageRoute(),
    "accounts:password-reset": PageRoute(public=True),
    "accounts:password-reset-done": PageRoute(public=True),
    "accounts:password-reset-confirm": PageRoute(public=True, kwargs=lambda org: {"uidb64": "MQ", "token": "x-y"}),
    "accounts:password-reset-complete": PageRoute(public=True),
    "accounts:settings": PageRoute(get_roles=ADMIN_ONLY),
    "accounts:workspace-switch": PageRoute(post_only=True),
    "accounts:teams": PageRoute(),
    "accounts:team-create": PageRoute(get_roles=ADMIN_ONLY, post_only=True),
    "accounts:team-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"team_id": org.north.pk},
        foreign=lambda org: {"team_id": org.north.pk},
    ),
    "accounts:team-delete": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"team_id": org.north.pk},
        foreign=lambda org: {"team_id": org.north.pk},
    ),
    "accounts:members": PageRoute(),
    "accounts:member-edit": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"membership_id": _membership(org).pk},
        foreign=lambda org: {"membership_id": _membership(org).pk},
    ),
    "accounts:member-deactivate": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"membership_id": _membership(org).pk},
        foreign=lambda org: {"membership_id": _membership(org).pk},
    ),
    "accounts:member-reactivate": PageRoute(
        get_roles=ADMIN_ONLY, kwargs=lambda org: {"membership_id": _membership(org).pk},
        foreign=lambda org: {"membership_id": _membership(org).pk},
    ),
    "accounts:invitation-create": PageRoute(get_roles=INVITERS, post_only=True),
    "accounts:invitation-revoke": PageRoute(
        get_roles=INVITERS, kwargs=lambda org: {"invitation_id": _invitation(org).pk},
        foreign=lambda org: {"invitation_id": _invitation(org).pk},
    ),
    "accounts:invitation-accept": PageRoute(public=True, kwargs=lambda org: {"token": "not-a-token"}),
    "accounts:tokens": PageRoute(),
    "accounts:token-revoke": PageRoute(
        get_roles=ADMIN_ONLY,  # only the token's owner; the fixture token belongs to the admin
        kwargs=lambda org: {"token_id": _token(org).pk}, foreign=lambda org: {"token_id": _token(org).pk},
    ),
}


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
    before = _counts()
    response = _client_for(org, role).post(reverse(name, kwargs=route.kwargs(org)),
                                           {"name": "x", "email": "y@z.test", "role": "rep"})
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


def _counts() -> tuple[int, ...]:
    return (
        Team.unscoped.count(), Membership.unscoped.filter(is_active=True).count(),
        Invitation.unscoped.filter(revoked_at__isnull=True).count(),
        ApiToken.unscoped.filter(revoked_at__isnull=True).count(),
    )


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
