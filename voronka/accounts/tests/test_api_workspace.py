"""/me, /workspace and /workspaces."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.accounts.tests.factories import MembershipFactory, WorkspaceFactory
from voronka.core.models import AuditEntry

Headers = Callable[..., dict[str, str]]


def test_me_lists_role_and_capabilities(org: Org, bearer: Headers) -> None:
    body = Client().get("/api/v1/me", headers=bearer(org.manager, org.workspace)).json()
    assert body == {
        "id": org.manager.pk, "email": "manager@acme.test", "full_name": org.manager.full_name,
        "workspace": {"id": org.workspace.pk, "name": "Acme Co", "slug": "acme-co", "currency": "RUB",
                      "time_zone": "Europe/Moscow", "language": "en", "reps_see_team": False},
        "role": "manager",
        "capabilities": [
            "analytics.schedule", "analytics.share", "analytics.view", "crm.assign", "crm.delete",
            "crm.edit_contacts", "crm.edit_deals", "crm.export", "crm.import", "crm.merge", "crm.view",
            "funnel.manage", "funnel.view", "goals.alerts", "goals.manage", "goals.view", "members.invite",
            "members.view", "metrics.view", "teams.view", "tokens.own", "workspace.view",
        ],
    }


def test_update_settings(org: Org, bearer: Headers) -> None:
    # Given Acme in roubles
    # When the admin switches currency, zone, language and team visibility
    payload = {"name": " Acme Ltd ", "currency": "USD", "time_zone": "Asia/Novosibirsk", "language": "ru",
               "reps_see_team": True}
    response = Client().patch("/api/v1/workspace", data=payload, content_type="application/json",
                              headers=bearer(org.admin, org.workspace))
    # Then all of it is saved and audited once
    assert response.status_code == 200
    org.workspace.refresh_from_db()
    assert (org.workspace.name, org.workspace.currency, org.workspace.time_zone, org.workspace.language,
            org.workspace.reps_see_team) == ("Acme Ltd", "USD", "Asia/Novosibirsk", "ru", True)
    assert AuditEntry.objects.filter(action="workspace.update").count() == 1


def test_update_ignores_slug_active_and_id(org: Org, bearer: Headers) -> None:
    payload = {"slug": "hijacked", "is_active": False, "id": 999, "name": "Acme"}
    response = Client().patch("/api/v1/workspace", data=payload, content_type="application/json",
                              headers=bearer(org.admin, org.workspace))
    assert response.status_code == 200
    org.workspace.refresh_from_db()
    assert (org.workspace.slug, org.workspace.is_active, org.workspace.name) == ("acme-co", True, "Acme")


@pytest.mark.parametrize(
    ("payload", "fields"),
    [({"currency": "XXX"}, {"currency"}), ({"time_zone": "Mars/Base"}, {"time_zone"}),
     ({"language": "de"}, {"language"}), ({"name": ""}, {"name"}), ({"reps_see_team": "maybe"}, {"reps_see_team"}),
     ({"currency": "EURO"}, {"currency"})],
)
def test_update_refuses_bad_settings(payload: dict[str, object], fields: set[str], org: Org, bearer: Headers) -> None:
    response = Client().patch("/api/v1/workspace", data=payload, content_type="application/json",
                              headers=bearer(org.admin, org.workspace))
    assert response.status_code == 422
    assert set(response.json()["fields"]) == fields
    org.workspace.refresh_from_db()
    assert (org.workspace.name, org.workspace.currency, org.workspace.time_zone) == (
        "Acme Co", "RUB", "Europe/Moscow")


def test_workspaces_query_count_does_not_grow(org: Org, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(org.admin)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/workspaces")
    for n in range(20):
        MembershipFactory(workspace=WorkspaceFactory(name=f"W{n}", slug=f"w{n}"), user=org.admin)
    with django_assert_max_num_queries(len(few)):
        body = client.get("/api/v1/workspaces").json()
    assert body["count"] == 21
