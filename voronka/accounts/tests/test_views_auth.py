"""Login, logout, password change and reset; sessions rotate and die (SECURITY.md R8, R9)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from voronka.accounts.tests.factories import PASSWORD
from voronka.accounts.tests.test_views_support import audit_actions

LOGIN = "/accounts/login/"


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


class TestLogin:
    def test_page_renders(self, client, db):
        response = client.get(LOGIN)
        assert response.status_code == 200
        assert 'name="email"' in response.content.decode()

    def test_success_rotates_session_and_redirects_home(self, client, org):
        # Given an anonymous session that already exists
        client.get(LOGIN)
        session = client.session
        session["probe"] = 1
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        before = session.session_key
        # When the user logs in
        response = client.post(LOGIN, {"email": "REP@acme.test ", "password": PASSWORD})
        # Then a new session key replaces the old one, which no longer exists
        assert response.status_code == 302
        assert response["Location"] == "/"
        after = session_key(client)
        assert after and after != before
        assert not Session.objects.filter(session_key=before).exists()
        assert client.get("/").status_code == 200

    def test_next_is_followed_only_on_this_site(self, client, org):
        response = client.post(f"{LOGIN}?next=/accounts/teams/", {"email": "rep@acme.test", "password": PASSWORD})
        assert response["Location"] == "/accounts/teams/"
        client.post("/accounts/logout/")
        response = client.post(LOGIN, {"email": "rep@acme.test", "password": PASSWORD, "next": "https://evil.example/"})
        assert response["Location"] == "/"

    def test_wrong_password_is_a_form_error(self, client, org):
        response = client.post(LOGIN, {"email": "rep@acme.test", "password": "nope"})
        assert response.status_code == 400
        assert "Wrong email or password." in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_bad_input_is_a_form_error_not_a_500(self, client, db):
        response = client.post(LOGIN, {"email": "not an email", "password": ""})
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode()

    def test_eleventh_failure_is_refused_even_with_the_right_password_and_audited(self, client, org):
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            assert client.post(LOGIN, {"email": "rep@acme.test", "password": "wrong"}).status_code == 400
        response = client.post(LOGIN, {"email": "rep@acme.test", "password": PASSWORD})
        assert response.status_code == 429
        assert "Too many failed attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session
        assert audit_actions(action="auth.login_throttled", target_id="rep@acme.test") == ["auth.login_throttled"]

    def test_login_post_needs_csrf(self, org):
        client = Client(enforce_csrf_checks=True)
        response = client.post(LOGIN, {"email": "rep@acme.test", "password": PASSWORD})
        assert response.status_code == 403
        assert "_auth_user_id" not in client.session


class TestLogout:
    def test_get_does_not_log_out(self, org, login_as):
        client = login_as(org.rep)
        assert client.get("/accounts/logout/").status_code == 405
        assert client.get("/").status_code == 200

    def test_post_kills_the_session(self, org, login_as):
        client = login_as(org.rep)
        key = session_key(client)
        response = client.post("/accounts/logout/")
        assert response.status_code == 302
        assert not Session.objects.filter(session_key=key).exists()
        # Replaying the old cookie does not bring the user back.
        replay = Client()
        replay.cookies[settings.SESSION_COOKIE_NAME] = key
        assert replay.get("/").status_code == 302


class TestPasswordChange:
    def test_change_keeps_this_session_and_kills_others(self, org):
        here, elsewhere = Client(), Client()
        for client in (here, elsewhere):
            assert client.post(LOGIN, {"email": "rep@acme.test", "password": PASSWORD}).status_code == 302
        response = here.post(
            "/accounts/password/change/",
            {
                "old_password": PASSWORD,
                "new_password1": "a brand new passphrase 42",
                "new_password2": "a brand new passphrase 42",
            },
        )
        assert response.status_code == 302
        assert here.get("/").status_code == 200
        assert elsewhere.get("/").status_code == 302
        org.rep.refresh_from_db()
        assert org.rep.check_password("a brand new passphrase 42")

    def test_wrong_old_password_is_a_form_error(self, org, login_as):
        client = login_as(org.rep)
        response = client.post(
            "/accounts/password/change/",
            {
                "old_password": "nope",
                "new_password1": "x",
                "new_password2": "y",
            },
        )
        assert response.status_code == 200  # Django's view re-renders the form
        assert "is-invalid" in response.content.decode()
        org.rep.refresh_from_db()
        assert org.rep.check_password(PASSWORD)

    def test_anonymous_is_sent_to_login(self, client, db):
        assert client.get("/accounts/password/change/")["Location"].startswith(LOGIN)


class TestPasswordReset:
    def test_reset_by_email_link(self, client, org, settings):
        settings.SITE_URL = "https://crm.example"
        response = client.post("/accounts/password/reset/", {"email": "rep@acme.test"})
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        link = re.search(r"https://crm\.example(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body)
        assert link is not None
        form_page = client.get(link.group(1), follow=True)
        assert form_page.status_code == 200
        set_url = form_page.redirect_chain[-1][0]
        done = client.post(set_url, {"new_password1": "reset passphrase 77", "new_password2": "reset passphrase 77"})
        assert done.status_code == 302
        org.rep.refresh_from_db()
        assert org.rep.check_password("reset passphrase 77")

    def test_unknown_email_sends_nothing_and_says_the_same(self, client, db):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
        assert response.status_code == 302
        assert mail.outbox == []

    def test_tampered_link_is_refused(self, client, db):
        response = client.get("/accounts/password/reset/MQ/bad-token/")
        assert response.status_code == 200
        assert "This link cannot be used" in response.content.decode()


@pytest.mark.parametrize("url", ["/accounts/password/change/", "/accounts/password/reset/"])
def test_password_posts_need_csrf(org, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep)
    response = client.post(
        url,
        {
            "email": "rep@acme.test",
            "old_password": PASSWORD,
            "new_password1": "zz passphrase 1",
            "new_password2": "zz passphrase 1",
        },
    )
    assert response.status_code == 403
    org.rep.refresh_from_db()
    assert org.rep.check_password(PASSWORD)
