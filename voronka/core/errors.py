"""Errors a user can cause, each with a stable machine-readable code.

Services raise these; `core/api.py` turns them into JSON `{"code", "message", "fields"}` and
`core/middleware.py` into a page message. Nothing else catches them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    MALFORMED_JSON = "malformed_json"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    NOT_AUTHENTICATED = "not_authenticated"
    CSRF_FAILED = "csrf_failed"
    CONFLICT = "conflict"
    TOO_LARGE = "request_too_large"
    THROTTLED = "throttled"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 — an error code
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_USED = "invitation_used"
    ALREADY_MEMBER = "already_member"
    TEAM_CYCLE = "team_cycle"
    LAST_ADMIN = "last_admin"
    NO_WORKSPACE = "no_workspace"
    IDEMPOTENCY_MISMATCH = "idempotency_key_reused"


class ApplicationError(Exception):
    """A rule of the business said no. `fields` maps a field name to its messages."""

    status = 400

    def __init__(
        self,
        message: Any,
        *,
        code: ErrorCode | str = ErrorCode.VALIDATION,
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = str(code)
        self.fields = fields or {}
        self.extra = extra or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message), "fields": self.fields}
        body.update(self.extra)
        return body


class NotFoundError(ApplicationError):
    status = 404

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        super().__init__(message or _("Not found."), code=ErrorCode.NOT_FOUND, **kwargs)


class PermissionDeniedError(ApplicationError):
    status = 403

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        super().__init__(
            message or _("You do not have permission to do that."), code=ErrorCode.PERMISSION_DENIED, **kwargs
        )


class ConflictError(ApplicationError):
    """Someone else changed the record since it was read; `current` is what it is now."""

    status = 409

    def __init__(self, message: Any = None, *, current: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(
            message or _("Someone else changed this record. Review the current version and try again."),
            code=ErrorCode.CONFLICT,
            extra={"current": current} if current is not None else None,
            **kwargs,
        )


class ThrottledError(ApplicationError):
    status = 429

    def __init__(self, message: Any = None, **kwargs: Any) -> None:
        super().__init__(message or _("Too many attempts. Try again later."), code=ErrorCode.THROTTLED, **kwargs)
