"""login_authenticate: every attempt audited; the attempt after LOGIN_FAILURE_LIMIT failures is refused."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.test import RequestFactory
from django.utils import timezone

from voronka.accounts.services.auth import login_authenticate
from voronka.accounts.tests.factories import PASSWORD
from voronka.core.errors import ApplicationError, ThrottledError
from voronka.core.models import AuditEntry


@pytest.fixture
def request_from():  # type: ignore[no-untyped-def]
    def _request(ip: str = "198.51.100.4"):  # type: ignore[no-untyped-def]
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
        request.session = {}  # type: ignore[attr-defined]
        return request

    return _request


def _fail(request, email: str, times: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        with pytest.raises(ApplicationError) as caught:
            login_authenticate(request=request, email=email, password="wrong password")
        assert caught.value.code == "invalid_credentials"


def _audits() -> list[tuple]:
    return list(AuditEntry.objects.order_by("id").values_list("action", "actor_id", "target_type", "target_id", "ip"))


def test_the_limit_is_ten_in_fifteen_minutes(settings):
    assert (settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW_SECONDS) == (10, 900)


def test_right_password_logs_in_and_is_audited(org, request_from):
    user = login_authenticate(request=request_from(), email=" REP@Acme.test ", password=PASSWORD)
    assert user.pk == org.rep.pk
    assert _audits() == [("auth.login", org.rep.pk, "accounts.user", str(org.rep.pk), None)]


def test_wrong_password_is_refused_and_audited(org, request_from):
    _fail(request_from("198.51.100.9"), "Rep@acme.test", 1)
    assert _audits() == [("auth.login_failed", None, "email", "rep@acme.test", "198.51.100.9")]


def test_unknown_email_is_refused_the_same_way(db, request_from):
    _fail(request_from(), "nobody@acme.test", 1)
    assert _audits() == [("auth.login_failed", None, "email", "nobody@acme.test", "198.51.100.4")]


def test_inactive_user_cannot_log_in(org, request_from):
    org.rep.is_active = False
    org.rep.save(update_fields=["is_active"])
    with pytest.raises(ApplicationError) as caught:
        login_authenticate(request=request_from(), email="rep@acme.test", password=PASSWORD)
    assert caught.value.code == "invalid_credentials"


def test_the_eleventh_attempt_is_refused_even_with_the_right_password(org, request_from, settings):
    request = request_from()
    # given ten failures (in case variants of the same email) within the window
    _fail(request, "rep@acme.test", settings.LOGIN_FAILURE_LIMIT - 1)
    _fail(request, "REP@ACME.TEST", 1)
    # when the right password comes next
    with pytest.raises(ThrottledError) as caught:
        login_authenticate(request=request, email="rep@acme.test", password=PASSWORD)
    # then it is refused with 429, audited, and nobody logged in
    assert (caught.value.code, caught.value.status) == ("throttled", 429)
    actions = [row[0] for row in _audits()]
    assert actions == ["auth.login_failed"] * 10 + ["auth.login_throttled"]
    assert _audits()[-1] == ("auth.login_throttled", None, "email", "rep@acme.test", "198.51.100.4")
    # and every further attempt is refused and audited too
    with pytest.raises(ThrottledError):
        login_authenticate(request=request, email="rep@acme.test", password="wrong password")
    assert AuditEntry.objects.filter(action="auth.login_throttled").count() == 2
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_ninth_failure_still_allows_the_right_password(org, request_from, settings):
    _fail(request_from(), "rep@acme.test", settings.LOGIN_FAILURE_LIMIT - 1)
    assert login_authenticate(request=request_from(), email="rep@acme.test", password=PASSWORD).pk == org.rep.pk


def test_failures_for_another_email_do_not_count(org, request_from, settings):
    _fail(request_from(), "manager@acme.test", settings.LOGIN_FAILURE_LIMIT)
    assert login_authenticate(request=request_from(), email="rep@acme.test", password=PASSWORD).pk == org.rep.pk


def test_failures_older_than_the_window_do_not_count(org, request_from, settings):
    # given ten failures sixteen minutes ago
    then = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 60)
    with mock.patch("django.utils.timezone.now", return_value=then):
        _fail(request_from(), "rep@acme.test", settings.LOGIN_FAILURE_LIMIT)
    assert AuditEntry.objects.filter(action="auth.login_failed", created_at__lt=timezone.now() - dt.timedelta(
        seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)).count() == 10
    # when the right password comes now, then it is accepted
    assert login_authenticate(request=request_from(), email="rep@acme.test", password=PASSWORD).pk == org.rep.pk


def test_failures_just_inside_the_window_count(org, request_from, settings):
    then = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS - 60)
    with mock.patch("django.utils.timezone.now", return_value=then):
        _fail(request_from(), "rep@acme.test", settings.LOGIN_FAILURE_LIMIT)
    with pytest.raises(ThrottledError):
        login_authenticate(request=request_from(), email="rep@acme.test", password=PASSWORD)


def test_a_lower_limit_from_settings_applies(org, request_from, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    _fail(request_from(), "rep@acme.test", 2)
    with pytest.raises(ThrottledError):
        login_authenticate(request=request_from(), email="rep@acme.test", password=PASSWORD)
