"""The API's bad-input guarantees: one JSON error shape, 4xx for any input, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Org
from voronka.accounts.models import Team

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def admin(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.admin, org.workspace)


@pytest.mark.parametrize("body", ['{"name": ', "{'name': 'x'}", "{name}", '{"name": "x",}', "\x00", b"\xff\xfe\x00"])
def test_malformed_json_is_400(body: str | bytes, org: Org, admin: dict[str, str]) -> None:
    response = Client().post("/api/v1/teams", data=body, content_type="application/json", headers=admin)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert Team.unscoped.count() == 3


def test_validation_error_names_the_fields(org: Org, admin: dict[str, str]) -> None:
    response = Client().post("/api/v1/teams", data={"name": ["x"], "parent_id": "top"},
                             content_type="application/json", headers=admin)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], sorted(body["fields"])) == ("validation_error", ["name", "parent_id"])


@override_settings(REQUEST_MAX_BODY_SIZE=64)
def test_body_over_the_limit_is_413(org: Org, admin: dict[str, str]) -> None:
    # Given a 64-byte limit
    # When a bigger body is sent
    response = Client().post("/api/v1/teams", data={"name": "x" * 100}, content_type="application/json",
                             headers=admin)
    # Then it is refused before anything reads it
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert Team.unscoped.count() == 3


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=64)
def test_body_over_the_memory_limit_is_413(org: Org, admin: dict[str, str]) -> None:
    response = Client().post("/api/v1/teams", data={"name": "x" * 100}, content_type="application/json",
                             headers=admin)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.parametrize("query", ["limit=201", "limit=0", "limit=-1", "offset=-1", "limit=ten"])
def test_pagination_bounds_are_422(query: str, org: Org, admin: dict[str, str]) -> None:
    response = Client().get(f"/api/v1/teams?{query}", headers=admin)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {query.split("=")[0]}


def test_pagination_defaults_and_maximum(org: Org, admin: dict[str, str]) -> None:
    client = Client()
    default = client.get("/api/v1/teams", headers=admin).json()
    largest = client.get("/api/v1/teams?limit=200&offset=1", headers=admin).json()
    assert (default["limit"], default["offset"], default["count"], len(default["items"])) == (50, 0, 3, 3)
    assert (largest["limit"], largest["offset"], largest["count"], len(largest["items"])) == (200, 1, 3, 2)


def test_unknown_route_is_json_404(org: Org, admin: dict[str, str]) -> None:
    response = Client().get("/api/v1/no-such-thing", headers=admin)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/teams/abc", "/api/v1/teams/99999999999999999999999"])
def test_odd_ids_are_4xx(path: str, org: Org, admin: dict[str, str]) -> None:
    assert Client().get(path, headers=admin).status_code in (404, 422)


def test_openapi_document_builds(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/teams" in schema["paths"]
    parameters = schema["paths"]["/api/v1/teams"]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]
    assert "ErrorOut" in schema["components"]["schemas"]


def test_docs_render_from_local_static_files(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "/static/ninja/swagger-ui" in html
    assert "cdn" not in html.lower()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
team_payloads = st.fixed_dictionaries(
    {}, optional={"name": json_values | st.text(max_size=200), "parent_id": json_values | st.integers(),
                  "workspace": json_values, "id": json_values},
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values | team_payloads)
def test_random_json_never_gives_a_server_error(body: object, org: Org, admin: dict[str, str]) -> None:
    # Client raises any server-side exception, so a 500 fails here too
    response = Client().post("/api/v1/teams", data=json.dumps(body), content_type="application/json",
                             headers=admin)
    assert response.status_code < 500
    assert response.status_code in (201, 400, 404, 422)
    assert response.json()["code" if response.status_code >= 400 else "id"] is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300))
def test_random_bytes_never_give_a_server_error(body: bytes, org: Org, admin: dict[str, str]) -> None:
    response = Client().post("/api/v1/teams", data=body, content_type="application/json", headers=admin)
    assert response.status_code in (201, 400, 404, 422)
