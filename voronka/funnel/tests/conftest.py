"""Fixtures of the funnel tests: a slice of the demo company, and pipelines built deal by deal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from voronka.accounts.actor import Actor, actor_for
from voronka.accounts.models import User, Workspace
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Pipeline

from .builders import days_ago, move, plant_bottleneck, walk

__all__ = ["Demo", "days_ago", "move", "plant_bottleneck", "walk"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()  # slice options are cached per workspace id, and ids repeat across tests
    yield
    cache.clear()


@dataclass
class Demo:
    workspace: Workspace

    def actor(self, email: str) -> Actor:
        actor = actor_for(user=User.objects.get(email=email), workspace_id=self.workspace.pk)
        assert actor is not None
        return actor

    def pipeline(self, name: str = "Продажи B2B") -> Pipeline:
        return Pipeline.unscoped.get(workspace=self.workspace, name=name)


@pytest.fixture
def demo(db: None) -> Iterator[Demo]:
    """A tenth of one chunk of the demo company: 600 deals over 18 months, with its real funnel dynamics."""
    from voronka.demo.generator import demo_load

    result = demo_load(scale=1, fraction=0.1)
    with workspace_scope(result.workspace):
        yield Demo(result.workspace)
