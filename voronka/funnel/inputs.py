"""Turn the query parameters every funnel page and endpoint takes into checked objects, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from voronka.accounts.actor import Actor
from voronka.core.errors import ApplicationError
from voronka.core.periods import Period
from voronka.crm.models import Pipeline

from .access import access_pipeline, default_pipeline
from .params import SliceRef, parse_period, parse_slice
from .slices import slice_label


@dataclass(frozen=True)
class FunnelInputs:
    pipeline: Pipeline | None  # None: the workspace has no pipeline the actor may use
    period_param: str
    period: Period
    slice: SliceRef | None
    slice_label: str | None


def no_pipeline_error() -> ApplicationError:
    message = _("There is no pipeline yet. An administrator sets up pipelines in the CRM settings.")
    return ApplicationError(message, code="no_pipeline", fields={"pipeline": [str(message)]}, status=404)


def resolve_inputs(*, actor: Actor, pipeline_id: Any = None, period: str | None = None, slice_value: str | None = None,
                   default_period: str = "last-quarter", pipeline_required: bool = True) -> FunnelInputs:
    """The pipeline (404 when foreign or invisible), the period and the slice (field errors when malformed)."""
    pipeline: Pipeline | None
    if pipeline_id not in (None, ""):
        pipeline = access_pipeline(actor=actor, pipeline_id=pipeline_id)
    else:
        pipeline = default_pipeline(actor) if pipeline_required else None
    period_param, the_period = parse_period(period, time_zone=actor.workspace.time_zone, default=default_period)
    ref = parse_slice(slice_value)
    label = slice_label(actor, ref) if ref is not None else None
    return FunnelInputs(pipeline=pipeline, period_param=period_param, period=the_period, slice=ref, slice_label=label)
