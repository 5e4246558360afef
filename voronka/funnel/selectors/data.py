"""Narrow reads of many rows straight into numpy: the funnel works on arrays, not on model instances.

A funnel over a quarter of a large workspace touches ~100,000 deals and ~300,000 transitions. The ORM
builds (and scopes) the query; the rows come back through the database cursor in one `fetchall`,
with times already turned into epoch seconds and amounts into floats by the database, so no Python
object is made per row. Amounts become floats here: these are statistics (rates, averages,
simulations), not bookkeeping; totals shown as money are summed by the database in Decimal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from ..stats.funnel import LOST, OPEN, WON, Cohort, Moves

MISSING = -1
NO_DAY = -10**9  # "no date" for day numbers, which may legitimately be negative


class EpochSeconds(Func):
    """Whole seconds since 1970-01-01 UTC of a datetime column, computed by the database."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # julianday() is a double; rounding to milliseconds first keeps whole seconds exact.
        template = "(CAST(ROUND(julianday(%(expressions)s) * 86400000.0) AS INTEGER) / 1000 - 210866760000)"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) "
                                                             "AS BIGINT)", **extra)


class DayNumber(Func):
    """Days since 1970-01-01 of a date column."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
                              **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra)


def epoch(field: str) -> EpochSeconds:
    return EpochSeconds(F(field))


def epoch_or_missing(field: str) -> Coalesce:
    return Coalesce(EpochSeconds(F(field)), Value(MISSING), output_field=BigIntegerField())


def id_or_missing(field: str) -> Coalesce:
    return Coalesce(F(field), Value(MISSING), output_field=BigIntegerField())


def status_code() -> Case:
    return Case(When(status="won", then=Value(WON)), When(status="lost", then=Value(LOST)), default=Value(OPEN),
                output_field=IntegerField())


def as_float(field: str) -> Cast:
    return Cast(F(field), FloatField())


def fetch_columns(queryset: QuerySet[Any], columns: Mapping[str, Any], dtypes: Mapping[str, str]) -> dict[str, Any]:
    """Run `queryset` selecting `columns` (name → field or expression) and return one numpy array per name."""
    names = list(columns)
    if not queryset.query.is_sliced:
        queryset = queryset.order_by()  # a sliced query keeps the order its slice depends on
    query = queryset.annotate(**{f"c_{name}": value for name, value in columns.items()})
    query = query.values_list(*[f"c_{name}" for name in names])
    try:
        sql, params = query.query.get_compiler(using=query.db).as_sql()
    except EmptyResultSet:
        rows: list[tuple[Any, ...]] = []
    else:
        with connections[query.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    data = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return {name: np.asarray(values, dtype=dtypes.get(name, "i8")) if len(values)
            else np.zeros(0, dtype=dtypes.get(name, "i8")) for name, values in zip(names, data, strict=True)}


EXTRA_COLUMNS = {
    "owner": ("i8", lambda: id_or_missing("owner_id")),
    "team": ("i8", lambda: id_or_missing("team_id")),
    "channel": ("i8", lambda: id_or_missing("channel_id")),
    "lead_source": ("O", lambda: F("lead_source")),
    "industry": ("O", lambda: Coalesce(F("company__industry"), Value(""))),
    "expected_close": ("i8", lambda: Coalesce(DayNumber(F("expected_close_date")), Value(NO_DAY),
                                              output_field=BigIntegerField())),
    "stage_entered": ("i8", lambda: epoch("stage_entered_at")),
    "probability_override": ("i8", lambda: id_or_missing("probability_override")),
}


class DealFrame:
    """Deals as columns, sorted by id: `ids`, the Cohort fields and any extra columns asked for."""

    def __init__(self, columns: dict[str, Any]) -> None:
        order = np.argsort(columns["id"], kind="stable")
        self.columns = {name: values[order] for name, values in columns.items()}
        self.ids = self.columns["id"]

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, name: str) -> Any:
        return self.columns[name]

    def cohort(self) -> Cohort:
        c = self.columns
        return Cohort(created=c["created"], status=c["status"], amount=c["amount"], stage=c["stage"],
                      closed=c["closed"], lost_reason=c["lost_reason"])

    def rows_of(self, deal_ids: Any) -> tuple[Any, Any]:
        """Rows of `deal_ids` in this frame, and a mask of the ids found."""
        deal_ids = np.asarray(deal_ids, dtype=np.int64)
        if not len(self.ids):
            return np.zeros(len(deal_ids), dtype=np.int64), np.zeros(len(deal_ids), dtype=bool)
        pos = np.minimum(np.searchsorted(self.ids, deal_ids), len(self.ids) - 1)
        return pos, self.ids[pos] == deal_ids


def load_deals(queryset: QuerySet[Any], extra: tuple[str, ...] = ()) -> DealFrame:
    columns: dict[str, Any] = {
        "id": F("id"), "created": epoch("created_at"), "status": status_code(), "amount": as_float("amount"),
        "stage": F("stage_id"), "closed": epoch_or_missing("closed_at"), "lost_reason": id_or_missing("lost_reason_id"),
    }
    dtypes = {"amount": "f8"}
    for name in extra:
        dtype, expression = EXTRA_COLUMNS[name]
        columns[name] = expression()
        dtypes[name] = dtype
    return DealFrame(fetch_columns(queryset, columns, dtypes))


def load_moves(frame: DealFrame, transitions: QuerySet[Any]) -> Moves:
    """The transitions of the frame's deals as Moves (rows of the frame, sorted by deal and time)."""
    data = fetch_columns(transitions, {"deal": F("deal_id"), "stage": F("to_stage_id"), "at": epoch("at")}, {})
    rows, found = frame.rows_of(data["deal"])
    return Moves(rows[found], data["stage"][found], data["at"][found]).sorted()


def load_pairs(queryset: QuerySet[Any], first: str, second: str) -> tuple[Any, Any]:
    data = fetch_columns(queryset, {"a": F(first), "b": F(second)}, {})
    return data["a"], data["b"]
