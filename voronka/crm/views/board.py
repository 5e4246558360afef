"""The pipeline board: column headers at once, each column's cards loaded lazily; moves by drag or by select."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError, ConflictError
from voronka.core.navigation import NavEntry, Part
from voronka.core.sorting import NamedSort, get_sort, sorts_for

from ..access import access_deal, access_stage
from ..forms import BoardFilterForm, DealLostForm, DealMoveForm
from ..models import Deal, Pipeline, Stage, StageKind
from ..selectors.board import (
    CARDS_PER_PAGE,
    BoardFilters,
    BoardSort,
    ColumnTotals,
    board_cards,
    board_column_totals,
)
from ..selectors.pipelines import pipeline_list
from ..services.deals import deal_move_stage
from ._common import (
    board_query,
    conflict_of,
    gate_fields,
    is_htmx,
    message_response,
    method_not_allowed,
    safe_next,
    trigger,
)

MAX_OFFSET = 100_000


def nav_entries() -> list[NavEntry]:
    """Menu entries of these pages (the lead registers them in AppConfig.ready)."""
    return [
        NavEntry("crm:board", gettext_lazy("Pipeline board"), Part.SELL, "voronka.crm", Capability.CRM_VIEW.value,
                 order=10),
        NavEntry("crm:my-tasks", gettext_lazy("My tasks"), Part.SELL, "voronka.crm", Capability.CRM_VIEW.value,
                 order=11),
    ]


@dataclass(frozen=True)
class Column:
    stage: Stage
    totals: ColumnTotals


def board_filters(form: BoardFilterForm) -> BoardFilters:
    return BoardFilters(
        owner_id=form.value("owner") if "owner" in form.fields else None,
        team_id=form.value("team") if "team" in form.fields else None,
        channel_id=form.value("channel"),
        created_from=form.value("created_from"),
        created_to=form.value("created_to"),
    )


def board_form(request: HttpRequest, actor: Actor, *, with_choices: bool = True) -> BoardFilterForm:
    """The filter bar, with the sort orders other apps registered for deals (funnel: win probability)."""
    form = BoardFilterForm(request.GET, actor=actor, with_choices=with_choices)
    registered = [(sort.key, sort.label) for sort in sorts_for("deal")]
    if registered:
        field = form.fields["sort"]
        field.choices = [*field.choices, *registered]  # type: ignore[attr-defined]
    return form


def board_sort(form: BoardFilterForm) -> BoardSort | NamedSort:
    value = form.value("sort")
    if value in set(BoardSort):
        return BoardSort(value)
    return get_sort("deal", value) or BoardSort.RECENT


def _pipeline_stages(pipeline: Pipeline) -> list[Stage]:
    return sorted(pipeline.stages.all(), key=lambda stage: (stage.order, stage.pk))


def _columns(actor: Actor, pipeline: Pipeline, stages: list[Stage], filters: BoardFilters) -> list[Column]:
    totals = board_column_totals(actor=actor, pipeline=pipeline, filters=filters)
    return [Column(stage, totals.get(stage.pk, ColumnTotals())) for stage in stages if stage.kind == StageKind.OPEN]


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.CRM_VIEW)
def board_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = board_form(request, actor)
    pipelines = list(pipeline_list(actor=actor))
    wanted = form.value("pipeline")
    pipeline = next((p for p in pipelines if p.pk == wanted), None) or next(
        (p for p in pipelines if p.is_default), pipelines[0] if pipelines else None
    )
    context: dict[str, Any] = {
        "form": form, "pipelines": pipelines, "pipeline": pipeline, "query": board_query(request),
        "can_edit": actor.can(Capability.CRM_EDIT_DEALS), "can_import": actor.can(Capability.CRM_IMPORT),
    }
    if pipeline is not None:
        stages = _pipeline_stages(pipeline)
        filters = board_filters(form)
        columns = _columns(actor, pipeline, stages, filters)
        filtered = any(request.GET.get(key) for key in ("owner", "team", "channel", "created_from", "created_to"))
        context.update(
            columns=columns,
            closing_stages=[stage for stage in stages if stage.kind != StageKind.OPEN],
            total_count=sum(column.totals.count for column in columns),
            filtered=filtered,
            column_query=board_query(request) or f"pipeline={pipeline.pk}",
        )
    return render(request, "crm/board/board.html", context)


def _next_board_url(request: HttpRequest) -> str:
    """Where the card's select form sends the browser back to: the board as the user sees it."""
    current = getattr(getattr(request, "htmx", None), "current_url_abs_path", None)
    board = reverse("crm:board")
    if isinstance(current, str) and current.startswith(board):
        return current
    query = board_query(request)
    return f"{board}?{query}" if query else board


