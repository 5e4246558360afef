"""The /custom-fields endpoints, and custom values through the record endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import Org
from voronka.crm.models import CustomField
from voronka.crm.tests.factories import make_contact

Headers = Callable[..., dict[str, str]]
JSON = "application/json"


@pytest.fixture
def admin(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.admin, org.workspace)


def test_crud(org: Org, admin: dict[str, str]) -> None:
    response = Client().post("/api/v1/custom-fields", data={
        "entity": "contact", "key": "tier", "label": "Tier", "kind": "choice", "choices": ["Gold", "Silver"],
    }, content_type=JSON, headers=admin)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {"id": body["id"], "entity": "contact", "key": "tier", "label": "Tier", "kind": "choice",
                    "choices": ["Gold", "Silver"], "is_required": False, "show_in_list": True, "order": 0}
    url = f"/api/v1/custom-fields/{body['id']}"
    assert Client().patch(url, data={"label": "Level", "key": "other"}, content_type=JSON,
                          headers=admin).json()["label"] == "Level"
    assert CustomField.unscoped.get().key == "tier"
    listed = Client().get("/api/v1/custom-fields?entity=contact", headers=admin).json()
    assert [item["key"] for item in listed["items"]] == ["tier"]
    assert Client().get("/api/v1/custom-fields?entity=deal", headers=admin).json()["count"] == 0
    assert Client().delete(url, headers=admin).status_code == 204
    assert CustomField.unscoped.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"entity": "contact", "key": "Bad Key", "label": "x"}, "key"),
     ({"entity": "contact", "key": "tier", "label": "x", "kind": "choice"}, "choices"),
     ({"entity": "planet", "key": "tier", "label": "x"}, "entity"),
     ({"entity": "contact", "key": "dup", "label": "x"}, "key")],
)
def test_bad_definitions(payload: dict[str, object], field: str, org: Org, admin: dict[str, str]) -> None:
    CustomField.unscoped.create(workspace=org.workspace, entity="contact", key="dup", label="Dup")
    response = Client().post("/api/v1/custom-fields", data=payload, content_type=JSON, headers=admin)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert CustomField.unscoped.count() == 1


def test_values_are_validated_and_filterable(org: Org, admin: dict[str, str]) -> None:
    for key, kind, extra in (("tier", "choice", {"choices": ["Gold"]}), ("budget", "number", {}),
                             ("since", "date", {})):
        Client().post("/api/v1/custom-fields", data={"entity": "contact", "key": key, "label": key, "kind": kind,
                                                     **extra}, content_type=JSON, headers=admin)
    bad = Client().post("/api/v1/contacts", data={"full_name": "A", "custom": {
        "tier": "Bronze", "budget": "many", "since": "01.02.2024"}}, content_type=JSON, headers=admin)
    assert bad.status_code == 422
    assert sorted(bad.json()["fields"]) == ["custom.budget", "custom.since", "custom.tier"]
    good = Client().post("/api/v1/contacts", data={"full_name": "A", "custom": {
        "tier": "Gold", "budget": 1500.5, "since": "2024-02-01"}}, content_type=JSON, headers=admin)
    assert good.status_code == 201, good.content
    assert good.json()["custom"] == {"tier": "Gold", "budget": "1500.5", "since": "2024-02-01"}
    make_contact(org.workspace, org.admin, full_name="B")
    for query in ("custom.tier=Gold", "custom.budget=1500.50", "custom.since=2024-02-01"):
        items = Client().get(f"/api/v1/contacts?{query}", headers=admin).json()["items"]
        assert [item["full_name"] for item in items] == ["A"], query
    patched = Client().patch(f"/api/v1/contacts/{good.json()['id']}", data={"version": 1, "custom": {"tier": None}},
                             content_type=JSON, headers=admin)
    assert patched.json()["custom"] == {"budget": "1500.5", "since": "2024-02-01"}
