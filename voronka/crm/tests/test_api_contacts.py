"""The /contacts endpoints, including random input that must never be a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Contact
from voronka.crm.services.tags import tags_set
from voronka.crm.tests.factories import make_company, make_contact

Headers = Callable[..., dict[str, str]]
JSON = "application/json"


@pytest.fixture
def rep(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.rep, org.workspace)


def test_create_and_read(org: Org, rep: dict[str, str]) -> None:
    company = make_company(org.workspace, org.rep, name="Acme")
    response = Client().post("/api/v1/contacts", data={
        "first_name": "Анна", "last_name": "Иванова", "emails": [" Anna@Example.com"], "phones": ["8 916 123-45-67"],
        "company_id": company.pk, "gender": "f", "tags": ["lead"],
    }, content_type=JSON, headers=rep)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["full_name"], body["email"], body["emails"], body["phone"], body["phones"]) == (
        "Анна Иванова", "anna@example.com", ["anna@example.com"], "+79161234567", ["+79161234567"])
    assert (body["company"], body["owner"]["id"], body["tags"], body["version"]) == (
        {"id": company.pk, "name": "Acme"}, org.rep.pk, ["lead"], 1)


def test_duplicate_answers_422_with_the_existing_id_only_when_visible(org: Org, rep: dict[str, str]) -> None:
    mine = make_contact(org.workspace, org.rep, email="mine@example.com")
    make_contact(org.workspace, org.rep_south, phone="+79161234567")
    response = Client().post("/api/v1/contacts", data={"full_name": "x", "emails": ["MINE@example.com"]},
                             content_type=JSON, headers=rep)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["existing_id"], list(body["fields"])) == ("duplicate_contact", mine.pk, ["emails"])
    response = Client().post("/api/v1/contacts", data={"full_name": "x", "phones": ["+7 916 1234567"]},
                             content_type=JSON, headers=rep)
    assert response.status_code == 422
    assert response.json()["code"] == "duplicate_contact"
    assert "existing_id" not in response.json()
    assert Contact.unscoped.count() == 2


def test_company_of_another_rep_or_workspace_is_404(org: Org, other_org: Org, rep: dict[str, str]) -> None:
    for company in (make_company(org.workspace, org.rep_south), make_company(other_org.workspace, other_org.rep)):
        response = Client().post("/api/v1/contacts", data={"full_name": "x", "company_id": company.pk},
                                 content_type=JSON, headers=rep)
        assert response.status_code == 404
    assert Contact.unscoped.count() == 0


def test_two_updates_with_one_version_give_exactly_one_conflict(org: Org, rep: dict[str, str]) -> None:
    contact = make_contact(org.workspace, org.rep, full_name="Start")
    url = f"/api/v1/contacts/{contact.pk}"
    first = Client().patch(url, data={"version": 1, "full_name": "First"}, content_type=JSON, headers=rep)
    second = Client().patch(url, data={"version": 1, "emails": ["x@y.ru"]}, content_type=JSON, headers=rep)
    assert (first.status_code, second.status_code, second.json()["code"]) == (200, 409, "conflict")
    assert second.json()["current"]["full_name"] == "First"
    contact.refresh_from_db()
    assert (contact.full_name, contact.email, contact.version) == ("First", "", 2)


def test_list_search_and_query_count(org: Org, rep: dict[str, str]) -> None:
    def fetch(query: str = "") -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as context:
            response = Client().get(f"/api/v1/contacts{query}", headers=rep)
        assert response.status_code == 200
        return len(context), [item["full_name"] for item in response.json()["items"]]

    company = make_company(org.workspace, org.rep)
    make_contact(org.workspace, org.rep, full_name="Иван Петров", email="ivan@example.com", company=company)
    fetch()
    few, _ = fetch()
    with workspace_scope(org.workspace):
        for index in range(12):
            tags_set(record=make_contact(org.workspace, org.rep, email=f"c{index}@x.ru", company=company), names=["t"])
    many, rows = fetch()
    assert (many, len(rows)) == (few, 13)
    assert fetch("?search=ИВАН")[1] == ["Иван Петров"]
    assert fetch("?search=ivan@EXAMPLE")[1] == ["Иван Петров"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(name=st.text(max_size=250), email=st.text(max_size=80), phone=st.text(max_size=40),
       extra=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.text(max_size=5), max_size=3)))
def test_random_input_never_fails_the_server(org: Org, rep: dict[str, str], name: str, email: str, phone: str,
                                             extra: object) -> None:
    payload = {"full_name": name, "emails": [email], "phones": [phone], "position": extra, "custom": {name[:5]: extra}}
    response = Client().post("/api/v1/contacts", data=payload, content_type=JSON, headers=rep)
    assert response.status_code in (201, 400, 422), response.content
    assert response["Content-Type"].startswith("application/json")
    contact = make_contact(org.workspace, org.rep)
    response = Client().patch(f"/api/v1/contacts/{contact.pk}", data={"version": 1, "full_name": name,
                                                                      "phones": [phone, email]},
                              content_type=JSON, headers=rep)
    assert response.status_code in (200, 400, 422), response.content
    response = Client().get("/api/v1/contacts", data={"search": name[:100], "tag": email[:60], "city": phone},
                            headers=rep)
    assert response.status_code in (200, 422), response.content
