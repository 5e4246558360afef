"""Background work of goals: the periodic KPI evaluation and alert emails (ids in, one service each)."""

from __future__ import annotations

from django_tasks import task

from .services.evaluate import alerts_evaluate_all
from .services.notifications import notification_email_send


@task()
def evaluate_alerts() -> dict[str, int]:
    """Evaluate every active alert rule of every workspace (registered as "goals.evaluate_alerts")."""
    summary = alerts_evaluate_all()
    return {"rules": summary.rules, "fired": summary.fired, "skipped": summary.skipped}


@task()
def send_notification_email(*, notification_id: int) -> str:
    return notification_email_send(notification_id=notification_id)
