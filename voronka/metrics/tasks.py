"""metrics' background work: keeping the daily rollups up to date (safe to run twice, or side by side)."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_rollups() -> dict[str, int]:
    """Recompute the days changed since the last run in every workspace (registered as "metrics.refresh_rollups")."""
    from .rollups.build import rollups_refresh_all

    results = rollups_refresh_all()
    return {"rollups": len(results), "rebuilt": sum(r.rebuilt for r in results), "days": sum(r.days for r in results)}
