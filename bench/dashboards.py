"""A dashboard of 10 widgets on the demo company (issue 4, performance), with a DuckDB reference.

    VORONKA_VAR_DIR=/tmp/demo100 DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/dashboards.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voronka_bench VORONKA_VAR_DIR=/tmp/demopg \\
        DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/dashboards.py

Renders the company dashboard (its default layout: 6 KPI tiles with comparisons and sparklines, revenue
over time, by channel, by owner, the stage funnel) through django.test.Client in this process, for the
manager (team subtree) and the admin (everything), for "this month" and "this year": p50 and p95 over
`--runs` requests after two warm-up requests, the SQL statements and engine queries of one request.

The reference, in the same run: the same aggregations (the tiles' totals for the period, the previous
one and last year's, and their trend by day/month, for revenue, deals won, win rate, average check,
pipeline value and activities; revenue by channel and by owner; the highest stage each deal created in
the period reached) computed by DuckDB over pandas copies
of the same rows, with the same visibility filter. The script checks that DuckDB's numbers equal the
dashboard's and prints the ratio page / DuckDB.

Everything the script writes (and, on a database without the analytics tables, those tables) is inside
a transaction it rolls back at the end, so the database is left as it was. `--cache-seconds N`
turns on the dashboard's optional result cache (the timed renders are then warm). `--with-indexes`
also creates, in that transaction, the two indexes the default widgets would use (activities by done
date, open deals by expected close date) to show what they change. The engine reads the daily rollups
where they are exact (ADR 0005; the script prints their state): `--rollups off` reads every number from
the rows instead, and `--touch N` first wins N deals and logs N calls now (rolled back at the end), so
today's days come from the rows — a render between two refreshes of the scheduler.
"""

# ruff: noqa: S608 — the reference SQL is built from dates and ids computed here, never from input.
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from rollup_bench import rollup_status, touch  # noqa: E402

from voronka.accounts.actor import Actor, actor_for  # noqa: E402
from voronka.accounts.models import User, Workspace  # noqa: E402
from voronka.analytics.dashboard_panels import Builder  # noqa: E402
from voronka.analytics.dashboard_range import Window, window_for  # noqa: E402
from voronka.analytics.models import Dashboard, DashboardWidget  # noqa: E402
from voronka.analytics.services.dashboards import DEFAULT_WIDGETS  # noqa: E402
from voronka.core.scoping import workspace_scope  # noqa: E402
from voronka.demo.generator import DEMO_SLUG  # noqa: E402

GOAL_MS = 1000.0
PRESETS = ("this_month", "this_year")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(call: Callable[[], Any], runs: int) -> tuple[float, float]:
    for _ in range(2):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def count_queries(call: Callable[[], Any]) -> int:
    executed: list[str] = []

    def count(execute: Callable[..., object], sql: str, *args: object) -> object:
        executed.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        call()
    return len(executed)


# Indexes the dashboard's default widgets would use; none exists in crm yet (see the report / BENCHMARKS.md).
INDEXES = {
    "bench_activity_done": ("crm_activity", "workspace_id, done_at"),
    "bench_deal_open_expected": ("crm_deal", "workspace_id, status, expected_close_date"),
}


@contextmanager
def scratch(*, with_indexes: bool, writes: Callable[[], str]) -> Iterator[str]:
    """The dashboard tables (real ones if migrated), the indexes above and the writes, all rolled back at the end."""
    existing = set(connection.introspection.table_names())
    missing = [model for model in (Dashboard, DashboardWidget) if model._meta.db_table not in existing]
    # Requests must not close the connection (and the transaction) between them, as in Django's TestCase.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    if connection.vendor == "sqlite":
        connection.disable_constraint_checking()  # the SQLite schema editor needs it before the transaction
    try:
        with transaction.atomic():
            with connection.schema_editor() as editor:
                for model in missing:
                    editor.create_model(model)
            if missing:
                print(f"created {', '.join(m._meta.db_table for m in missing)} for this run (rolled back at the end)")
            if with_indexes:
                start = time.perf_counter()
                with connection.cursor() as cursor:
                    for name, (table, columns) in INDEXES.items():
                        cursor.execute(f"CREATE INDEX {name} ON {table} ({columns})")
                    cursor.execute("ANALYZE")
                print(f"created indexes {', '.join(f'{t}({c})' for t, c in INDEXES.values())} in "
                      f"{time.perf_counter() - start:.1f}s for this run (rolled back at the end)")
            yield writes()
            transaction.set_rollback(True)
    finally:
        if connection.vendor == "sqlite":
            connection.enable_constraint_checking()


# ---- the DuckDB reference ----------------------------------------------------------------------------

def _frame(sql: str, params: list[Any]) -> Any:
    import pandas as pd

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=[c[0] for c in cursor.description])


def _local(frame: Any, column: str, zone: str) -> None:
    import pandas as pd

    # Naive local time: DuckDB reads tz-aware pandas columns only with pytz installed.
    frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(zone).dt.tz_localize(None)


