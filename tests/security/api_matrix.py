"""The checks every app's API route matrix runs (SECURITY.md R1, R3), written once.

Each `test_api_matrix_*.py` keeps its own ROUTES, `targets`, `snapshot` and `call` (they know the
app's objects) and hands them to these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.test import Client

from conftest import Org
from voronka.core.models import AuditEntry

Targets = Callable[[Org, Any], dict[str, Any]]
Snapshot = Callable[[], Any]
Call = Callable[..., Any]


def check_role(*, route: Any, role: str, org: Org, bearer: Callable[..., dict[str, str]], targets: Targets,
               snapshot: Snapshot, call: Call) -> None:
    """Allowed roles succeed; denied ones get 403 permission_denied, one audit row, and nothing changes."""
    # Given a member with this role and the objects the route names
    user = getattr(org, role)
    ids = targets(org, user)
    headers = bearer(user, org.workspace)
    before = snapshot()
    # When the member calls the route
    response = call(Client(), route, ids, headers)
    # Then the capability table decides
    if role in route.allowed:
        assert response.status_code == route.ok, response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "permission_denied"
        assert snapshot() == before
        assert AuditEntry.objects.filter(action="access.denied", actor_id=user.pk).count() == 1


def check_foreign_ids(*, route: Any, via: str, org: Org, other_org: Org, bearer: Callable[..., dict[str, str]],
                      targets: Targets, snapshot: Snapshot, call: Call) -> None:
    """Another workspace's ids are 404 not_found, by token and by session, and nothing changes anywhere."""
    # Given Globex's objects and Acme's administrator
    foreign = targets(other_org, other_org.admin)
    client = Client()
    headers: dict[str, str] = {}
    if via == "bearer":
        headers = bearer(org.admin, org.workspace)
    else:
        client.force_login(org.admin)
        client.get("/api/v1/me")  # the session picks its workspace
    before = snapshot()
    # When Acme's administrator names a Globex id
    response = call(client, route, foreign, headers)
    # Then it does not exist for them
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert snapshot() == before


def documented_routes(tag: str, placeholders: Mapping[str, str] | None = None) -> set[tuple[str, str]]:
    """(method, path under /api/v1) of each operation tagged `tag`, parameters renamed as the matrix names them."""
    from config.api import api

    documented = set()
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            if tag in operation.get("tags", ()):
                short = path.removeprefix("/api/v1")
                for old, new in (placeholders or {}).items():
                    short = short.replace(old, new)
                documented.add((method, short))
    return documented
