"""Helpers every page view shares: service errors as form errors, safe redirects, bound POSTs."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import ApplicationError

FORM_ERROR_STATUS = 400


def add_service_error(
    form: forms.Form, error: ApplicationError, field_names: Callable[[str], str] | None = None
) -> None:
    """Show a service's refusal on the form: per-field messages where a field matches, and the summary.

    `field_names` maps a service field name to the form's where they differ (custom.<key> → cf_<key>).
    """
    for name, messages in error.fields.items():
        target = field_names(name) if field_names else name
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
    form.add_error(None, str(error.message))


def error_status(error: ApplicationError) -> int:
    return error.status if 400 <= error.status < 500 else FORM_ERROR_STATUS


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the request names when it stays on this site, else `fallback`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, None on GET; an empty POST still binds (and fails validation)."""
    return request.POST if request.method == "POST" else None