def load_reference(workspace: Workspace, since: dt.date) -> Any:
    import duckdb

    start = time.perf_counter()
    deals = _frame("SELECT id, owner_id, team_id, channel_id, pipeline_id, status, amount, created_at, closed_at, "
                   "expected_close_date FROM crm_deal WHERE workspace_id = %s", [workspace.pk])
    deals["amount"] = deals["amount"].astype(float)
    for column in ("created_at", "closed_at"):
        _local(deals, column, workspace.time_zone)
    deals["expected_close_date"] = deals["expected_close_date"].astype("datetime64[ns]")
    since_utc = dt.datetime.combine(since, dt.time.min, tzinfo=ZoneInfo(workspace.time_zone)) - dt.timedelta(days=1)
    activities = _frame("SELECT owner_id, team_id, done_at FROM crm_activity WHERE workspace_id = %s "
                        "AND done_at >= %s", [workspace.pk, since_utc])
    _local(activities, "done_at", workspace.time_zone)
    transitions = _frame("SELECT t.deal_id, s.pipeline_id, s.\"order\" AS stage_order FROM crm_stagetransition t "
                         "JOIN crm_stage s ON s.id = t.to_stage_id WHERE t.workspace_id = %s "
                         "AND s.kind IN ('open', 'won')", [workspace.pk])
    db = duckdb.connect()
    db.register("deals_df", deals)
    db.register("activities_df", activities)
    db.register("transitions_df", transitions)
    # Materialised once, as the database's tables are: the timed queries then read columnar tables.
    for name in ("deals", "activities", "transitions"):
        db.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_df")
    print(f"DuckDB reference: {len(deals):,} deals, {len(activities):,} activities, {len(transitions):,} "
          f"transitions copied through pandas in {time.perf_counter() - start:.1f}s")
    return db


def _visible(actor: Actor, alias: str = "") -> str:
    viewer = actor.viewer
    prefix = f"{alias}." if alias else ""
    if viewer.scope == "all":
        return "TRUE"
    teams = ", ".join(str(t) for t in sorted(viewer.team_ids)) or "NULL"
    return f"({prefix}owner_id = {viewer.user_id} OR {prefix}team_id IN ({teams}))"


def reference_queries(actor: Actor, window: Window) -> dict[str, str]:
    """The dashboard's aggregations in DuckDB SQL: same periods, buckets and visibility."""
    visible = _visible(actor)
    chart = window.chart_granularity().value
    periods = {"now": (window.start, window.end)}
    for name, (start, end) in (("previous", window.previous()), ("last_year", window.last_year())):
        if (start, end) not in periods.values():
            periods[name] = (start, end)

    def between(column: str, start: dt.date, end: dt.date) -> str:
        return f"{column} >= DATE '{start}' AND {column} < DATE '{end + dt.timedelta(days=1)}'"

    closed = ("sum(amount) FILTER (WHERE status = 'won') AS revenue, count(*) FILTER (WHERE status = 'won') AS won, "
              "count(*) FILTER (WHERE status = 'won') / nullif(count(*), 0) AS win_rate, "
              "sum(amount) FILTER (WHERE status = 'won') / nullif(count(*) FILTER (WHERE status = 'won'), 0) "
              "AS average_check")
    queries: dict[str, str] = {}
    for name, (start, end) in periods.items():
        queries[f"closed {name}"] = (f"SELECT {closed} FROM deals WHERE status IN ('won', 'lost') AND {visible} "
                                     f"AND {between('closed_at', start, end)}")
        queries[f"pipeline {name}"] = (f"SELECT sum(amount) FROM deals WHERE status = 'open' AND {visible} "
                                       f"AND {between('expected_close_date', start, end)}")
        queries[f"activities {name}"] = (f"SELECT count(*) FROM activities WHERE {visible} "
                                         f"AND {between('done_at', start, end)}")
    period = between("closed_at", window.start, window.end)
    queries.update({
        "closed trend": f"""
            SELECT date_trunc('{chart}', closed_at) AS bucket, {closed} FROM deals
            WHERE status IN ('won', 'lost') AND {visible} AND {period} GROUP BY 1 ORDER BY 1""",
        "pipeline trend": f"""
            SELECT date_trunc('{chart}', expected_close_date) AS bucket, sum(amount) FROM deals
            WHERE status = 'open' AND {visible} AND {between('expected_close_date', window.start, window.end)}
            GROUP BY 1 ORDER BY 1""",
        "activities trend": f"""
            SELECT date_trunc('{chart}', done_at) AS bucket, count(*) FROM activities
            WHERE {visible} AND {between('done_at', window.start, window.end)} GROUP BY 1 ORDER BY 1""",
        "by_channel": f"""
            SELECT channel_id, sum(amount) AS revenue FROM deals
            WHERE status = 'won' AND {visible} AND {period} GROUP BY 1""",
        "by_owner": f"""
            SELECT owner_id, sum(amount) AS revenue FROM deals
            WHERE status = 'won' AND {visible} AND {period} GROUP BY 1""",
        "funnel": f"""
            SELECT pipeline_id, top, count(*) AS deals FROM (
                SELECT d.id, d.pipeline_id, max(t.stage_order) AS top
                FROM deals d JOIN transitions t ON t.deal_id = d.id
                WHERE {_visible(actor, "d")} AND {between('d.created_at', window.start, window.end)}
                GROUP BY d.id, d.pipeline_id) GROUP BY 1, 2""",
    })
    return queries


