"""What the funnel pages share: reading the filter bar, its options, and plotly figures as plain JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor
from voronka.core.errors import ApplicationError
from voronka.core.periods import Period, PeriodKind
from voronka.crm.selectors.pipelines import visible_pipelines

from ..inputs import FunnelInputs, resolve_inputs
from ..params import RELATIVE_LABELS, local_today
from ..slices import slice_options

HISTORY_QUARTERS = 6
HISTORY_MONTHS = 12


@dataclass
class FilterBar:
    """The selects of a funnel page and what is chosen in them."""

    inputs: FunnelInputs
    pipelines: list[tuple[int, str]]
    periods: list[tuple[str, list[tuple[str, str]]]]
    slices: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def query(self) -> str:
        from urllib.parse import urlencode

        params = {"pipeline": self.inputs.pipeline.pk if self.inputs.pipeline else "",
                  "period": self.inputs.period_param, "slice": self.inputs.slice.param if self.inputs.slice else ""}
        return urlencode({key: value for key, value in params.items() if value})


def period_options(actor: Actor, relative: tuple[str, ...], *, forward: bool = False
                   ) -> list[tuple[str, list[tuple[str, str]]]]:
    today = local_today(actor.workspace.time_zone)
    quarter = Period.containing(PeriodKind.QUARTER, today)
    month = Period.containing(PeriodKind.MONTH, today)
    quarters, months = [], []
    for _step in range(HISTORY_QUARTERS):
        quarters.append((quarter.label, quarter.label))
        quarter = quarter.next() if forward else quarter.previous()
    for _step in range(HISTORY_MONTHS if not forward else 6):
        months.append((month.label, month.label))
        month = month.next() if forward else month.previous()
    return [
        (_("Relative"), [(value, str(RELATIVE_LABELS[value])) for value in relative]),
        (_("Quarters"), quarters), (_("Months"), months),
    ]


def filter_bar(request: HttpRequest, actor: Actor, *, relative: tuple[str, ...], default_period: str,
               with_slices: bool = False, pipeline_required: bool = True, forward: bool = False) -> FilterBar:
    """The filter bar from the query string; a bad value becomes a message and its default, never a 500."""
    errors: list[str] = []
    get = request.GET
    try:
        inputs = resolve_inputs(actor=actor, pipeline_id=get.get("pipeline") or None, period=get.get("period"),
                                slice_value=get.get("slice") if with_slices else None,
                                default_period=default_period, pipeline_required=pipeline_required)
    except ApplicationError as error:
        if error.status == 404:
            raise
        errors.append(str(error.message))
        inputs = resolve_inputs(actor=actor, pipeline_id=get.get("pipeline") or None, period=None,
                                default_period=default_period, pipeline_required=pipeline_required)
    pipelines = [(p.pk, p.name) for p in visible_pipelines(actor).order_by("order", "id")]
    periods = period_options(actor, relative, forward=forward)
    known = {value for _label, options in periods for value, _text in options}
    if inputs.period_param not in known:
        periods.append((_("Chosen"), [(inputs.period_param, inputs.period.label)]))
    return FilterBar(inputs=inputs, pipelines=pipelines, periods=periods,
                     slices=slice_options(actor) if with_slices else [], errors=errors)


def figure_json(figure: Any) -> dict[str, Any]:
    """A plotly figure as plain JSON data (numpy arrays included), for json_script and Plotly.newPlot."""
    return json.loads(figure.to_json())
