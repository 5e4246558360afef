"""The shell: navbar, workspace switcher, language switch, error pages, CSP-clean markup."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from voronka.accounts.middleware import SESSION_WORKSPACE_KEY
from voronka.accounts.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from voronka.accounts.tests.test_views_support import audit_actions
from voronka.core.navigation import NavEntry, Part, visible_parts

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def test_shell_has_bootstrap_htmx_csrf_header_and_no_inline_code(org, login_as):
    # Given an admin
    client = login_as(org.admin)
    # When the home page renders
    response = client.get("/")
    html = response.content.decode()
    # Then it loads local assets only, passes CSRF to htmx, and has nothing the CSP would refuse
    assert response.status_code == 200
    assert "/static/bootstrap/css/bootstrap.min.css" in html
    assert "/static/bootstrap/js/bootstrap.bundle.min.js" in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in html
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]+\"\}'>", html)
    assert 'id="messages"' in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
    assert not INLINE_HANDLER.search(html)
    assert "plotly.min.js" not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_navbar_shows_parts_by_capability(org, login_as):
    client = login_as(org.rep)
    html = client.get("/").content.decode()
    assert 'id="nav-sell"' in html
    assert 'href="/accounts/members/"' in html
    assert 'href="/accounts/teams/"' in html
    assert 'id="nav-plan"' in html  # goals and channels register there
    assert "/accounts/settings/" not in html  # reps have no settings link
    admin_html = login_as(org.admin).get("/").content.decode()
    assert "/accounts/settings/" in admin_html


def test_registry_hides_missing_modules_and_capabilities():
    entries = [
        NavEntry("accounts:members", "Members", Part.SELL, "voronka.accounts", "members.view"),
        NavEntry("accounts:teams", "Teams", Part.SELL, "voronka.accounts", "teams.manage"),
        NavEntry("crm:deals", "Deals", Part.SELL, "voronka.not_installed"),
        NavEntry("no-such-url", "Broken", Part.PLAN, "voronka.accounts"),
    ]
    parts = visible_parts(lambda capability: capability == "members.view", entries)
    assert [(part.part, [link.url for link in part.links]) for part in parts] == [(Part.SELL, ["/accounts/members/"])]


def test_anonymous_home_redirects_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_user_without_workspace_sees_friendly_page(client, db):
    user = UserFactory(email="lonely@example.test")
    client.force_login(user)
    for url in ["/", "/accounts/members/", "/accounts/teams/", "/accounts/tokens/", "/accounts/settings/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "You are not in a workspace yet" in response.content.decode()


def test_language_switch_translates_the_shell(org, login_as):
    client = login_as(org.rep)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="ru">' in html
    assert "Продажи" in html  # the "Sell" part
    assert "Выйти" in html  # "Log out"


class TestWorkspaceSwitch:
    def test_switch_to_own_second_workspace(self, org, login_as):
        second = WorkspaceFactory(name="Second <b>Co</b>")
        MembershipFactory(workspace=second, user=org.rep)
        client = login_as(org.rep)
        html = client.get("/").content.decode()
        assert "Second &lt;b&gt;Co&lt;/b&gt;" in html  # listed in the switcher, escaped
        response = client.post("/accounts/workspace/switch/", {"workspace": second.pk})
        assert response.status_code == 302
        assert client.session[SESSION_WORKSPACE_KEY] == second.pk
        assert audit_actions(actor_id=org.rep.pk, workspace_id=second.pk) == ["workspace.switch"]

    def test_switch_to_foreign_workspace_is_404(self, org, other_org, login_as):
        client = login_as(org.rep)
        client.get("/")
        for value in [other_org.workspace.pk, "x", ""]:
            response = client.post("/accounts/workspace/switch/", {"workspace": value})
            assert response.status_code == 404
        assert client.session[SESSION_WORKSPACE_KEY] == org.workspace.pk
        assert audit_actions(action="workspace.switch") == []

    def test_switch_needs_post(self, org, login_as):
        assert login_as(org.rep).get("/accounts/workspace/switch/").status_code == 405


class TestErrorPages:
    def test_unknown_page_is_html_404_in_the_shell(self, org, login_as):
        response = login_as(org.rep).get("/no/such/page/")
        assert response.status_code == 404
        assert "This page does not exist" in response.content.decode()
        assert 'id="messages"' in response.content.decode()

    def test_unknown_api_path_is_json_404(self, org, login_as):
        response = login_as(org.rep).get("/api/v1/no-such-endpoint")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_denied_page_is_403_and_audited(self, org, login_as):
        response = login_as(org.rep).get("/accounts/settings/")
        assert response.status_code == 403
        assert "You do not have permission" in response.content.decode()
        assert audit_actions(actor_id=org.rep.pk, action="access.denied") == ["access.denied"]

    def test_htmx_error_is_retargeted_to_messages(self, org, login_as):
        response = login_as(org.rep).get("/accounts/settings/", headers={"HX-Request": "true"})
        assert response.status_code == 403
        assert response["HX-Retarget"] == "#messages"
        assert "alert-danger" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/workspace/switch/", "/accounts/logout/", "/i18n/setlang/"])
def test_shell_posts_need_csrf(org, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep)
    response = client.post(url, {"workspace": org.workspace.pk, "language": "ru"})
    assert response.status_code == 403


def test_server_error_page_is_standalone_html_or_json(rf):
    from voronka.core.views import server_error

    page = server_error(rf.get("/accounts/members/"))
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.content.decode()
    api = server_error(rf.get("/api/v1/me"))
    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