def check_numbers(db: Any, actor: Actor, window: Window) -> str:
    """DuckDB's totals for the current period against the dashboard's tiles and bars."""
    with workspace_scope(actor.workspace):
        panels = Builder(actor=actor, window=window, filters={}).build(DEFAULT_WIDGETS["company"])
    tiles = {p.metric_key: p.tile.value for p in panels if p.tile is not None}
    queries = reference_queries(actor, window)
    revenue_raw, won = db.execute(queries["closed now"]).fetchone()[:2]
    revenue = Decimal(str(round(revenue_raw or 0, 2)))
    done = db.execute(queries["activities now"]).fetchone()[0]
    by_owner = sum(row[1] for row in db.execute(queries["by_owner"]).fetchall())
    figure = next(p for p in panels if p.chart == "bar" and p.slice_key == "owner").figure or {"data": [{"x": []}]}
    ok = (abs(tiles["revenue"] - revenue) <= Decimal("0.05") and tiles["deals_won"] == won
          and tiles["activities_done"] == done and abs(sum(figure["data"][0]["x"]) - by_owner) < 1)
    return (f"revenue {tiles['revenue']} / {revenue}, won {tiles['deals_won']} / {won}, activities "
            f"{tiles['activities_done']} / {done}: {'match' if ok else 'MISMATCH'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cache-seconds", type=int, default=0,
                        help="turn on the dashboard's result cache (ANALYTICS_DASHBOARD_CACHE_SECONDS): warm renders")
    parser.add_argument("--with-indexes", action="store_true",
                        help="also create the indexes the dashboard needs (inside the run's transaction, rolled back)")
    parser.add_argument("--rollups", choices=["on", "off"], default="on",
                        help="off: every number from the rows, as before the daily rollups (ADR 0005)")
    parser.add_argument("--touch", type=int, default=0,
                        help="win N deals and log N calls now first (rolled back): today's days from the rows")
    args = parser.parse_args()
    settings.METRICS_ROLLUPS = args.rollups == "on"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.ANALYTICS_DASHBOARD_CACHE_SECONDS = args.cache_seconds
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is None:
        sys.exit("No demo workspace: run `voronka demo --scale N` first.")
    with workspace_scope(workspace):
        from voronka.crm.models import Deal

        deals = Deal.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; demo deals: {deals:,}; "
          f"runs: {args.runs}; result cache: {args.cache_seconds or 'off'}; load average: {os.getloadavg()[0]:.1f}")
    today = timezone.localtime(timezone.now(), timezone=ZoneInfo(workspace.time_zone)).date()
    windows = {preset: window_for(preset, today) for preset in PRESETS}
    earliest = min(w.last_year()[0] for w in windows.values())
    with scratch(with_indexes=args.with_indexes, writes=lambda: touch(workspace, args.touch)) as touched:
        print(f"{rollup_status(workspace)}; {touched}")
        db = load_reference(workspace, earliest)
        print(f"\n{'who':<8} {'period':<11} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4} {'engine':>6} "
              f"{'duck p50':>9} {'duck p95':>9} {'ratio p50':>9}  goal p95 < {GOAL_MS:.0f} ms")
        for email, who in (("manager@voronka.test", "manager"), ("admin@voronka.test", "admin")):
            user = User.objects.get(email=email)
            actor = actor_for(user=user, workspace_id=workspace.pk)
            assert actor is not None
            client = Client()
            client.force_login(user)
            for preset, window in windows.items():
                url = reverse("analytics:dashboards") + f"?range_preset={preset}"
                response = client.get(url)
                html = response.content.decode()
                assert response.status_code == 200, response.status_code
                assert html.count('class="card h-100 dashboard-') == 10 and "widget-error" not in html
                sql = count_queries(lambda c=client, u=url: c.get(u))  # type: ignore[misc]
                with workspace_scope(workspace):
                    builder = Builder(actor=actor, window=window, filters={})
                    builder.build(DEFAULT_WIDGETS["company"])
                p50, p95 = timed(lambda c=client, u=url: c.get(u), args.runs)  # type: ignore[misc]
                queries = reference_queries(actor, window)
                duck50, duck95 = timed(
                    lambda q=queries: [db.execute(s).fetchall() for s in q.values()], args.runs)  # type: ignore[misc]
                verdict = "ok" if p95 < GOAL_MS else "OVER"
                print(f"{who:<8} {preset:<11} {p50:>8.1f} {p95:>8.1f} {sql:>4} {builder.queries_run:>6} "
                      f"{duck50:>9.1f} {duck95:>9.1f} {p50 / duck50:>8.1f}×  {verdict}", flush=True)
                print(f"         {check_numbers(db, actor, window)}", flush=True)


if __name__ == "__main__":
    main()
