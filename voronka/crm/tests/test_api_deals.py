"""/api/v1/deals: create, filters, conflicts, moves, line items, timeline, visibility, junk input."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Deal, Pipeline, StageTransition
from voronka.crm.tests.deals_factories import make_deal, make_lost_reason, make_pipeline, make_product, stage
from voronka.crm.tests.factories import make_company

pytestmark = pytest.mark.django_db

Headers = Callable[..., dict[str, str]]


def post(client: Client, path: str, body: Any, headers: dict[str, str]) -> Any:
    return client.post("/api/v1" + path, data=body, content_type="application/json", headers=headers)


def state(deal_id: int, org: Org) -> tuple[Any, ...]:
    with workspace_scope(org.workspace):
        row = Deal.objects.values_list("stage_id", "status", "version", "title", "amount").get(pk=deal_id)
        return row, StageTransition.objects.filter(deal_id=deal_id).count()


def test_create_and_idempotent_replay(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        make_pipeline(org.workspace)
    headers = {**bearer(org.rep, org.workspace), "Idempotency-Key": "deal-1"}
    body = {"title": "Boiler", "amount": "10.50", "owner": org.admin.pk, "status": "won", "version": 9,
            "workspace_id": 999, "team_id": 1}
    first = post(Client(), "/deals", body, headers)
    again = post(Client(), "/deals", body, headers)
    assert first.status_code == 201, first.content
    data = first.json()
    assert (data["title"], data["amount"], data["status"], data["version"], data["owner_id"], data["team_id"],
            data["stage_name"], data["line_items"]) == (
        "Boiler", "10.50", "open", 1, org.rep.pk, org.north.pk, "Lead", [])
    assert again.status_code == 201 and again.json() == data
    with workspace_scope(org.workspace):
        assert Deal.objects.count() == 1


def test_list_filters_and_query_count(org: Org, bearer: Headers, django_assert_max_num_queries: Any) -> None:
    with workspace_scope(org.workspace):
        pipeline = make_pipeline(org.workspace)
        mine = make_deal(pipeline, owner=org.rep, amount=100, title="Alpha")
        make_deal(pipeline, owner=org.rep_south, amount=900)
    headers = bearer(org.rep, org.workspace)
    response = Client().get("/api/v1/deals", headers=headers)
    assert [item["id"] for item in response.json()["items"]] == [mine.pk]
    admin = bearer(org.admin, org.workspace)
    body = Client().get("/api/v1/deals?amount_min=500&ordering=-amount", headers=admin).json()
    assert [item["amount"] for item in body["items"]] == ["900.00"]
    assert Client().get("/api/v1/deals?search=alph", headers=admin).json()["count"] == 1
    assert Client().get("/api/v1/deals?stalled=true", headers=admin).json()["count"] == 0
    assert Client().get("/api/v1/deals?custom=nope:1", headers=admin).json()["count"] == 0
    assert Client().get("/api/v1/deals?status=maybe", headers=admin).status_code == 422
    # the number of queries does not grow with the rows
    client = Client()
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/deals", headers=admin)
    with workspace_scope(org.workspace):
        for _ in range(10):
            make_deal(pipeline, owner=org.rep, company=make_company(org.workspace, owner=org.rep))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/deals", headers=admin).json()["count"] == 12


def test_two_updates_same_version_one_409(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    first = Client().patch(f"/api/v1/deals/{deal.pk}", data={"version": 1, "title": "First"},
                           content_type="application/json", headers=bearer(org.rep, org.workspace))
    second = Client().patch(f"/api/v1/deals/{deal.pk}", data={"version": 1, "title": "Second"},
                            content_type="application/json", headers=bearer(org.manager, org.workspace))
    assert (first.status_code, second.status_code) == (200, 409)
    conflict = second.json()
    assert conflict["code"] == "conflict"
    assert (conflict["current"]["title"], conflict["current"]["version"], conflict["current"]["changed_by_id"]) == (
        "First", 2, org.rep.pk)
    assert state(deal.pk, org)[0][3] == "First"


def test_move_won_lost_reopen_and_409(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        pipeline = make_pipeline(org.workspace)
        deal = make_deal(pipeline, owner=org.rep)
        reason = make_lost_reason(org.workspace)
        qualified = stage(pipeline, "Qualified")
    headers = bearer(org.rep, org.workspace)
    moved = post(Client(), f"/deals/{deal.pk}/move", {"stage_id": qualified.pk, "version": 1}, headers)
    assert (moved.status_code, moved.json()["stage_name"], moved.json()["version"]) == (200, "Qualified", 2)
    stale = post(Client(), f"/deals/{deal.pk}/move", {"stage_id": qualified.pk + 1, "version": 1}, headers)
    assert stale.status_code == 409 and stale.json()["current"]["stage_id"] == qualified.pk
    no_reason = post(Client(), f"/deals/{deal.pk}/move", {"stage_id": stage(pipeline, "Lost").pk, "version": 2},
                     headers)
    assert no_reason.status_code == 422 and "lost_reason" in no_reason.json()["fields"]
    lost = post(Client(), f"/deals/{deal.pk}/lost", {"version": 2, "lost_reason_id": reason.pk, "note": "n"}, headers)
    assert (lost.status_code, lost.json()["status"], lost.json()["lost_reason_id"]) == (200, "lost", reason.pk)
    reopened = post(Client(), f"/deals/{deal.pk}/reopen", {"version": 3}, headers)
    assert (reopened.status_code, reopened.json()["status"]) == (200, "open")
    won = post(Client(), f"/deals/{deal.pk}/won", {"version": 4}, headers)
    assert (won.status_code, won.json()["status"]) == (200, "won")
    timeline = Client().get(f"/api/v1/deals/{deal.pk}/timeline?limit=3", headers=headers).json()
    assert timeline["count"] == 7  # move 1, lost 2, reopen 2, won 2
    assert [entry["kind"] for entry in timeline["items"]] == ["deal_won", "stage_changed", "deal_reopened"]
    assert timeline["items"][0]["actor_id"] == org.rep.pk


def test_stage_gate_over_api(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        pipeline = make_pipeline(org.workspace)
        proposal = stage(pipeline, "Proposal")
        proposal.required_fields = ["company"]
        proposal.save()
        deal = make_deal(pipeline, owner=org.rep)
    before = state(deal.pk, org)
    response = post(Client(), f"/deals/{deal.pk}/move", {"stage_id": proposal.pk, "version": 1},
                    bearer(org.rep, org.workspace))
    assert response.status_code == 400
    assert response.json()["code"] == "stage_gate"
    assert response.json()["fields"] == {"company": ["Required in this stage."]}
    assert state(deal.pk, org) == before


def test_visibility_rep_and_manager(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        pipeline = make_pipeline(org.workspace)
        theirs = make_deal(pipeline, owner=org.rep_south)
        target = stage(pipeline, "Qualified")
    before = state(theirs.pk, org)
    rep = bearer(org.rep, org.workspace)
    assert Client().get(f"/api/v1/deals/{theirs.pk}", headers=rep).status_code == 404
    assert post(Client(), f"/deals/{theirs.pk}/move", {"stage_id": target.pk, "version": 1}, rep).status_code == 404
    assert state(theirs.pk, org) == before
    manager = post(Client(), f"/deals/{theirs.pk}/move", {"stage_id": target.pk, "version": 1},
                   bearer(org.manager, org.workspace))
    assert (manager.status_code, manager.json()["stage_id"]) == (200, target.pk)


def test_line_items_over_api(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
        product = make_product(org.workspace, price="12.50", unit_cost="5.00")
    response = Client().put(
        f"/api/v1/deals/{deal.pk}/line-items", content_type="application/json",
        data={"version": 1, "items": [{"product_id": product.pk, "quantity": 4, "discount_percent": 20}]},
        headers=bearer(org.rep, org.workspace),
    )
    # 4 × 12.50 × 0.8 = 40.00; cost 4 × 5.00 = 20.00
    body = response.json()
    assert (response.status_code, body["amount"], body["cost"], body["margin"], body["amount_is_manual"]) == (
        200, "40.00", "20.00", "20.00", False)
    assert [(line["quantity"], line["total"]) for line in body["line_items"]] == [("4.000", "40.00")]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries({}, optional={
    "title": JSON, "amount": JSON, "cost": JSON, "stage_id": JSON, "version": JSON, "pipeline_id": JSON,
    "contact_ids": JSON, "custom": JSON, "tags": JSON, "expected_close_date": JSON, "probability_override": JSON,
    "owner_id": JSON, "lost_reason_id": JSON,
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(JSON, FIELDS))
def test_junk_json_never_5xx(org: Org, bearer: Headers, body: Any) -> None:
    with workspace_scope(org.workspace):
        # Examples share the fixture's database: build the pipeline once.
        pipeline = Pipeline.objects.first() or make_pipeline(org.workspace)
        deal = make_deal(pipeline, owner=org.rep)
    headers = bearer(org.rep, org.workspace)
    for path in ("/deals", f"/deals/{deal.pk}/move"):
        response = Client().post("/api/v1" + path, data=json.dumps(body), content_type="application/json",
                                 headers=headers)
        assert response.status_code < 500, (path, body, response.content)
