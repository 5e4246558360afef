"""funnel's reactions to crm's events (run as background tasks after commit, inside the workspace)."""

from __future__ import annotations

from voronka.core.events import subscribe
from voronka.crm.events import DealStageChanged


@subscribe(DealStageChanged)
def rescore_moved_deal(event: DealStageChanged) -> None:
    """A deal that changed stage (or was created, won or lost) gets a fresh score, or loses it once closed."""
    from .services.scoring import deal_score_refresh  # scikit-learn loads in the worker only, when needed

    deal_score_refresh(workspace_id=event.workspace_id, deal_id=event.deal_id)
