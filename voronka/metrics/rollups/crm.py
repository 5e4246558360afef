"""The CRM's daily rollups. Their change markers are written by the triggers of migration metrics 0002;
a new rollup here needs triggers there (or in its own app's migration) for every table it reads.
"""

from __future__ import annotations

from ..catalogue import Rollup, register_rollup
from ..definitions import (
    ACTIVITIES_DONE,
    CLOSED_COUNT,
    LOST_COUNT,
    NEW_DEALS,
    PIPELINE_VALUE,
    WEIGHTED_PIPELINE,
    WON_COUNT,
    WON_PROFIT,
    WON_REVENUE,
)
from ..stage_conversion import REACHED_ROLLUP, reached_rows

# Slices a deal rollup is also kept by, one at a time (owner and team are always kept).
DEAL_DIMS = frozenset({"pipeline", "channel", "lead_source", "industry"})


def register_crm_rollups() -> None:
    register_rollup(Rollup("deals_closed", "deals", "closed_at", "closed",
                           (WON_COUNT, CLOSED_COUNT, LOST_COUNT, WON_REVENUE, WON_PROFIT), DEAL_DIMS))
    register_rollup(Rollup("deals_created", "deals", "created_at", "created", (NEW_DEALS,), DEAL_DIMS))
    register_rollup(Rollup("deals_open", "deals", "expected_close_date", "open", (PIPELINE_VALUE, WEIGHTED_PIPELINE),
                           DEAL_DIMS, date_only=True))
    register_rollup(Rollup("activities_done", "activities", "done_at", "done", (ACTIVITIES_DONE,),
                           frozenset({"activity_type"})))
    register_rollup(Rollup(REACHED_ROLLUP, "deals", "created_at", "created", (), frozenset({"pipeline"}),
                           compute_rows=reached_rows))
