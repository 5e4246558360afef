"""/api/v1/pipelines, /stages, /lost-reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Pipeline, Stage
from voronka.crm.tests.deals_factories import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

Headers = Callable[..., dict[str, str]]


def test_list_with_stages_and_query_count(org: Org, bearer: Headers, django_assert_max_num_queries: Any) -> None:
    with workspace_scope(org.workspace):
        make_pipeline(org.workspace, name="A")
    headers = bearer(org.rep, org.workspace)
    client = Client()
    with django_assert_max_num_queries(12) as few:
        body = client.get("/api/v1/pipelines", headers=headers).json()
    assert [s["name"] for s in body["items"][0]["stages"]] == [
        "Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    with workspace_scope(org.workspace):
        for name in "BCDE":
            make_pipeline(org.workspace, name=name)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/pipelines", headers=headers).json()["count"] == 5


def test_team_pipeline_hidden_from_other_team(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        south = make_pipeline(org.workspace, name="South", team=org.south)
    rep = bearer(org.rep, org.workspace)
    assert Client().get(f"/api/v1/pipelines/{south.pk}", headers=rep).status_code == 404
    assert Client().get("/api/v1/pipelines", headers=rep).json()["count"] == 0
    assert Client().get(f"/api/v1/pipelines/{south.pk}", headers=bearer(org.manager, org.workspace)).status_code == 200


def test_admin_configures(org: Org, bearer: Headers) -> None:
    headers = bearer(org.admin, org.workspace)
    created = Client().post("/api/v1/pipelines", data={"name": "B2B", "team_id": org.north.pk},
                            content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content
    pipeline_id = created.json()["id"]
    assert (created.json()["team_id"], len(created.json()["stages"])) == (org.north.pk, 6)
    bad = Client().post(f"/api/v1/pipelines/{pipeline_id}/stages", content_type="application/json",
                        data={"name": "Demo", "required_fields": ["password"]}, headers=headers)
    assert bad.status_code == 422 and "required_fields" in bad.json()["fields"]
    out_of_range = Client().post(f"/api/v1/pipelines/{pipeline_id}/stages", content_type="application/json",
                                 data={"name": "Demo", "probability": 140}, headers=headers)
    assert out_of_range.status_code == 422
    good = Client().post(f"/api/v1/pipelines/{pipeline_id}/stages", content_type="application/json",
                         data={"name": "Demo", "probability": 40, "required_fields": ["amount"]}, headers=headers)
    assert (good.status_code, good.json()["order"], good.json()["required_fields"]) == (201, 6, ["amount"])
    patched = Client().patch(f"/api/v1/stages/{good.json()['id']}", content_type="application/json",
                             data={"stalled_after_days": 5, "name": "Demo call"}, headers=headers)
    assert (patched.json()["stalled_after_days"], patched.json()["name"]) == (5, "Demo call")
    reason = Client().post("/api/v1/lost-reasons", data={"name": "Ghosted"}, content_type="application/json",
                           headers=headers)
    assert reason.status_code == 201
    duplicate = Client().post("/api/v1/lost-reasons", data={"name": "Ghosted"}, content_type="application/json",
                              headers=headers)
    assert duplicate.status_code == 422


def test_delete_refused_while_deals_exist(org: Org, bearer: Headers) -> None:
    with workspace_scope(org.workspace):
        pipeline = make_pipeline(org.workspace)
        make_deal(pipeline, owner=org.rep, stage_name="Proposal")
        proposal = stage(pipeline, "Proposal")
    headers = bearer(org.admin, org.workspace)
    assert Client().delete(f"/api/v1/pipelines/{pipeline.pk}", headers=headers).json()["code"] == "pipeline_in_use"
    assert Client().delete(f"/api/v1/stages/{proposal.pk}", headers=headers).json()["code"] == "stage_in_use"
    with workspace_scope(org.workspace):
        assert Pipeline.objects.filter(pk=pipeline.pk).exists()
        assert Stage.objects.filter(pk=proposal.pk).exists()
