"""funnel's background tasks: ids in, enter the workspace, call one service; safe to run twice (R24)."""

from __future__ import annotations

from django_tasks import task

from voronka.core.scoping import workspace_scope


def _active_workspace_ids() -> list[int]:
    from voronka.accounts.models import Workspace

    return list(Workspace.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


@task()
def train_workspace_model(*, workspace_id: int) -> str:
    """Retrain one workspace's win-probability model and rescore its open deals."""
    from .services.training import win_model_train

    with workspace_scope(workspace_id):
        return str(win_model_train(workspace_id=workspace_id).status)


@task()
def retrain_all_workspaces() -> int:
    """Weekly: one training task per active workspace."""
    ids = _active_workspace_ids()
    for workspace_id in ids:
        train_workspace_model.enqueue(workspace_id=workspace_id)
    return len(ids)


@task()
def take_forecast_snapshot(*, workspace_id: int) -> int:
    """Record this quarter's forecast of one workspace (one row per distinct visibility)."""
    from .services.snapshots import forecast_snapshot_take

    with workspace_scope(workspace_id):
        return len(forecast_snapshot_take(workspace_id=workspace_id))


@task()
def snapshot_all_workspaces() -> int:
    """Weekly: one snapshot task per active workspace."""
    ids = _active_workspace_ids()
    for workspace_id in ids:
        take_forecast_snapshot.enqueue(workspace_id=workspace_id)
    return len(ids)
