"""ApplicationError and its kinds: stable codes, statuses and the JSON body shape."""

from __future__ import annotations

from voronka.core.errors import (
    ApplicationError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)


def test_application_error_body():
    error = ApplicationError("Check it.", fields={"name": ["Required."]})
    assert (error.status, error.code, str(error)) == (400, "validation_error", "Check it.")
    assert error.as_dict() == {"code": "validation_error", "message": "Check it.", "fields": {"name": ["Required."]}}


def test_code_and_status_can_be_given():
    error = ApplicationError("Gone.", code=ErrorCode.INVITATION_EXPIRED, status=410, extra={"retry": False})
    assert (error.status, error.code) == (410, "invitation_expired")
    assert error.as_dict() == {"code": "invitation_expired", "message": "Gone.", "fields": {}, "retry": False}


def test_kinds_have_their_status_and_code():
    assert [(e.status, e.code) for e in (NotFoundError(), PermissionDeniedError(), ThrottledError())] == [
        (404, "not_found"), (403, "permission_denied"), (429, "throttled")
    ]
    conflict = ConflictError(current={"version": 3})
    assert (conflict.status, conflict.code, conflict.as_dict()["current"]) == (409, "conflict", {"version": 3})
    assert "current" not in ConflictError().as_dict()
    assert str(NotFoundError().message) == "Not found."
