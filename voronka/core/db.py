"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, F, Func, Model, Q
from django.db.models.lookups import Contains, Exact, StartsWith
from django.dispatch import receiver


class CaseFold(Func):
    """Unicode case folding of a text expression.

    PostgreSQL's LOWER folds every script; SQLite's folds ASCII only, so on SQLite a Python
    function (registered on each new connection below) does it — Cyrillic search then finds
    "Мария" from "мАрИя" on both databases.
    """

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function="VORONKA_CASEFOLD", **extra_context)


def _casefold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


@receiver(connection_created)
def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("VORONKA_CASEFOLD", 1, _casefold, deterministic=True)


_LOOKUPS = {"contains": Contains, "startswith": StartsWith, "exact": Exact}


def casefold_q(field: str, term: str, *, lookup: str = "contains") -> Q:
    """`field` matches `term` ignoring case in any script, on SQLite and PostgreSQL alike."""
    return Q(_LOOKUPS[lookup](CaseFold(F(field)), term.casefold()))


def refresh_planner_statistics(*models: type[Model]) -> None:
    """Update the query planner's statistics after a bulk load (demo data, large imports).

    `models` names the tables that were loaded; none means the whole database.

    Without statistics SQLite guesses join orders and, for example, prefetches a page's contacts by
    scanning every contact of the workspace (seconds at 500,000 contacts instead of milliseconds).
    On PostgreSQL, outside a transaction, this is VACUUM (ANALYZE): besides the statistics it sets the
    visibility map, without which an index-only scan (a count over an index) still reads every heap
    page — after a bulk load autovacuum does that only some time later. Inside a transaction, where
    VACUUM cannot run, it is ANALYZE alone.
    """
    from django.db import connection

    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")  # sample each index: fast on gigabytes
            for table in tables or [""]:
                cursor.execute(f"ANALYZE {table}".strip())  # SQLite analyzes one table (or all) per statement
        elif connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} {', '.join(tables)}".strip())
