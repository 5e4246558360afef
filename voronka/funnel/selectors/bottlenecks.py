"""Bottlenecks of a pipeline in a period: every slice of every dimension against the company, ranked by money."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from voronka.accounts.actor import Actor
from voronka.core.periods import Period, PeriodKind
from voronka.crm.models import DealLineItem, Pipeline

from ..params import DIMENSIONS
from ..slices import DIMENSION_INFO, id_labels
from ..stats.bottlenecks import CONVERSION, Comparison, Slice, scan
from ..stats.funnel import Steps, furthest_step, stays
from .data import DealFrame, load_pairs
from .funnel import cohort_deals, load_cohort, pipeline_stages

MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
MIN_ENTRIES = 30
MIN_STAYS = 20
ALPHA = 0.05


@dataclass(frozen=True)
class Bottleneck:
    comparison: Comparison
    stage_id: int
    stage_name: str
    next_stage_name: str
    dimension_label: str
    per_quarter: float  # revenue lost, scaled to a quarter

    @property
    def slice_param(self) -> str:
        return f"{self.comparison.dimension}:{self.comparison.key}"

    @property
    def is_conversion(self) -> bool:
        return self.comparison.kind == CONVERSION


@dataclass(frozen=True)
class BottleneckReport:
    pipeline: Pipeline
    period_param: str
    period: Period
    deals: int
    findings: list[Bottleneck]
    tested: int
    skipped_small: int
    notices: list[str]

    @property
    def conversion(self) -> list[Bottleneck]:
        return [b for b in self.findings if b.is_conversion]

    @property
    def slower(self) -> list[Bottleneck]:
        return [b for b in self.findings if not b.is_conversion]


def _groups(values: Any, missing: Any) -> list[tuple[Any, Any]]:
    """(value, rows) for each distinct value of a column, the missing marker left out."""
    if not len(values):
        return []
    keys, inverse = np.unique(values, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(keys) + 1))
    return [(keys[k], order[bounds[k]:bounds[k + 1]]) for k in range(len(keys)) if keys[k] != missing]


def build_slices(actor: Actor, frame: DealFrame, product_deal: Any, product_id: Any) -> list[Slice]:
    slices: list[Slice] = []
    for dimension in DIMENSIONS:
        if dimension == "product":
            rows, found = frame.rows_of(product_deal)
            column, rows = product_id[found], rows[found]
            labels = id_labels(actor, dimension)
            for value, members in _groups(column, -1):
                if int(value) in labels:
                    slices.append(Slice(dimension, str(int(value)), labels[int(value)], np.unique(rows[members])))
            continue
        column = frame[dimension]
        if dimension in ("lead_source", "industry"):
            slices += [Slice(dimension, str(value), str(value), members) for value, members in _groups(column, "")]
            continue
        labels = id_labels(actor, dimension)
        slices += [Slice(dimension, str(int(value)), labels.get(int(value), "—"), members)
                   for value, members in _groups(column, -1) if int(value) in labels]
    return slices


def bottleneck_scan(*, actor: Actor, pipeline: Pipeline, period_param: str, period: Period) -> BottleneckReport:
    """Every slice × stage comparison of the cohort; a fixed number of queries whatever the data."""
    stages = pipeline_stages(pipeline)
    frame, moves = load_cohort(actor=actor, pipeline=pipeline, period=period, ref=None,
                               extra=("owner", "team", "channel", "lead_source", "industry"))
    deals = cohort_deals(actor=actor, pipeline=pipeline, period=period, ref=None).order_by().values("id")
    product_deal, product_id = load_pairs(
        DealLineItem.objects.filter(workspace_id=actor.workspace.pk, deal_id__in=deals), "deal_id", "product_id")
    steps = Steps(stages)
    cohort = frame.cohort()
    notices = []
    if cohort.size == 0:
        notices.append("no_deals")
    elif cohort.size < 2 * MIN_ENTRIES:
        notices.append("too_small")  # no slice and its rest can both reach the minimum
    if steps.n_open < 1:
        notices.append("no_open_stages")
    furthest = furthest_step(cohort, moves, steps)
    found = stays(cohort, moves, steps)
    result = scan(furthest=furthest, amount=cohort.amount, n_open=steps.n_open,
                  slices=build_slices(actor, frame, product_deal, product_id), stay_deal=found.deal,
                  stay_step=found.step, stay_seconds=found.seconds, min_entries=MIN_ENTRIES, min_stays=MIN_STAYS,
                  alpha=ALPHA)
    names = steps.names
    scale = 3 / MONTHS_IN[period.kind]
    findings = [
        Bottleneck(comparison=c, stage_id=steps.open[c.step].id, stage_name=names[c.step],
                   next_stage_name=names[c.step + 1], dimension_label=str(DIMENSION_INFO[c.dimension].label),
                   per_quarter=c.revenue_lost * scale)
        for c in result.findings
    ]
    return BottleneckReport(pipeline=pipeline, period_param=period_param, period=period, deals=cohort.size,
                            findings=findings, tested=result.tested, skipped_small=result.skipped_small,
                            notices=notices)
