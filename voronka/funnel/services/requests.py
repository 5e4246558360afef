"""What a manager asks for from the pages and the API: retrain the model now, take a snapshot now."""

from __future__ import annotations

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.tasks import enqueue_on_commit


def model_retrain_request(*, actor: Actor) -> None:
    """Queue a training run of the workspace's model (it runs in the background)."""
    from ..tasks import train_workspace_model

    actor.require(Capability.FUNNEL_MANAGE)
    enqueue_on_commit(train_workspace_model, workspace_id=actor.workspace.pk)


def forecast_snapshot_request(*, actor: Actor) -> None:
    """Queue a forecast snapshot of the workspace (normally weekly)."""
    from ..tasks import take_forecast_snapshot

    actor.require(Capability.FUNNEL_MANAGE)
    enqueue_on_commit(take_forecast_snapshot, workspace_id=actor.workspace.pk)
