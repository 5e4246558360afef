"""Workspace settings: admins only; bad values are field errors."""

from __future__ import annotations

import pytest
from django.test import Client

from voronka.accounts.models import Workspace
from voronka.accounts.tests.test_views_support import snapshot

URL = "/accounts/settings/"
GOOD = {"name": "Acme Rus", "currency": "USD", "time_zone": "Asia/Almaty", "language": "ru", "reps_see_team": "on"}


def test_admin_sees_and_saves(org, login_as):
    client = login_as(org.admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'value="Acme Co"' in page.content.decode()
    assert client.post(URL, GOOD).status_code == 302
    workspace = Workspace.objects.get(pk=org.workspace.pk)
    assert (workspace.name, workspace.currency, workspace.time_zone, workspace.language, workspace.reps_see_team) == (
        "Acme Rus",
        "USD",
        "Asia/Almaty",
        "ru",
        True,
    )


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_others_are_refused(org, login_as, role):
    client = login_as(getattr(org, role))
    before = snapshot()
    assert client.get(URL).status_code == 403
    assert client.post(URL, GOOD).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "field,value",
    [("name", ""), ("name", "x" * 121), ("currency", "XXX"), ("time_zone", "Mars/Olympus"), ("language", "de")],
)
def test_bad_values_are_field_errors(org, login_as, field, value):
    before = snapshot()
    response = login_as(org.admin).post(URL, {**GOOD, field: value})
    assert response.status_code == 400
    assert f'name="{field}"' in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert snapshot() == before


def test_workspace_name_is_escaped_in_the_shell(org, login_as):
    Workspace.objects.filter(pk=org.workspace.pk).update(name="<script>alert(1)</script>")
    html = login_as(org.admin).get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_settings_post_needs_csrf(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    before = snapshot()
    assert client.post(URL, GOOD).status_code == 403
    assert snapshot() == before


def test_query_count(org, login_as, django_assert_max_num_queries):
    client = login_as(org.admin)
    client.get("/")  # the first request stores the current workspace in the session
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
