"""The only way from a pipeline id in a request to a pipeline funnel may analyse (SECURITY.md R1)."""

from __future__ import annotations

from typing import Any

from voronka.accounts.actor import Actor
from voronka.core.access import get_or_not_found
from voronka.crm.models import Pipeline
from voronka.crm.selectors.pipelines import visible_pipelines


def access_pipeline(*, actor: Actor, pipeline_id: Any) -> Pipeline:
    """A pipeline of the actor's workspace that the actor may use; anything else is a 404."""
    return get_or_not_found(visible_pipelines(actor), pipeline_id)


def default_pipeline(actor: Actor) -> Pipeline | None:
    """The workspace's default pipeline, else the first one the actor may use."""
    pipelines = visible_pipelines(actor).order_by("-is_default", "order", "id")
    return pipelines.first()
