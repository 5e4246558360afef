"""KPI monitoring pages: alert rules (list, create, edit, delete with confirmation), the alert history
with acknowledgement, and each member's notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import add_service_error, error_status, posted, safe_next

from ..access import access_alert, access_notification, access_rule, access_rule_for_update
from ..forms import RuleForm, rule_initial
from ..models import AlertRule
from ..selectors import alert_list, notification_list, rule_list
from ..services.display import alert_message, metric_name, metric_unit, scope_label
from ..services.notifications import alert_acknowledge, notification_mark_read, notifications_mark_all_read
from ..services.rules import rule_create, rule_delete, rule_update
from ._common import PER_PAGE, wrong_method


@actor_required(Capability.ALERTS_MANAGE)
def rule_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if refused := wrong_method(request, "GET"):
        return refused
    rules = [(rule, metric_name(rule.metric_key), scope_label(rule), metric_unit(rule.metric_key).value)
             for rule in rule_list(actor=actor)]
    return render(request, "goals/rule_list.html", {"rules": rules})


def _rule_form_page(request: HttpRequest, actor: Actor, rule: AlertRule | None) -> HttpResponse:
    form = RuleForm(posted(request), actor=actor, initial=rule_initial(rule) if rule else {"recipient_ids": [
        actor.user.pk]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    if rule is None:
                        saved = rule_create(actor=actor, data=form.service_data())
                    else:
                        locked = access_rule_for_update(actor=actor, rule_id=rule.pk)
                        saved = rule_update(actor=actor, rule=locked, data=form.service_data(),
                                            version=form.cleaned_data.get("version") or 0)
            except ApplicationError as error:
                add_service_error(form, error)
                status = error_status(error)
            else:
                messages.success(request, _("Alert rule “%(name)s” saved.") % {"name": saved.name})
                return redirect("goals:rule-list")
        else:
            status = 400
    return render(request, "goals/rule_form.html", {"form": form, "rule": rule}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.ALERTS_MANAGE)
def rule_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _rule_form_page(request, actor, None)


@actor_required(Capability.ALERTS_MANAGE)
def rule_edit_view(request: HttpRequest, actor: Actor, rule_id: int) -> HttpResponse:
    rule = access_rule(actor=actor, rule_id=rule_id)
    if refused := wrong_method(request, "GET", "POST"):
        return refused
    return _rule_form_page(request, actor, rule)


@actor_required(Capability.ALERTS_MANAGE)
def rule_delete_view(request: HttpRequest, actor: Actor, rule_id: int) -> HttpResponse:
    rule = access_rule(actor=actor, rule_id=rule_id)
    if refused := wrong_method(request, "GET", "POST"):
        return refused
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                rule_delete(actor=actor, rule=access_rule_for_update(actor=actor, rule_id=rule_id))
        except ApplicationError as refused_error:
            error = refused_error
        else:
            messages.success(request, _("Alert rule “%(name)s” deleted.") % {"name": rule.name})
            return redirect("goals:rule-list")
    return render(request, "goals/rule_delete.html", {"rule": rule, "error": error,
                                                      "alerts": rule.alerts.count()},
                  status=error_status(error) if error else 200)


@actor_required(Capability.GOALS_VIEW)
def alert_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if refused := wrong_method(request, "GET"):
        return refused
    unacknowledged = request.GET.get("open") == "1"
    page = Paginator(alert_list(actor=actor, unacknowledged=unacknowledged), PER_PAGE).get_page(request.GET.get("page"))
    currency = actor.workspace.currency
    rows: list[tuple[Any, str]] = [(alert, alert_message(alert, currency)) for alert in page]
    return render(request, "goals/alert_list.html", {"page": page, "rows": rows, "open_only": unacknowledged})


@actor_required(Capability.GOALS_VIEW)
def alert_acknowledge_view(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    alert = access_alert(actor=actor, alert_id=alert_id)
    if refused := wrong_method(request, "POST"):
        return refused
    with transaction.atomic():
        alert_acknowledge(actor=actor, alert=alert)
    messages.success(request, _("Alert acknowledged."))
    return redirect(safe_next(request, reverse("goals:alert-list")))


@actor_required(Capability.GOALS_VIEW)
def notification_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if refused := wrong_method(request, "GET"):
        return refused
    page = Paginator(notification_list(actor=actor), PER_PAGE).get_page(request.GET.get("page"))
    currency = actor.workspace.currency
    rows = [(notification, alert_message(notification.alert, currency)) for notification in page]
    return render(request, "goals/notification_list.html", {"page": page, "rows": rows})


@actor_required(Capability.GOALS_VIEW)
def notification_read_view(request: HttpRequest, actor: Actor, notification_id: int) -> HttpResponse:
    notification = access_notification(actor=actor, notification_id=notification_id)
    if refused := wrong_method(request, "POST"):
        return refused
    notification_mark_read(actor=actor, notification=notification)
    return redirect(safe_next(request, reverse("goals:notification-list")))


@require_http_methods(["POST"])
@actor_required(Capability.GOALS_VIEW)
def notification_read_all_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    count = notifications_mark_all_read(actor=actor)
    messages.success(request, ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.",
                                       count) % {"n": count})
    return redirect("goals:notification-list")
