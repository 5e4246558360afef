"""Cross-cutting request handling: CSP, body-size limit, and ApplicationError → page response."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import ApplicationError, ErrorCode
from .request_context import reset_current_ip, set_current_ip

Handler = Callable[[HttpRequest], HttpResponse]


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def client_ip(request: HttpRequest) -> str | None:
    # Behind a proxy, set the proxy to overwrite REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None


class ContentSecurityPolicyMiddleware:
    """Only the site itself may supply scripts, styles, images, fonts and frames."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_current_ip(client_ip(request))
        try:
            response = self.get_response(request)
        finally:
            reset_current_ip(token)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class RequestSizeLimitMiddleware:
    """Refuse a body larger than REQUEST_MAX_BODY_SIZE before anything reads it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BODY_SIZE:
            message = _("The request is too large.")
            if is_api_request(request):
                return JsonResponse({"code": ErrorCode.TOO_LARGE, "message": message, "fields": {}}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ApplicationErrorMiddleware:
    """Turn an ApplicationError a page view let through into a message the user can act on."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError) or is_api_request(request):
            return None
        if getattr(request, "htmx", False):
            response = render(
                request, "core/partials/error.html", {"error": exception}, status=exception.status
            )
            # htmx ignores 4xx bodies unless told where to put them.
            response.headers["HX-Retarget"] = "#messages"
            response.headers["HX-Reswap"] = "beforeend"
            return response
        if exception.status == 404:
            return render(request, "404.html", {"error": exception}, status=404)
        messages.error(request, str(exception.message))
        return render(request, "core/error.html", {"error": exception}, status=exception.status)


class JsonMethodNotAllowedMiddleware:
    """ninja answers an unsupported method with a plain-text 405; the API promises JSON errors."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allow = response.get("Allow", "")
            response = JsonResponse(
                {"code": "method_not_allowed", "message": _("This method is not allowed here."), "fields": {}},
                status=405,
            )
            if allow:
                response["Allow"] = allow
        return response
