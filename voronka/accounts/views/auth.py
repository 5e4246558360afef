"""Logging in and out, and Django's password change and reset pages with our templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from voronka.core.errors import ApplicationError, ThrottledError

from ..forms import LoginForm
from ..services.auth import login_authenticate
from ._base import add_service_error, posted, safe_next


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    home = resolve_url(settings.LOGIN_REDIRECT_URL)
    if request.user.is_authenticated and request.method != "POST":
        return redirect(safe_next(request, home))
    form = LoginForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = login_authenticate(request=request, **form.cleaned_data)
            except ThrottledError as error:
                form.add_error(None, str(error.message))
                status = error.status
            except ApplicationError as error:
                add_service_error(form, error)
                status = error.status
            else:
                login(request, user)  # rotates the session key (SECURITY.md R8)
                return redirect(safe_next(request, home))
        else:
            status = 400
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request, "")}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the session row, so the old cookie is worthless
    messages.info(request, _("You have logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django keeps this session (update_session_auth_hash) and every other session stops working."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Build links from SITE_URL, never from the request's Host header.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
