"""In-app notifications and their emails; acknowledging alerts."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.core.audit import audit_record
from voronka.core.scoping import workspace_scope

from ..models import Alert, EmailState, Notification
from .display import alert_message

logger = logging.getLogger(__name__)


def language_for(notification: Notification) -> str:
    """The recipient's language, else the workspace's, else the site default (English or Russian)."""
    available = {code for code, _name in settings.LANGUAGES}
    for candidate in (notification.user.language, notification.workspace.language, settings.LANGUAGE_CODE):
        code = (candidate or "").split("-")[0].lower()
        if code in available:
            return code
    return "en"


def notification_email_send(*, notification_id: int) -> str:
    """Email one notification once: claim it, send it in the recipient's language, record the outcome."""
    notification = (Notification.unscoped.select_related("user", "workspace", "alert__rule__team",
                                                         "alert__rule__user").filter(pk=notification_id).first())
    if notification is None:
        return "missing"
    with workspace_scope(notification.workspace_id):
        claimed = Notification.objects.filter(pk=notification.pk, email_state=EmailState.PENDING).update(
            email_state=EmailState.SENDING)
        if not claimed:
            return "already"
        user = notification.user
        if not user.is_active or not user.email:
            Notification.objects.filter(pk=notification.pk).update(email_state=EmailState.SKIPPED)
            return "skipped"
        with translation.override(language_for(notification)):
            alert = notification.alert
            message = alert_message(alert, notification.workspace.currency)
            subject = _("Voronka alert: %(rule)s") % {"rule": alert.rule.name}
            # Plain text built here, not from a template: nothing is HTML, so nothing needs escaping.
            body = "\n".join([
                message, "",
                _("Rule: %(rule)s") % {"rule": alert.rule.name},
                _("Workspace: %(workspace)s") % {"workspace": notification.workspace.name}, "",
                _("Alert history: %(url)s") % {"url": settings.SITE_URL + reverse("goals:alert-list")}, "",
            ])
        try:
            send_mail(subject.replace("\n", " ").replace("\r", " ")[:200], body, None, [user.email],
                      fail_silently=False)
        except Exception:
            logger.exception("alert email %s could not be sent", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(email_state=EmailState.FAILED)
            return "failed"
        Notification.objects.filter(pk=notification.pk).update(email_state=EmailState.SENT, emailed_at=timezone.now())
    return "sent"


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (idempotent)."""
    ensure_same_workspace(actor, notification)
    if notification.user_id != actor.user.pk:
        from voronka.core.errors import NotFoundError

        raise NotFoundError()
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db()
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor) -> int:
    return Notification.objects.filter(workspace_id=actor.workspace.pk, user_id=actor.user.pk,
                                       read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: Alert) -> Alert:
    """Someone who sees the alert says they are on it; the first acknowledgement stays."""
    ensure_same_workspace(actor, alert)
    updated = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=actor.user)
    if updated:
        audit_record(action="goals.alert.acknowledge", actor=actor.user, target=alert)
        Notification.objects.filter(alert=alert, user_id=actor.user.pk, read_at__isnull=True).update(
            read_at=timezone.now())
    alert.refresh_from_db()
    return alert
