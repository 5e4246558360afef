"""The /companies endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Org
from voronka.core.models import AuditEntry
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Company
from voronka.crm.services.tags import tags_set
from voronka.crm.tests.factories import make_company
from voronka.crm.tests.records_factories import make_field

Headers = Callable[..., dict[str, str]]
JSON = "application/json"


@pytest.fixture
def rep(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.rep, org.workspace)


def test_create_and_read(org: Org, rep: dict[str, str]) -> None:
    with workspace_scope(org.workspace):
        make_field(org.workspace, "company", "tier", kind="choice", choices=["Gold"])
    response = Client().post("/api/v1/companies", data={
        "name": "ООО Ромашка", "domain": "www.Romashka.RU", "annual_revenue": "100.50", "tags": ["VIP"],
        "custom": {"tier": "Gold"}, "size_band": "10-49",
    }, content_type=JSON, headers=rep)
    assert response.status_code == 201, response.content
    body = response.json()
    company = Company.unscoped.get(pk=body["id"])
    assert body == {
        "id": company.pk, "name": "ООО Ромашка", "domain": "romashka.ru", "industry": "", "size_band": "10-49",
        "country": "", "region": "", "city": "", "annual_revenue": "100.50", "channel_id": None,
        "owner": {"id": org.rep.pk, "name": org.rep.full_name}, "team_id": org.north.pk, "tags": ["VIP"],
        "custom": {"tier": "Gold"}, "version": 1, "created_at": body["created_at"], "updated_at": body["updated_at"],
    }
    assert Client().get(f"/api/v1/companies/{company.pk}", headers=rep).json() == body


def test_create_ignores_fields_it_does_not_list(org: Org, other_org: Org, rep: dict[str, str]) -> None:
    payload = {"name": "Sneaky", "workspace": other_org.workspace.pk, "workspace_id": other_org.workspace.pk,
               "version": 9, "team_id": org.south.pk, "team": org.south.pk, "id": 9999, "name_key": "x",
               "created_at": "2000-01-01T00:00:00Z"}
    response = Client().post("/api/v1/companies", data=payload, content_type=JSON, headers=rep)
    assert response.status_code == 201
    company = Company.unscoped.get(name="Sneaky")
    assert (company.workspace_id, company.version, company.team_id, company.name_key) == (
        org.workspace.pk, 1, org.north.pk, "sneaky")
    assert company.pk != 9999 and company.created_at.year != 2000


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"name": "a\u0000"}, "name"),
     ({"name": "A", "annual_revenue": "-1"}, "annual_revenue"), ({"name": "A", "domain": "nonsense"}, "domain"),
     ({"name": "A", "size_band": "giant"}, "size_band"), ({"name": "A", "custom": {"nope": 1}}, "custom.nope"),
     ({"name": "A", "tags": ["x" * 61]}, "tags.0"), ({"name": "A", "channel_id": 98765}, "channel_id")],
)
def test_create_refuses_bad_input(payload: dict[str, object], field: str, org: Org, rep: dict[str, str]) -> None:
    response = Client().post("/api/v1/companies", data=payload, content_type=JSON, headers=rep)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["fields"]
    assert Company.unscoped.count() == 0


def test_create_is_idempotent(org: Org, rep: dict[str, str]) -> None:
    headers = {**rep, "Idempotency-Key": "k-1"}
    first = Client().post("/api/v1/companies", data={"name": "Once"}, content_type=JSON, headers=headers)
    second = Client().post("/api/v1/companies", data={"name": "Once"}, content_type=JSON, headers=headers)
    assert (first.status_code, second.status_code, second["Idempotent-Replayed"]) == (201, 201, "true")
    assert first.json() == second.json()
    assert Company.unscoped.count() == 1


def test_two_updates_with_one_version_give_exactly_one_conflict(org: Org, rep: dict[str, str]) -> None:
    company = make_company(org.workspace, org.rep, name="Start")
    url = f"/api/v1/companies/{company.pk}"
    first = Client().patch(url, data={"version": 1, "name": "First"}, content_type=JSON, headers=rep)
    second = Client().patch(url, data={"version": 1, "name": "Second"}, content_type=JSON, headers=rep)
    assert (first.status_code, second.status_code) == (200, 409)
    assert first.json()["version"] == 2
    body = second.json()
    assert body["code"] == "conflict"
    assert (body["current"]["name"], body["current"]["version"]) == ("First", 2)
    company.refresh_from_db()
    assert (company.name, company.version) == ("First", 2)


def test_patch_needs_a_version_and_ignores_unlisted_fields(org: Org, other_org: Org, rep: dict[str, str]) -> None:
    company = make_company(org.workspace, org.rep, name="Start")
    url = f"/api/v1/companies/{company.pk}"
    missing = Client().patch(url, data={"name": "x"}, content_type=JSON, headers=rep)
    assert (missing.status_code, list(missing.json()["fields"])) == (422, ["version"])
    response = Client().patch(url, data={"version": 1, "city": "Omsk", "workspace": other_org.workspace.pk,
                                         "team_id": org.south.pk, "name_key": "zzz"},
                              content_type=JSON, headers=rep)
    assert response.status_code == 200
    company.refresh_from_db()
    assert (company.city, company.workspace_id, company.team_id, company.name_key, company.version) == (
        "Omsk", org.workspace.pk, org.north.pk, "start", 2)


def test_owner_change_through_patch(org: Org, bearer: Headers, rep: dict[str, str]) -> None:
    company = make_company(org.workspace, org.rep)
    url = f"/api/v1/companies/{company.pk}"
    denied = Client().patch(url, data={"version": 1, "owner_id": org.rep_south.pk}, content_type=JSON, headers=rep)
    assert denied.status_code == 403
    company.refresh_from_db()
    assert (company.owner_id, company.version) == (org.rep.pk, 1)
    manager = bearer(org.manager, org.workspace)
    bad = Client().patch(url, data={"version": 1, "owner_id": 987654}, content_type=JSON, headers=manager)
    assert (bad.status_code, list(bad.json()["fields"])) == (422, ["owner_id"])
    response = Client().patch(url, data={"version": 1, "owner_id": org.rep_south.pk}, content_type=JSON,
                              headers=manager)
    assert response.status_code == 200, response.content
    assert (response.json()["owner"]["id"], response.json()["team_id"], response.json()["version"]) == (
        org.rep_south.pk, org.south.pk, 2)
    assert AuditEntry.objects.filter(action="crm.owner", target_id=str(company.pk)).count() == 1
    # The North rep no longer sees it
    assert Client().get(url, headers=rep).status_code == 404


def test_list_filters_and_custom_query(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        make_field(org.workspace, "company", "tier", kind="choice", choices=["Gold", "Silver"])
        gold = make_company(org.workspace, org.rep, name="Gold Co", custom={"tier": "Gold"}, city="Омск")
        make_company(org.workspace, org.rep, name="Silver Co", custom={"tier": "Silver"})
        tags_set(record=gold, names=["vip"])
    admin = bearer(org.admin, org.workspace)
    for query in ("custom.tier=Gold", "search=ОМСК", "tag=VIP", "city=омск", f"owner_id={org.rep.pk}&search=gold"):
        response = Client().get(f"/api/v1/companies?{query}", headers=admin)
        assert [item["name"] for item in response.json()["items"]] == ["Gold Co"], query
    response = Client().get("/api/v1/companies?ordering=-name&limit=1", headers=admin)
    assert (response.json()["count"], [i["name"] for i in response.json()["items"]]) == (2, ["Silver Co"])
    assert Client().get("/api/v1/companies?ordering=owner__password", headers=admin).status_code == 422


def test_list_query_count_does_not_grow(org: Org, rep: dict[str, str]) -> None:
    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            assert Client().get("/api/v1/companies", headers=rep).status_code == 200
        return len(context)

    with workspace_scope(org.workspace):
        tags_set(record=make_company(org.workspace, org.rep), names=["a"])
    count_queries()  # the first call also records the token's use
    few = count_queries()
    with workspace_scope(org.workspace):
        for _ in range(15):
            tags_set(record=make_company(org.workspace, org.rep), names=["a", "b"])
    assert count_queries() == few


def test_delete(org: Org, bearer: Headers) -> None:
    company = make_company(org.workspace, org.rep)
    response = Client().delete(f"/api/v1/companies/{company.pk}", headers=bearer(org.manager, org.workspace))
    assert (response.status_code, response.content) == (204, b"")
    assert not Company.unscoped.filter(pk=company.pk).exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(name=st.text(max_size=250), domain=st.text(max_size=60), revenue=st.one_of(st.text(max_size=20),
                                                                                  st.floats(), st.integers()))
def test_random_input_never_fails_the_server(org: Org, rep: dict[str, str], name: str, domain: str,
                                             revenue: object) -> None:
    payload = {"name": name, "domain": domain, "annual_revenue": revenue, "tags": [name[:70]], "city": domain}
    response = Client().post("/api/v1/companies", data=payload, content_type=JSON, headers=rep)
    assert response.status_code in (201, 400, 422), response.content
    response = Client().get("/api/v1/companies", data={"search": name[:100], "industry": domain}, headers=rep)
    assert response.status_code in (200, 422), response.content
