"""Synthetic funnels as plain arrays (no database), with known effects planted where a test wants them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voronka.funnel.stats.bottlenecks import Slice
from voronka.funnel.stats.funnel import LOST, OPEN, WON

N_OPEN = 4
DAY = 86_400


@dataclass
class SyntheticFunnel:
    furthest: np.ndarray
    status: np.ndarray
    amount: np.ndarray
    team: np.ndarray
    owner: np.ndarray
    channel: np.ndarray
    stay_deal: np.ndarray
    stay_step: np.ndarray
    stay_seconds: np.ndarray

    def slices(self) -> list[Slice]:
        found = []
        for dimension, values in (("team", self.team), ("owner", self.owner), ("channel", self.channel)):
            for value in np.unique(values):
                found.append(Slice(dimension, str(value), f"{dimension} {value}", np.flatnonzero(values == value)))
        return found


def synthetic_funnel(seed: int, *, n: int = 4000, advance: float = 0.6, planted: tuple[int, int, float] | None = None,
                     slow: tuple[int, int, float] | None = None) -> SyntheticFunnel:
    """Deals of 3 teams × 5 owners over 4 channels walking 4 open stages with the same odds everywhere, except
    `planted` = (team, stage, advance probability) and `slow` = (team, stage, factor on the days in stage)."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(15, size=n)
    team = owner // 5
    channel = rng.integers(4, size=n)
    amount = rng.lognormal(np.log(50_000), 0.6, n)
    furthest = np.zeros(n, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    stay_deal, stay_step, stay_seconds = [], [], []
    for step in range(N_OPEN):
        p = np.full(n, advance)
        if planted is not None and step == planted[1]:
            p[team == planted[0]] = planted[2]
        days = rng.lognormal(np.log(7), 0.7, n)
        if slow is not None and step == slow[1]:
            days = np.where(team == slow[0], days * slow[2], days)
        here = np.flatnonzero(active)
        stay_deal.append(here)
        stay_step.append(np.full(len(here), step))
        stay_seconds.append(days[here] * DAY)
        moves_on = active & (rng.random(n) < p)
        furthest[moves_on] = step + 1
        active = moves_on
    status = np.where(furthest == N_OPEN, WON, np.where(rng.random(n) < 0.9, LOST, OPEN))
    return SyntheticFunnel(furthest=furthest, status=status, amount=amount, team=team, owner=owner, channel=channel,
                           stay_deal=np.concatenate(stay_deal), stay_step=np.concatenate(stay_step),
                           stay_seconds=np.concatenate(stay_seconds))
