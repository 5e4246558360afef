"""crm's reactions to other apps' events (run as background tasks after commit)."""

from __future__ import annotations

from voronka.accounts.events import WorkspaceCreated
from voronka.accounts.models import Workspace
from voronka.channels.services import channel_seed_defaults
from voronka.core.events import subscribe

from .services.pipelines import pipeline_seed_defaults


@subscribe(WorkspaceCreated)
def seed_workspace_defaults(event: WorkspaceCreated) -> None:
    """A new workspace starts with the standard pipeline, lost reasons and sales channels."""
    workspace = Workspace.objects.get(pk=event.workspace_id)
    pipeline_seed_defaults(workspace=workspace)
    channel_seed_defaults(workspace=workspace)