@actor_required(Capability.CRM_VIEW)
def board_column_view(request: HttpRequest, actor: Actor, stage_id: int) -> HttpResponse:
    stage = access_stage(actor=actor, stage_id=stage_id)
    if (refused := method_not_allowed(request, ("GET", "HEAD"))) is not None:
        return refused
    form = board_form(request, actor, with_choices=False)
    try:
        offset = min(max(int(request.GET.get("offset", 0)), 0), MAX_OFFSET)
    except ValueError:
        offset = 0
    cards, has_more = board_cards(actor=actor, stage=stage, filters=board_filters(form), sort=board_sort(form),
                                  offset=offset)
    stages = list(Stage.objects.filter(workspace_id=actor.workspace.pk, pipeline_id=stage.pipeline_id)
                  .order_by("order", "id"))
    context = {
        "stage": stage, "cards": cards, "has_more": has_more, "first_page": offset == 0,
        "next_offset": offset + CARDS_PER_PAGE,
        "stages": stages, "query": board_query(request), "next_url": _next_board_url(request),
        "can_edit": actor.can(Capability.CRM_EDIT_DEALS), "now": timezone.now(),
    }
    return render(request, "crm/partials_board/cards.html", context)


def _board_update(request: HttpRequest, actor: Actor, deal: Deal, *, status: int = 200,
                  message: str = "") -> HttpResponse:
    """Out-of-band fragments that put the card where the deal now is and refresh every column header."""
    form = board_form(request, actor, with_choices=False)
    pipeline = deal.pipeline
    stages = list(Stage.objects.filter(workspace_id=actor.workspace.pk, pipeline_id=pipeline.pk)
                  .order_by("order", "id"))
    columns = _columns(actor, pipeline, stages, board_filters(form))
    context = {
        "deal": deal, "stages": stages, "columns": columns, "query": board_query(request),
        "next_url": _next_board_url(request), "can_edit": actor.can(Capability.CRM_EDIT_DEALS),
        "now": timezone.now(), "message": message, "pipeline": pipeline,
    }
    response = render(request, "crm/partials_board/moved.html", context, status=status)
    if message:
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "beforeend"
    else:
        response.headers["HX-Reswap"] = "none"
    return response


def _lost_dialog(request: HttpRequest, actor: Actor, deal: Deal, version: int) -> HttpResponse:
    form = DealLostForm(initial={"version": version}, actor=actor)
    next_url = _next_board_url(request)
    if not is_htmx(request):
        return redirect(f"{reverse('crm:deal-lost', args=[deal.pk])}?next={next_url}")
    response = render(request, "crm/partials_deal/lost_dialog.html",
                      {"deal": deal, "form": form, "next_url": next_url, "query": board_query(request)})
    response.headers["HX-Retarget"] = "#crm-modal-content"
    response.headers["HX-Reswap"] = "innerHTML"
    return trigger(response, {"crm-open-modal": True})


@actor_required(Capability.CRM_EDIT_DEALS)
def deal_move_view(request: HttpRequest, actor: Actor, deal_id: int) -> HttpResponse:
    deal = access_deal(actor=actor, deal_id=deal_id)
    if (refused := method_not_allowed(request, ("POST",))) is not None:
        return refused
    fallback = safe_next(request, reverse("crm:deal-detail", args=[deal.pk]))
    form = DealMoveForm(request.POST)
    if not form.is_valid():
        message = _("Choose a stage to move the deal to.")
        if is_htmx(request):
            return message_response(request, message, status=400)
        return render(request, "crm/deal/refused.html", {"deal": deal, "message": message, "back": fallback},
                      status=400)
    stage = access_stage(actor=actor, stage_id=form.cleaned_data["stage_id"])
    version = form.cleaned_data["version"]
    if stage.kind == StageKind.LOST and stage.pk != deal.stage_id:
        return _lost_dialog(request, actor, deal, version)
    try:
        moved = deal_move_stage(actor=actor, deal=deal, stage=stage, version=version)
    except ConflictError as error:
        conflict = conflict_of(error)
        current = access_deal(actor=actor, deal_id=deal.pk)
        if is_htmx(request):
            return _board_update(request, actor, current, status=409,
                                 message=_conflict_text(conflict.changed_by, conflict.changed_at))
        return render(request, "crm/deal/conflict.html",
                      {"deal": current, "conflict": conflict, "back": fallback}, status=409)
    except ApplicationError as error:
        missing = gate_fields(error)
        if is_htmx(request):
            return message_response(request, str(error.message), status=error.status, missing=missing)
        return render(request, "crm/deal/refused.html",
                      {"deal": deal, "message": str(error.message), "missing": missing, "back": fallback},
                      status=error.status)
    if is_htmx(request):
        return _board_update(request, actor, moved)
    messages.success(request, _("“%(title)s” moved to %(stage)s.") % {"title": moved.title, "stage": moved.stage.name})
    return redirect(fallback)


def _conflict_text(who: str | None, when: Any) -> str:
    from django.utils.timesince import timesince

    if who and when:
        return _("%(who)s changed this deal %(ago)s ago. The card shows it as it is now.") % {
            "who": who, "ago": timesince(when)}
    return _("Someone else changed this deal. The card shows it as it is now.")
