"""Goal pages: the list (with progress), the form with its live SMART checklist, the goal page
(progress, pace and forecast chart, parts), edit and archive."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, ConflictError
from voronka.core.pages import add_service_error, error_status, posted
from voronka.core.periods import Period
from voronka.metrics.catalogue import metric_get

from ..access import access_goal, access_goal_for_update
from ..charts import figure_json, progress_figure
from ..forms import GoalFilterForm, GoalForm, goal_initial
from ..models import Goal, GoalStatus, PeriodKind, ScopeKind
from ..selectors import goal_list
from ..services.display import goal_title, scope_label, status_label
from ..services.drafts import goal_as_data
from ..services.goals import goal_archive, goal_check, goal_create, goal_update
from ..services.numbers import is_additive
from ..services.progress import goal_actual_series, goal_progress, local_today
from ..services.smart import SmartCheck
from ..stats.pace import AT_RISK_EXCESS, AT_RISK_SHARE
from ._common import PER_PAGE, numbers_for, wrong_method


def _period_range(choice: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if choice == "all":
        return None, None
    if choice in ("this_quarter", "next_quarter", "last_quarter"):
        quarter = Period.containing("quarter", today)
        quarter = {"next_quarter": quarter.next(), "last_quarter": quarter.previous()}.get(choice, quarter)
        return quarter.start, quarter.end - dt.timedelta(days=1)
    if choice == "this_year":
        year = Period.containing("year", today)
        return year.start, year.end - dt.timedelta(days=1)
    return today, today


@actor_required(Capability.GOALS_VIEW)
def goal_list_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if refused := wrong_method(request, "GET"):
        return refused
    form = GoalFilterForm(request.GET or None)
    numbers, now = numbers_for(actor)
    today = local_today(actor.workspace.time_zone, now)
    start, end = _period_range(form.value("period") or "current", today)
    goals = goal_list(actor=actor, scope=form.value("scope") or None, status=form.value("status") or GoalStatus.ACTIVE)
    if start is not None and end is not None:
        goals = goals.filter(period_start__lte=end, period_end__gte=start)
    page = Paginator(goals, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(goal, goal_title(goal), goal_progress(goal=goal, numbers=numbers, now=now)) for goal in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "goals/goal_list.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "can_manage": actor.can(Capability.GOALS_MANAGE),
    })


def _check_context(form: GoalForm, actor: Actor, goal: Goal | None) -> dict[str, Any]:
    draft, check = goal_check(actor=actor, data=form.service_data(), base=None)
    return {"check": check, "draft_errors": draft.errors, "form": form, "confirmed": form.confirmed, "goal": goal}


@require_http_methods(["POST"])
@actor_required(Capability.GOALS_MANAGE)
def goal_check_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The live SMART checklist: the form's current values, checked (htmx swaps the panel)."""
    form = GoalForm(request.POST, actor=actor)
    form.is_valid()
    return render(request, "goals/_smart.html", _check_context(form, actor, None))


def _save(request: HttpRequest, actor: Actor, form: GoalForm, goal: Goal | None) -> tuple[Goal | None, int]:
    form.is_valid()  # parse what can be parsed; the service names every problem
    try:
        with transaction.atomic():
            if goal is None:
                return goal_create(actor=actor, data=form.service_data(), confirm=form.confirmed), 200
            locked = access_goal_for_update(actor=actor, goal_id=goal.pk)
            version = form.cleaned_data.get("version") or 0
            return goal_update(actor=actor, goal=locked, data=form.service_data(), version=version,
                               confirm=form.confirmed), 200
    except ConflictError as error:
        add_service_error(form, error)
        return None, 409
    except ApplicationError as error:
        add_service_error(form, error)
        return None, error_status(error)


