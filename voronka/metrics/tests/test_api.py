"""The metrics API: the catalogue in the caller's language, queries with the caller's visibility, and
bad input answered 4xx with a code and the field, never 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Org
from voronka.metrics.catalogue import metric_get, metrics_all, slices_all

from .world import World, build_world

QUERY = {"metrics": ["revenue", "win_rate", "new_deals"], "date_from": "2024-01-01", "date_to": "2024-03-31"}


@pytest.fixture
def world(org: Org) -> World:
    return build_world(org)


@pytest.fixture
def api_client(org: Org, bearer: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    def call(who: str = "admin", body: Any = None, *, raw: str | None = None, language: str = "en") -> Any:
        headers = {**bearer(getattr(org, who), org.workspace), "Accept-Language": language}
        if body is None and raw is None:
            return Client().get("/api/v1/metrics", headers=headers)
        data = raw if raw is not None else json.dumps(body)
        return Client().post("/api/v1/metrics/query", data=data, content_type="application/json", headers=headers)

    return call


def test_the_catalogue_lists_every_metric_and_slice(api_client):
    response = api_client("rep")
    assert response.status_code == 200
    body = response.json()
    assert body["currency"] == "RUB"
    assert [m["key"] for m in body["metrics"]] == [m.key for m in metrics_all()]
    assert [s["key"] for s in body["slices"]] == [s.key for s in slices_all()]
    revenue = next(m for m in body["metrics"] if m["key"] == "revenue")
    assert revenue == {
        "key": "revenue", "name": "Revenue", "description": str(metric_get("revenue").description),
        "unit": "money", "direction": "higher",
        "slices": ["channel", "industry", "lead_source", "owner", "pipeline", "product", "team"],
        "required_slices": [], "time_series": True, "drill_down": True,
    }
    stalled = next(m for m in body["metrics"] if m["key"] == "stalled_deals")
    assert (stalled["time_series"], stalled["direction"]) == (False, "lower")
    conversion = next(m for m in body["metrics"] if m["key"] == "stage_conversion")
    assert conversion["required_slices"] == ["stage"]


def test_the_catalogue_speaks_the_request_language(api_client):
    body = api_client("rep", language="ru").json()
    with translation.override("ru"):
        expected = {m.key: (str(m.name), str(m.description)) for m in metrics_all()}
    assert {m["key"]: (m["name"], m["description"]) for m in body["metrics"]} == expected


def test_a_query_answers_buckets_rows_labels_and_money_as_strings(world, api_client):
    org = world.org
    response = api_client("admin", {**QUERY, "slices": ["owner"], "granularity": "month"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [b["key"] for b in body["buckets"]] == ["2024-01", "2024-02", "2024-03"]
    assert body["buckets"][0] == {"key": "2024-01", "start": "2024-01-01", "end": "2024-02-01"}
    assert (body["granularity"], body["date_from"], body["date_to"], body["currency"]) == (
        "month", "2024-01-01", "2024-03-31", "RUB")
    rep_rows = [row for row in body["rows"] if row["slices"]["owner"]["value"] == org.rep.pk]
    assert [row["values"] for row in rep_rows] == [
        {"revenue": "1000.00", "win_rate": 1.0, "new_deals": 2},
        {"revenue": "0.00", "win_rate": 0.0, "new_deals": 2},
        {"revenue": "2000.00", "win_rate": 1.0, "new_deals": 0},
    ]
    assert rep_rows[0]["slices"]["owner"]["label"] == org.rep.display_name
    assert [m["key"] for m in body["metrics"]] == ["revenue", "win_rate", "new_deals"]
    assert body["slices"] == [{"key": "owner", "name": "Owner"}]


def test_a_rep_gets_only_their_own_numbers(world, api_client):
    values = api_client("rep", QUERY).json()["rows"][0]["values"]
    assert values == {"revenue": "3000.00", "win_rate": 2 / 3, "new_deals": 4}
    assert api_client("admin", QUERY).json()["rows"][0]["values"]["revenue"] == "7500.00"


def test_filters_with_none_and_string_ids(world, api_client):
    org = world.org
    body = {**QUERY, "filters": {"lead_source": [None], "owner": [str(org.rep.pk), org.rep_south.pk]}}
    response = api_client("admin", body)
    assert response.status_code == 200, response.content
    # D4, D6 (rep) and D2, D5, D9 (rep_south) have no lead source
    assert response.json()["rows"][0]["values"]["new_deals"] == 5


@pytest.mark.parametrize(("body", "code", "field"), [
    ({**QUERY, "metrics": ["revenue", "happiness"]}, "unknown_metric", "metrics"),
    ({**QUERY, "metrics": []}, "no_metrics", "metrics"),
    ({**QUERY, "slices": ["colour"]}, "unknown_slice", "slices"),
    ({**QUERY, "date_from": "2024-04-01"}, "period_ends_before_start", "date_to"),
    ({**QUERY, "granularity": "hour"}, "unknown_granularity", "granularity"),
    ({**QUERY, "granularity": "day", "date_from": "2019-01-01"}, "too_many_buckets", "granularity"),
    ({**QUERY, "date_from": "0001-01-01"}, "invalid_date", "date_from"),
    ({**QUERY, "filters": {"owner": ["seven"]}}, "invalid_filter", "filters"),
    ({**QUERY, "filters": {"owner": [2**70]}}, "invalid_filter", "filters"),
    ({**QUERY, "filters": {"owner": []}}, "invalid_filter", "filters"),
    ({**QUERY, "filters": {"shoe_size": [42]}}, "unknown_slice", "filters"),
    ({**QUERY, "slices": ["activity_type"]}, "slice_not_supported", "slices"),
    ({**QUERY, "metrics": ["stage_conversion"]}, "slice_required", "slices"),
    ({**QUERY, "metrics": ["stalled_deals"], "granularity": "month"}, "metric_is_snapshot", "granularity"),
])
def test_a_query_the_catalogue_refuses_is_422_with_its_code_and_field(world, api_client, body, code, field):
    response = api_client("admin", body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert (answer["code"], list(answer["fields"])) == (code, [field])
    assert answer["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({**QUERY, "metrics": "revenue"}, "metrics"),
    ({**QUERY, "metrics": [1, 2]}, "metrics.0"),
    ({**QUERY, "date_from": "2024-13-01"}, "date_from"),
    ({**QUERY, "date_to": 3.5}, "date_to"),
    ({**QUERY, "granularity": ["month"]}, "granularity"),
    ({**QUERY, "filters": {"owner": 7}}, "filters.owner"),
    ({**QUERY, "filters": ["owner"]}, "filters"),
    ({**QUERY, "filters": {"owner": [{"id": 1}]}}, "filters.owner.0.int"),
    ({**QUERY, "metrics": ["reve\u0000nue"]}, "metrics.0"),
    ({"metrics": ["revenue"]}, "date_from"),
])
def test_wrong_types_are_422_validation_errors(world, api_client, body, field):
    response = api_client("admin", body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["code"] == "validation_error"
    assert field in answer["fields"], answer["fields"]


def test_a_body_that_is_not_json_is_400(api_client):
    response = api_client("admin", raw="{metrics: revenue")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.sampled_from(["revenue", "owner", "month", "2024-01-01", "stage", "lead_source"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=10) | st.sampled_from(["owner", "product", "lead_source"]), children, max_size=3),
    max_leaves=10,
)
bodies = st.fixed_dictionaries({}, optional={
    "metrics": json_values | st.lists(st.sampled_from(["revenue", "stage_conversion", "stalled_deals", "x"])),
    "date_from": json_values | st.dates().map(str), "date_to": json_values | st.dates().map(str),
    "slices": json_values | st.lists(st.sampled_from(["owner", "stage", "product", "activity_type", "x"])),
    "granularity": json_values, "filters": json_values,
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(body=bodies)
def test_no_body_gives_a_server_error(org, bearer, body):
    headers = bearer(org.admin, org.workspace)
    response = Client().post("/api/v1/metrics/query", data=json.dumps(body), content_type="application/json",
                             headers=headers)
    assert response.status_code in (200, 400, 422), (body, response.content)
    if response.status_code != 200:
        assert response.json()["code"]


def test_a_query_costs_a_fixed_number_of_sql_queries(world, bearer, django_assert_num_queries):
    org = world.org
    body = json.dumps({"metrics": ["revenue", "deals_won", "win_rate", "average_check"], "slices": ["owner"],
                       "granularity": "month", "date_from": "2023-01-01", "date_to": "2024-12-31"})
    headers = bearer(org.admin, org.workspace)
    client = Client()
    client.post("/api/v1/metrics/query", data=body, content_type="application/json", headers=headers)
    # the token and its membership, the rollups' coverage and markers, one aggregate over the deals, the names
    with django_assert_num_queries(6) as captured:
        response = client.post("/api/v1/metrics/query", data=body, content_type="application/json",
                               headers=headers)
    assert response.status_code == 200
    assert sum("crm_deal" in q["sql"] for q in captured.captured_queries) == 1
