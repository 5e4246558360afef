"""Bulk SQL on the import's hot path: multi-row INSERTs and long IN-list lookups without per-value ORM work.

bulk_create and `__in` filters prepare every value of every row through the field API; on a 100,000-row
contact import that cost several times the database work itself. Here the values that change per row come
from our own normalisation (already plain str/int/bool/None) and go to the database as they are; the
columns that are the same for every row (workspace, timestamps, JSON defaults) are adapted once.
Identifiers come from model meta and every value is a bound parameter. Raw SQL skips the scoped manager,
so every statement here names the active workspace itself.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from itertools import chain
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from voronka.core.scoping import require_workspace_id

from ...models import Contact, ContactPoint

# Rows per INSERT statement on SQLite: past a few hundred, longer statements stop paying.
_SQLITE_ROWS_PER_STATEMENT = 500


def _parameter_limit() -> int:
    if connection.vendor != "sqlite":
        return 65_535
    connection.ensure_connection()
    try:
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except AttributeError:  # Python < 3.11 cannot ask; Django's conservative figure
        return int(connection.features.max_query_params or 999)


class BulkInsert:
    """INSERT many rows of one model: `columns` vary per row, every other column is the same for all rows.

    Rows are tuples in the order of `columns`, holding database-ready values (str, int, bool, None).
    The other columns take `fixed[attname]` or the field's default, adapted once; auto_now fields take
    now. `run` returns the `returning` columns of the inserted rows in the order the rows were given
    (with ignore_conflicts, only of the rows that were inserted).
    """

    def __init__(self, model: type[Model], columns: Sequence[str], *, fixed: dict[str, Any] | None = None,
                 returning: Sequence[str] = ("id",), ignore_conflicts: bool = False) -> None:
        fixed = {"workspace_id": require_workspace_id(), **(fixed or {})}
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        unknown = [name for name in [*columns, *fixed] if name not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {unknown}")
        self.varying = [fields[name] for name in columns]
        self.constant = [f for name, f in fields.items() if name not in columns]
        now = timezone.now()
        values: list[Any] = []
        for f in self.constant:
            if f.attname in fixed:
                value = fixed[f.attname]
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            values.append(f.get_db_prep_save(value, connection))
        self.constant_values = tuple(values)
        ops = connection.ops
        self.table = ops.quote_name(model._meta.db_table)
        self.column_sql = ", ".join(ops.quote_name(str(f.column)) for f in [*self.varying, *self.constant])
        columns_by_name = {f.attname: str(f.column) for f in model._meta.concrete_fields}
        self.returning_sql = ", ".join(ops.quote_name(columns_by_name[name]) for name in returning)
        self.conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""

    def run(self, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not rows:
            return []
        if connection.vendor == "sqlite":
            return self._run_sqlite(rows)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                return self._run_postgresql(cursor, rows)
            return self._run_values(cursor, rows, "%s", cursor.execute)

    def _run_postgresql(self, cursor: Any, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        # One array per varying column through unnest(), the constants once: a short statement whatever
        # the row count (psycopg parses every placeholder of a long VALUES list in Python).
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in self.varying)
        constants = "".join(f", %s::{f.db_type(connection)}" for f in self.constant)
        sql = (f"INSERT INTO {self.table} ({self.column_sql}) SELECT u.*{constants} FROM unnest({arrays}) AS u"  # noqa: S608
               f"{self.conflict} RETURNING {self.returning_sql}")
        cursor.execute(sql, [*self.constant_values, *(list(values) for values in zip(*rows, strict=True))])
        return list(cursor.fetchall())

    def _run_sqlite(self, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        # Straight to the sqlite3 connection (the same connection and transaction) with its own "?" placeholders:
        # Django's cursor rewrites each "%s" of a statement with a regex, which over the 3.5 million values of a
        # 100,000-row contact import took more than a second. Database errors still come out as Django's.
        connection.ensure_connection()
        raw = connection.connection
        with connection.wrap_database_errors:
            return self._run_values(None, rows, "?", raw.execute)

    def _run_values(self, cursor: Any, rows: Sequence[tuple[Any, ...]], mark: str,
                    execute: Any) -> list[tuple[Any, ...]]:
        width = len(self.varying) + len(self.constant)
        per_statement = max(1, min(_SQLITE_ROWS_PER_STATEMENT, _parameter_limit() // width))
        placeholder = "(" + ", ".join([mark] * width) + ")"
        constants = self.constant_values
        returned: list[tuple[Any, ...]] = []
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            values = ", ".join([placeholder] * len(part))
            sql = f"INSERT INTO {self.table} ({self.column_sql}) VALUES {values}{self.conflict} RETURNING {self.returning_sql}"  # noqa: S608, E501
            # Rows come back in VALUES order on SQLite and PostgreSQL (bulk_create relies on it too).
            result = execute(sql, list(chain.from_iterable(row + constants for row in part)))
            returned += (cursor or result).fetchall()
        return returned


def _in_slices(values: Collection[Any]) -> list[list[Any]]:
    ordered = sorted(values)
    if connection.vendor == "postgresql":
        return [ordered]  # one array parameter
    size = max(1, _parameter_limit() - 10)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def _in_sql(count: int) -> str:
    if connection.vendor == "postgresql":
        return "= ANY(%s)"
    return "IN (" + ", ".join(["%s"] * count) + ")"


PointOwner = tuple[str, str, int, int | None, int | None]


def points_with_owners(values_by_kind: Mapping[str, Collection[str]]) -> list[PointOwner]:
    """(kind, value, contact id, its owner id, its team id) of the stored points with these values."""
    quote = connection.ops.quote_name
    point, contact = quote(ContactPoint._meta.db_table), quote(Contact._meta.db_table)
    found: list[PointOwner] = []
    workspace_id = require_workspace_id()
    with connection.cursor() as cursor:
        for kind, values in values_by_kind.items():
            for part in _in_slices(values):
                sql = (f"SELECT p.kind, p.value, p.contact_id, c.owner_id, c.team_id FROM {point} p "  # noqa: S608
                       f"JOIN {contact} c ON c.id = p.contact_id "
                       f"WHERE p.workspace_id = %s AND p.kind = %s AND p.value {_in_sql(len(part))}")
                params: list[Any] = [workspace_id, kind]
                params += [part] if connection.vendor == "postgresql" else part
                cursor.execute(sql, params)
                found += cursor.fetchall()
    return found
