"""My tasks: the actor's open tasks due today or earlier (workspace time zone), with a done button."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError

from ..access import access_activity
from ..forms import TaskDoneForm
from ..selectors.activities import my_tasks
from ..services.activities import activity_complete
from ._common import is_htmx, message_response, method_not_allowed


def workspace_today(actor: Actor) -> tuple[dt.date, dt.datetime]:
    """Today's date in the workspace time zone and the aware moment it began."""
    try:
        zone = ZoneInfo(actor.workspace.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    today = timezone.now().astimezone(zone).date()
    return today, dt.datetime.combine(today, dt.time.min, tzinfo=zone)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_VIEW)
def my_tasks_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    today, start = workspace_today(actor)
    tasks = list(my_tasks(actor=actor, today=today))
    overdue = [task for task in tasks if task.due_at is not None and task.due_at < start]
    due_today = [task for task in tasks if task not in overdue]
    context = {
        "overdue": overdue, "due_today": due_today, "today": today,
        "can_edit": actor.can(Capability.CRM_EDIT_DEALS), "form": TaskDoneForm(),
    }
    return render(request, "crm/tasks/my_tasks.html", context)


@actor_required(Capability.CRM_EDIT_DEALS)
def task_done_view(request: HttpRequest, actor: Actor, activity_id: int) -> HttpResponse:
    activity = access_activity(actor=actor, activity_id=activity_id)
    if (refused := method_not_allowed(request, ("POST",))) is not None:
        return refused
    form = TaskDoneForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    try:
        activity = activity_complete(actor=actor, activity=activity, outcome=outcome)
    except ApplicationError as error:
        if is_htmx(request):
            return message_response(request, str(error.message), status=error.status)
        messages.error(request, str(error.message))
        return redirect(reverse("crm:my-tasks"))
    if is_htmx(request):
        return render(request, "crm/tasks/task_row.html", {"task": activity, "done": True})
    messages.success(request, _("“%(subject)s” is done.") % {"subject": activity.subject})
    return redirect(reverse("crm:my-tasks"))
