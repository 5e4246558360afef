"""The user's own API tokens in the current workspace."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.core.errors import ApplicationError

from ..access import access_own_token
from ..actor import Actor
from ..forms import ApiTokenForm
from ..roles import Capability
from ..selectors import api_token_list
from ..services.tokens import api_token_create, api_token_revoke
from ._base import FORM_ERROR_STATUS, actor_required, add_service_error, error_status, posted


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.MANAGE_OWN_TOKENS)
def token_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ApiTokenForm(posted(request))
    status = 200
    secret: str | None = None
    created = None
    if request.method == "POST":
        if form.is_valid():
            try:
                created, secret = api_token_create(actor=actor, name=form.cleaned_data["name"])
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                form = ApiTokenForm()
        else:
            status = FORM_ERROR_STATUS
    context = {"tokens": list(api_token_list(actor=actor)), "form": form, "secret": secret, "created": created}
    response = render(request, "accounts/tokens.html", context, status=status)
    # The secret is shown once: keep it out of every cache and the back-button history.
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.MANAGE_OWN_TOKENS)
def token_revoke_view(request: HttpRequest, actor: Actor, token_id: int) -> HttpResponse:
    token = access_own_token(actor=actor, token_id=token_id)
    if request.method == "POST":
        api_token_revoke(actor=actor, token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})
