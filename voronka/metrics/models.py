"""Daily rollups: totals per local day, owner and team, so a long period sums thousands of rows, not millions.

The rows are a cache the engine may use only where it is known to be exact:
- `RollupCoverage` names the local days a rollup was built for, and the time zone it was built in;
- `RollupMarker` rows are written by database triggers (migration 0002) whenever a row a rollup reads
  changes, naming the UTC day of the change. A day with a marker is read from the source rows until
  the refresh (`rollups/build.py`) has recomputed it.
See docs/adr/0005-metric-rollups.md.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


def _measure() -> models.DecimalField[Any, Any]:  # five of them: catalogue.ROLLUP_MEASURES
    # Six places keep every stored sum exact: a fee is amount (2 places) × percent (2) × 0.01 (2).
    return models.DecimalField(max_digits=28, decimal_places=6, default=0)


class RollupRow(models.Model):
    """One rollup's totals for one local day, owner, team and (optionally) one value of one more slice."""

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    rollup = models.CharField(max_length=32)
    day = models.DateField()
    # Plain ids, not foreign keys: the visibility filter reads them, and a deleted user's rows are
    # recomputed from the deals (whose owner the deletion changed) anyway.
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    dim = models.CharField(max_length=32, blank=True)  # "" = no further slice; else a slice key
    # That slice's value as text. NULL is "(none)", as the engine's own grouping has it (NULLIF(…, '')).
    dim_value = models.CharField(max_length=200, null=True)  # noqa: DJ001
    detail = models.IntegerField(null=True)  # a rollup's own extra key (stage conversion: the order reached)
    m0 = _measure()
    m1 = _measure()
    m2 = _measure()
    m3 = _measure()
    m4 = _measure()

    unscoped: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        indexes = [models.Index(fields=["workspace", "rollup", "dim", "day"], name="metrics_rollup_read_idx")]

    def __str__(self) -> str:
        return f"{self.rollup} {self.day} {self.dim}={self.dim_value}"


class RollupCoverage(models.Model):
    """The local days [first_day, last_day] a rollup of a workspace holds, built in `time_zone`.

    No row, or empty days, means nothing may be read from the rollup. Triggers delete the row when a
    change invalidates every day at once (a channel's fee, a stage's probability or order).
    """

    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    rollup = models.CharField(max_length=32)
    first_day = models.DateField(null=True)
    last_day = models.DateField(null=True)
    time_zone = models.CharField(max_length=64)
    built_at = models.DateTimeField(null=True)

    unscoped: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "rollup"], name="metrics_rollup_coverage_unique")]

    def __str__(self) -> str:
        return f"{self.rollup}: {self.first_day}…{self.last_day} ({self.time_zone})"


class RollupMarker(models.Model):
    """A UTC day whose rows changed since a rollup was computed; written only by database triggers.

    `txid` is the writing transaction on PostgreSQL, so a refresh removes exactly the markers of the
    transactions that had finished before it read the rows; SQLite refreshes under its write lock and
    removes by id.
    """

    # No foreign key: a workspace's deletion writes markers for its deals while it is being deleted.
    workspace_id = models.BigIntegerField()
    rollup = models.CharField(max_length=32)
    day = models.DateField()
    # The UTC hour of a moment (None for a date field): a marked hour touches one local day (two where the
    # offset is not whole hours), where a marked UTC day may touch three.
    hour = models.SmallIntegerField(null=True)
    txid = models.BigIntegerField(default=0)

    unscoped: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        indexes = [models.Index(fields=["workspace_id", "rollup", "day"], name="metrics_marker_idx")]

    def __str__(self) -> str:
        return f"{self.rollup} {self.day}" + (f" {self.hour:02d}h" if self.hour is not None else "")
