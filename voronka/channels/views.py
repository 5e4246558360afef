"""The channel catalogue pages: everyone with CRM access reads it, CHANNELS_MANAGE changes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import FORM_ERROR_STATUS, add_service_error, error_status, posted

from . import services
from .access import access_channel, access_channel_for_update
from .forms import ChannelForm
from .models import SalesChannel
from .selectors import channel_list

MANAGE = Capability.CHANNELS_MANAGE


def _run(form: ChannelForm, call: Callable[[], Any]) -> tuple[Any, int]:
    if not form.is_valid():
        return None, FORM_ERROR_STATUS
    try:
        with transaction.atomic():
            return call(), 200
    except ApplicationError as error:
        add_service_error(form, error)
        return None, error_status(error)


def _form_page(request: HttpRequest, *, title: str, form: ChannelForm, action: str, status: int = 200,
               channel: SalesChannel | None = None) -> HttpResponse:
    return render(request, "channels/form.html", {
        "title": title, "form": form, "action": action, "back": reverse("channels:list"), "channel": channel,
    }, status=status)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_VIEW)
def channel_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "channels/list.html", {
        "channels": list(channel_list(workspace_id=actor.workspace.pk)),
        "can_manage": actor.can(MANAGE),
        "currency": actor.workspace.currency,
    })


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(MANAGE)
def channel_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ChannelForm(posted(request))
    status = 200
    if request.method == "POST":
        channel, status = _run(form, lambda: services.channel_create(actor=actor, data=form.cleaned_data))
        if channel is not None:
            messages.success(request, _("Channel “%(name)s” added.") % {"name": channel.name})
            return redirect("channels:list")
    return _form_page(request, title=_("New sales channel"), form=form, action=reverse("channels:create"),
                      status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(MANAGE)
def channel_edit_view(request: HttpRequest, actor: Actor, channel_id: int) -> HttpResponse:
    channel = access_channel(actor=actor, channel_id=channel_id)
    initial = {name: getattr(channel, name) for name in
               ("name", "kind", "fee_percent", "fixed_cost_per_month", "acquisition_cost")}
    form = ChannelForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        def update() -> SalesChannel:
            locked = access_channel_for_update(actor=actor, channel_id=channel.pk)
            return services.channel_update(actor=actor, channel=locked, data=form.cleaned_data)

        saved, status = _run(form, update)
        if saved is not None:
            messages.success(request, _("Channel “%(name)s” saved.") % {"name": saved.name})
            return redirect("channels:list")
    return _form_page(request, title=_("Sales channel “%(name)s”") % {"name": channel.name}, form=form,
                      action=reverse("channels:edit", args=[channel.pk]), status=status, channel=channel)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(MANAGE)
def channel_deactivate_view(request: HttpRequest, actor: Actor, channel_id: int) -> HttpResponse:
    """GET asks for confirmation; POST hides the channel from new deals (its history stays)."""
    channel = access_channel(actor=actor, channel_id=channel_id)
    if request.method == "POST":
        with transaction.atomic():
            locked = access_channel_for_update(actor=actor, channel_id=channel.pk)
            services.channel_deactivate(actor=actor, channel=locked)
        messages.success(request, _("Channel “%(name)s” deactivated.") % {"name": channel.name})
        return redirect("channels:list")
    return render(request, "channels/deactivate.html", {"channel": channel, "back": reverse("channels:list")})


@actor_required(MANAGE)
def channel_activate_view(request: HttpRequest, actor: Actor, channel_id: int) -> HttpResponse:
    channel = access_channel(actor=actor, channel_id=channel_id)
    if request.method != "POST":  # after the id: another workspace's channel is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        locked = access_channel_for_update(actor=actor, channel_id=channel.pk)
        services.channel_activate(actor=actor, channel=locked)
    messages.success(request, _("Channel “%(name)s” is active again.") % {"name": channel.name})
    return redirect("channels:list")
