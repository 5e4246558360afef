"""From the database to the model's feature matrix: deals, their transitions and done activities as arrays.

The encoder (category codes, the owners' win rates, stage order) is fitted on the training deals and
pickled with the estimator, so a deal is encoded the same way when it is scored a week later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import F, QuerySet

from voronka.crm.models import Activity, Stage, StageTransition

from ..selectors.data import NO_DAY, DealFrame, epoch, fetch_columns, load_deals, load_moves
from ..selectors.forecast import local_midnights
from ..stats.funnel import WON
from ..stats.winmodel import MAX_CATEGORY_CODE, DealRows, History, rates_before, smoothed_rates

EXTRA = ("owner", "channel", "lead_source", "industry", "expected_close")


@dataclass
class Encoder:
    stage_code: dict[int, int] = field(default_factory=dict)
    stage_rank: dict[int, tuple[int, bool]] = field(default_factory=dict)
    stage_probability: dict[int, float] = field(default_factory=dict)  # code → stage's default probability (0..1)
    channel: dict[Any, int] = field(default_factory=dict)
    owner: dict[Any, int] = field(default_factory=dict)
    lead_source: dict[Any, int] = field(default_factory=dict)
    industry: dict[Any, int] = field(default_factory=dict)
    owner_rates: dict[int, float] = field(default_factory=dict)
    overall_rate: float = 0.0


@dataclass
class Loaded:
    frame: DealFrame
    history: History


def load(workspace_id: int, deals: QuerySet[Any]) -> Loaded:
    """The deals of `deals` with their transitions and done activities (four narrow queries)."""
    frame = load_deals(deals, EXTRA)
    ids = deals.values("id") if deals.query.is_sliced else deals.order_by().values("id")
    moves = load_moves(frame, StageTransition.objects.filter(workspace_id=workspace_id, deal_id__in=ids))
    done = fetch_columns(Activity.objects.filter(workspace_id=workspace_id, deal_id__in=ids, done_at__isnull=False),
                         {"deal": F("deal_id"), "at": epoch("done_at")}, {})
    rows, found = frame.rows_of(done["deal"])
    rows, at = rows[found], done["at"][found]
    order = np.lexsort((at, rows))
    history = History(move_deal=moves.deal, move_stage=moves.stage, move_at=moves.at, activity_deal=rows[order],
                      activity_at=at[order])
    return Loaded(frame=frame, history=history)


def _ranked_codes(values: Any, missing: Any) -> dict[Any, int]:
    """Codes 0.. by frequency (most common first); past MAX_CATEGORY_CODE everything shares the last code."""
    present = values[values != missing] if len(values) else values
    if not len(present):
        return {}
    keys, counts = np.unique(present, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return {_plain(keys[i]): min(rank, MAX_CATEGORY_CODE) for rank, i in enumerate(order)}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def encode(values: Any, mapping: dict[Any, int]) -> Any:
    return np.array([mapping.get(_plain(v), np.nan) for v in values], dtype=np.float64)


def fit_encoder(workspace_id: int, frame: DealFrame) -> Encoder:
    stages = list(Stage.objects.filter(workspace_id=workspace_id).order_by("pipeline_id", "order", "id"))
    return Encoder(
        stage_code={s.pk: min(i, MAX_CATEGORY_CODE) for i, s in enumerate(stages)},
        stage_rank={s.pk: (s.order, s.kind == "open") for s in stages},
        stage_probability={min(i, MAX_CATEGORY_CODE): s.probability / 100 for i, s in enumerate(stages)},
        channel=_ranked_codes(frame["channel"], -1), owner=_ranked_codes(frame["owner"], -1),
        lead_source=_ranked_codes(frame["lead_source"], ""), industry=_ranked_codes(frame["industry"], ""),
    )


def deal_rows(frame: DealFrame, encoder: Encoder, time_zone: str, owner_rate: Any) -> DealRows:
    expected = frame["expected_close"]
    return DealRows(
        created=frame["created"], amount=frame["amount"], stage=frame["stage"],
        expected_close=np.where(expected == NO_DAY, np.nan, local_midnights(expected, time_zone)),
        channel=encode(frame["channel"], encoder.channel), owner=encode(frame["owner"], encoder.owner),
        lead_source=encode(frame["lead_source"], encoder.lead_source),
        industry=encode(frame["industry"], encoder.industry), owner_win_rate=owner_rate,
    )


def training_owner_rates(frame: DealFrame, encoder: Encoder, moments: Any) -> Any:
    """Each training deal's owner win rate over the owner's deals closed before its moment; fills the
    encoder's per-owner rates (over every training deal) for scoring."""
    won = (frame["status"] == WON).astype(np.int64)
    owners = frame["owner"]
    per_owner, overall = smoothed_rates(owners, won)
    encoder.owner_rates = {owner: rate for owner, rate in per_owner.items() if owner != -1}
    encoder.overall_rate = overall
    return rates_before(owners, frame["closed"], won, moments, overall=overall)


def scoring_owner_rates(frame: DealFrame, encoder: Encoder) -> Any:
    return np.array([encoder.owner_rates.get(int(o), encoder.overall_rate) for o in frame["owner"]], dtype=float)
