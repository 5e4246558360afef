"""Background work of the weekly reports: a periodic job fans out one task per due subscription."""

from __future__ import annotations

from django_tasks import task

from .services.report_mail import report_subscription_send, report_subscriptions_due


@task()
def weekly_reports_send() -> int:
    """The periodic job (registered in reports_nav.py): enqueue a send for every subscription due now."""
    due = report_subscriptions_due()
    for subscription_id in due:
        report_subscription_send_task.enqueue(subscription_id=subscription_id)
    return len(due)


@task()
def report_subscription_send_task(*, subscription_id: int) -> str:
    """Send one subscription if it is still due; running it twice sends once (the claim is an UPDATE)."""
    return report_subscription_send(subscription_id=subscription_id).status
