"""Redeeming an invitation link: confirm as the invited user, or sign up as them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from voronka.core.errors import ApplicationError

from ..forms import SignUpForm
from ..middleware import SESSION_WORKSPACE_KEY
from ..models import Membership, User, normalize_email
from ..services.invitations import invitation_accept, invitation_from_token
from ._base import FORM_ERROR_STATUS, add_service_error, error_status, posted

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _enter(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
    messages.success(request, _("Welcome to %(workspace)s!") % {"workspace": membership.workspace.name})
    return redirect("home")


@sensitive_post_parameters("password", "password_again")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_from_token(token)
    except ApplicationError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error}, status=error_status(error))

    context: dict[str, object] = {"invitation": invitation, "workspace": invitation.workspace}
    user = request.user
    if user.is_authenticated:
        if normalize_email(user.email) != invitation.email:  # type: ignore[union-attr]
            return render(request, "accounts/invitation_wrong_user.html", context, status=403)
        if request.method == "POST":
            try:
                membership = invitation_accept(token=token, user=user)  # type: ignore[arg-type]
            except ApplicationError as error:
                context["error"] = error
                return render(request, "accounts/invitation_accept.html", context, status=error_status(error))
            return _enter(request, membership)
        return render(request, "accounts/invitation_accept.html", context)

    if User.objects.filter(email__iexact=invitation.email).exists():
        # The account exists: log in first, then come back here to confirm.
        return render(request, "accounts/invitation_login.html", context)

    form = SignUpForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                membership = invitation_accept(
                    token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
                )
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                login(request, membership.user, backend=MODEL_BACKEND)
                return _enter(request, membership)
        else:
            status = FORM_ERROR_STATUS
    context["form"] = form
    return render(request, "accounts/invitation_signup.html", context, status=status)