def _form_page(request: HttpRequest, actor: Actor, form: GoalForm, goal: Goal | None, status: int) -> HttpResponse:
    context = _check_context(form, actor, goal) if form.is_bound else {
        "check": None, "draft_errors": {}, "form": form, "confirmed": False, "goal": goal}
    if goal is not None and not form.is_bound:
        draft, check = goal_check(actor=actor, data=goal_as_data(goal))
        context.update(check=check, draft_errors=draft.errors)
    return render(request, "goals/goal_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@actor_required(Capability.GOALS_MANAGE)
def goal_create_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    _numbers, now = numbers_for(actor)
    today = local_today(actor.workspace.time_zone, now)
    initial = {"period_start": Period.containing("quarter", today).start, "metric": "revenue",
               "period_kind": PeriodKind.QUARTER}
    if request.GET.get("team") and request.GET["team"].isdigit():
        initial.update(scope=ScopeKind.TEAM, team_id=int(request.GET["team"]))
    form = GoalForm(posted(request), actor=actor, initial=initial)
    status = 200
    if request.method == "POST":
        goal, status = _save(request, actor, form, None)
        if goal is not None:
            messages.success(request, _("Goal saved."))
            return redirect("goals:goal-detail", goal_id=goal.pk)
    return _form_page(request, actor, form, None, status)


@actor_required(Capability.GOALS_MANAGE)
def goal_edit_view(request: HttpRequest, actor: Actor, goal_id: int) -> HttpResponse:
    goal = access_goal(actor=actor, goal_id=goal_id)
    if refused := wrong_method(request, "GET", "POST"):
        return refused
    form = GoalForm(posted(request), actor=actor, initial=goal_initial(goal))
    status = 200
    if request.method == "POST":
        saved, status = _save(request, actor, form, goal)
        if saved is not None:
            messages.success(request, _("Goal saved."))
            return redirect("goals:goal-detail", goal_id=goal.pk)
    return _form_page(request, actor, form, goal, status)


def _children_rows(actor: Actor, goal: Goal, numbers: Any, now: dt.datetime) -> tuple[list[Any], Any]:
    children = list(goal_list(actor=actor, parent_id=goal.pk))
    rows = [(child, scope_label(child), goal_progress(goal=child, numbers=numbers, now=now)) for child in children]
    total = sum((child.target for child in children), start=goal.target * 0)
    return rows, total


@actor_required(Capability.GOALS_VIEW)
def goal_detail_view(request: HttpRequest, actor: Actor, goal_id: int) -> HttpResponse:
    goal = access_goal(actor=actor, goal_id=goal_id)
    if refused := wrong_method(request, "GET"):
        return refused
    numbers, now = numbers_for(actor)
    progress = goal_progress(goal=goal, numbers=numbers, now=now)
    series = goal_actual_series(goal=goal, numbers=numbers, now=now) if progress.additive else []
    figure = figure_json(progress_figure(progress, series)) if progress.additive and progress.metric else None
    children, children_total = _children_rows(actor, goal, numbers, now)
    metric = metric_get(goal.metric_key)
    check: SmartCheck | None = None
    if goal.status == GoalStatus.ACTIVE:
        _draft, check = goal_check(actor=actor, data=goal_as_data(goal), now=now)
    can_manage = actor.can(Capability.GOALS_MANAGE)
    return render(request, "goals/goal_detail.html", {
        "goal": goal, "title": goal_title(goal), "progress": progress, "status_text": status_label(progress.status),
        "figure": figure, "children": children, "children_total": children_total,
        "children_ok": not children or children_total == goal.target, "check": check, "unit": metric.unit.value
        if metric else "count", "can_manage": can_manage and goal.status == GoalStatus.ACTIVE,
        "can_split": can_manage and goal.status == GoalStatus.ACTIVE and goal.scope != ScopeKind.REP
        and metric is not None and is_additive(metric) and not children,
        "at_risk_share": int(AT_RISK_SHARE * 100), "at_risk_excess": int(AT_RISK_EXCESS * 100),
        "higher": metric is None or metric.direction.value == "higher",
    })


@actor_required(Capability.GOALS_MANAGE)
def goal_archive_view(request: HttpRequest, actor: Actor, goal_id: int) -> HttpResponse:
    goal = access_goal(actor=actor, goal_id=goal_id)
    if refused := wrong_method(request, "GET", "POST"):
        return refused
    error: ApplicationError | None = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                goal_archive(actor=actor, goal=access_goal_for_update(actor=actor, goal_id=goal_id))
        except ApplicationError as refused_error:
            error = refused_error
        else:
            messages.success(request, _("Goal archived."))
            return redirect("goals:goal-list")
    return render(request, "goals/goal_archive.html", {"goal": goal, "title": goal_title(goal), "error": error,
                                                       "children": goal.children.filter(
                                                           status=GoalStatus.ACTIVE).count()},
                  status=error_status(error) if error else 200)

