"""Logging in: throttling repeated failures and auditing every attempt."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ThrottledError
from voronka.core.models import AuditEntry

from ..models import User, normalize_email

LOGIN_FAILED = "auth.login_failed"
LOGIN_THROTTLED = "auth.login_throttled"


def _recent_failures(email: str) -> int:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return AuditEntry.objects.filter(action=LOGIN_FAILED, target_id=email, created_at__gte=since).count()


def login_authenticate(*, request: HttpRequest, email: str, password: str) -> User:
    """Check credentials; the attempt after LOGIN_FAILURE_LIMIT failures in the window is refused."""
    email = normalize_email(email)[:254]
    if _recent_failures(email) >= settings.LOGIN_FAILURE_LIMIT:
        AuditEntry.objects.create(action=LOGIN_THROTTLED, target_type="email", target_id=email,
                                  ip=request.META.get("REMOTE_ADDR"))
        raise ThrottledError(_("Too many failed attempts. Wait 15 minutes and try again."))
    user = authenticate(request, username=email, password=password)
    if user is None:
        AuditEntry.objects.create(action=LOGIN_FAILED, target_type="email", target_id=email,
                                  ip=request.META.get("REMOTE_ADDR"))
        raise ApplicationError(_("Wrong email or password."), code="invalid_credentials")
    audit_record(action="auth.login", actor=user, target=user, workspace_id=None)
    return user  # type: ignore[return-value]
