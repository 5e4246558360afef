"""Error pages: JSON under /api/, HTML elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from .errors import ErrorCode
from .middleware import is_api_request

logger = logging.getLogger(__name__)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse({"code": code, "message": message, "fields": {}}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404, ErrorCode.NOT_FOUND, _("This page does not exist or you cannot see it."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403, ErrorCode.PERMISSION_DENIED, _("You do not have permission to do that."))


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("The request could not be understood."))


def server_error(request: HttpRequest) -> HttpResponse:
    message = _("Something went wrong on our side. It has been logged.")
    if is_api_request(request):
        return JsonResponse({"code": "server_error", "message": message, "fields": {}}, status=500)
    # No request context: the shell's context processors query the database, which may be what broke.
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # the template itself failing must not hide the original error
        logger.exception("500.html failed to render")
        return HttpResponseServerError(message, content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        ErrorCode.CSRF_FAILED,
        _("The form expired or the CSRF token is missing. Reload the page and try again."),
    )
