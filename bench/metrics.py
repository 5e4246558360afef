"""Metric queries on the demo company (issue 4, "Performance"), against DuckDB on the same rows in the same run.

    VORONKA_VAR_DIR=/tmp/demo100 DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/metrics.py

Run it against a database loaded with `voronka demo --scale N` (see bench/README.md). Each case is one call of
`metric_query_for` (the path every page, goal, alert and report takes: SQL building, the aggregate queries,
labels, the Python that assembles the result) timed `--runs` times after two warm-up calls, for the demo admin
(sees everything) or the demo manager (a team subtree, so the visibility filter is part of the query).

The reference: the rows each case needs are read once with a narrow SELECT into pandas (timestamps already
converted to the workspace's local time, money as integer kopecks), registered in an in-process DuckDB, and
the same aggregation is run there as one SQL query, timed the same way. Only DuckDB's query is timed, not the
load. Every case then checks that DuckDB's numbers equal the engine's (counts exactly, money to the kopeck,
ratios and medians to 1e-9), so both sides provably computed the same thing.

The goal (issue 4): the first case, 24 months × 15 reps, under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rollup_bench import rollup_status, touch  # noqa: E402

from voronka.accounts.actor import Actor, actor_for  # noqa: E402
from voronka.accounts.models import User, Workspace  # noqa: E402
from voronka.core.scoping import workspace_scope  # noqa: E402
from voronka.demo.generator import DEMO_SLUG  # noqa: E402
from voronka.metrics.engine import MetricResult  # noqa: E402
from voronka.metrics.selectors import metric_query_for  # noqa: E402
from voronka.metrics.spec import MetricQuery, metric_query_build  # noqa: E402

GOAL_MS = 200.0


@dataclass(frozen=True)
class Case:
    name: str
    who: str
    metrics: list[str]
    slices: list[str]
    granularity: str
    duck_sql: str  # over the registered frames; $from/$to are local timestamps, $from_day/$to_day dates
    # (DuckDB rows, engine result) → list of mismatches
    check: Callable[[list[tuple[Any, ...]], MetricResult], list[str]]
    goal: bool = False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(call: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    for _ in range(2):
        result = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


# ---- reading the rows DuckDB needs ------------------------------------------------------------

def fetch(sql: str, params: list[Any], columns: list[str]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def utc(series: pd.Series) -> pd.Series:
    """Aware UTC timestamps (SQLite hands back text, PostgreSQL aware datetimes)."""
    return pd.to_datetime(series, utc=True, format="ISO8601")


def naive_utc(series: pd.Series) -> pd.Series:
    return utc(series).dt.tz_localize(None)


def local(series: pd.Series, tz: str) -> pd.Series:
    return utc(series).dt.tz_convert(tz).dt.tz_localize(None)


def load_frames(workspace: Workspace) -> dict[str, pd.DataFrame]:
    tz, ws = workspace.time_zone, workspace.pk
    deals = fetch(
        "SELECT d.id, d.owner_id, d.team_id, d.channel_id, d.status, d.amount, d.created_at, d.closed_at, "
        "d.expected_close_date, COALESCE(d.probability_override, s.probability), d.stage_entered_at, "
        "s.stalled_after_days FROM crm_deal d JOIN crm_stage s ON s.id = d.stage_id WHERE d.workspace_id = %s",
        [ws], ["id", "owner_id", "team_id", "channel_id", "status", "amount", "created_at", "closed_at",
               "expected_close_date", "probability", "stage_entered_at", "stalled_after_days"])
    deals["amount_kop"] = deals["amount"].map(lambda v: int(Decimal(str(v)) * 100)).astype("int64")
    for column in ("owner_id", "team_id", "channel_id", "probability", "stalled_after_days"):
        deals[column] = deals[column].astype("Int64")
    deals["created_utc"], deals["closed_utc"] = naive_utc(deals["created_at"]), naive_utc(deals["closed_at"])
    deals["stage_entered_utc"] = naive_utc(deals["stage_entered_at"])
    deals["created_local"], deals["closed_local"] = local(deals["created_at"], tz), local(deals["closed_at"], tz)
    deals["expected_close_date"] = pd.to_datetime(deals["expected_close_date"]).dt.date
    deals = deals.drop(columns=["amount", "created_at", "closed_at", "stage_entered_at"])
    contacts = fetch(
        "SELECT c.id, c.created_at, EXISTS (SELECT 1 FROM crm_deal_contacts dc WHERE dc.contact_id = c.id) "
        "FROM crm_contact c WHERE c.workspace_id = %s", [ws], ["id", "created_at", "has_deal"])
    contacts["created_local"] = local(contacts["created_at"], tz)
    contacts["has_deal"] = contacts["has_deal"].astype(bool)
    return {"deals": deals, "contacts": contacts.drop(columns=["created_at"])}


# ---- checks: DuckDB rows against the engine's result ------------------------------------------

def _close(a: Any, b: Any, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= tolerance * max(1.0, abs(float(b)))


def check_core(rows: list[tuple[Any, ...]], result: MetricResult) -> list[str]:
    """(bucket, owner, revenue in kopecks, won, closed) against revenue, deals_won, win_rate, average_check."""
    seen = {(bucket, owner): (kop, won, closed) for bucket, owner, kop, won, closed in rows}
    bad = []
    for row in result.rows:
        kop, won, closed = seen.pop((row.bucket, row.slices[0]), (0, 0, 0))
        expected = {
            "revenue": Decimal(int(kop or 0)) / 100, "deals_won": won,
            "win_rate": won / closed if closed else None,
            "average_check": (Decimal(int(kop or 0)) / 100 / won).quantize(Decimal("0.01")) if won else None,
        }
        for key, want in expected.items():
            got = row.values[key]
            ok = got == want if key == "deals_won" else _close(got, want, 1e-9 if key == "win_rate" else 1e-12)
            if key in ("revenue", "average_check") and want is not None and got is not None:
                ok = abs(Decimal(got) - want) <= Decimal("0.01")
            if not ok:
                bad.append(f"{row.bucket} {row.slices} {key}: engine {got} DuckDB {want}")
    bad += [f"{key}: only in DuckDB {value}" for key, value in seen.items() if value[1] or value[2]]
    return bad


def check_simple(metric: str, tolerance: float = 0.0, money: bool = False) -> Callable[..., list[str]]:
    """(bucket or NULL for total, slice value or NULL, value) against one metric; money comes in kopecks."""

    def check(rows: list[tuple[Any, ...]], result: MetricResult) -> list[str]:
        expected = {(bucket or "total", key): value for bucket, key, value in rows}
        bad = []
        for row in result.rows:
            got = row.values[metric]
            want = expected.pop((row.bucket, row.slices[0] if row.slices else None), None)
            if want is None:
                ok = got is None or got == 0
            elif money:
                ok = got is not None and abs(Decimal(got) - Decimal(repr(float(want))) / 100) <= Decimal("0.01")
            elif tolerance:
                ok = _close(got, want, tolerance)
            else:
                ok = got == want
            if not ok:
                bad.append(f"{row.bucket} {row.slices} {metric}: engine {got} DuckDB {want}")
        bad += [f"{key}: only in DuckDB {value}" for key, value in expected.items() if value]
        return bad

    return check


# ---- the cases ------------------------------------------------------------------------------

# Months are grouped as year and month numbers and formatted after the aggregate (cheaper than formatting
# every row); status is an ENUM column, as a columnar engine would store it.
CORE_SQL = """
SELECT printf('%04d-%02d', y, m), owner_id, revenue_kop, won, closed FROM (
  SELECT year(closed_local) AS y, month(closed_local) AS m, owner_id,
         sum(amount_kop) FILTER (WHERE status = 'won') AS revenue_kop,
         count(*) FILTER (WHERE status = 'won') AS won, count(*) AS closed
  FROM deals
  WHERE status IN ('won', 'lost') AND closed_local >= $from AND closed_local < $to {visibility}
  GROUP BY ALL)
"""


def cases(manager_filter: str) -> list[Case]:
    core = ["revenue", "deals_won", "win_rate", "average_check"]
    return [
        Case("revenue, deals_won, win_rate, average_check × owner × month", "admin", core, ["owner"], "month",
             CORE_SQL.format(visibility=""), check_core, goal=True),
        Case("same, as the manager (team subtree filter)", "manager", core, ["owner"], "month",
             CORE_SQL.format(visibility=manager_filter), check_core, goal=True),
        Case("new_deals × month", "admin", ["new_deals"], [], "month",
             "SELECT printf('%04d-%02d', y, m), NULL, n FROM ("
             "SELECT year(created_local) AS y, month(created_local) AS m, "
             "count(*) AS n FROM deals WHERE created_local >= $from AND created_local < $to GROUP BY ALL)",
             check_simple("new_deals")),
        Case("win_rate × channel (24 months)", "admin", ["win_rate"], ["channel"], "total",
             "SELECT NULL, channel_id, (count(*) FILTER (WHERE status = 'won'))::DOUBLE / count(*) FROM deals "
             "WHERE status IN ('won', 'lost') AND closed_local >= $from AND closed_local < $to GROUP BY ALL",
             check_simple("win_rate", 1e-12)),
        Case("sales_cycle (median) × month", "admin", ["sales_cycle"], [], "month",
             "SELECT printf('%04d-%02d', y, m), NULL, days FROM ("
             "SELECT year(closed_local) AS y, month(closed_local) AS m, "
             "median(epoch(closed_utc - created_utc) / 86400.0) AS days FROM deals "
             "WHERE status = 'won' AND closed_local >= $from AND closed_local < $to GROUP BY ALL)",
             check_simple("sales_cycle", 1e-9)),
        Case("weighted_pipeline × owner (open deals closing in the next 12 months)", "admin",
             ["weighted_pipeline"], ["owner"], "total",
             "SELECT NULL, owner_id, sum(amount_kop * probability) / 100 FROM deals "
             "WHERE status = 'open' AND expected_close_date >= $from_day AND expected_close_date <= $to_day "
             "GROUP BY ALL", check_simple("weighted_pipeline", money=True)),
        Case("lead_to_deal × month (contacts)", "admin", ["lead_to_deal"], [], "month",
             "SELECT printf('%04d-%02d', y, m), NULL, share FROM ("
             "SELECT year(created_local) AS y, month(created_local) AS m, "
             "(count(*) FILTER (WHERE has_deal))::DOUBLE / count(*) AS share FROM contacts "
             "WHERE created_local >= $from AND created_local < $to GROUP BY ALL)",
             check_simple("lead_to_deal", 1e-12)),
        Case("stalled_deals × owner (now)", "admin", ["stalled_deals"], ["owner"], "total",
             "SELECT NULL, owner_id, count(*) FROM deals WHERE status = 'open' AND stalled_after_days IS NOT NULL "
             "AND stage_entered_utc < $now - to_days(stalled_after_days::INTEGER) GROUP BY ALL",
             check_simple("stalled_deals")),
    ]


def run_engine(actor: Actor, query: MetricQuery, now: dt.datetime, runs: int, workspace: Workspace
               ) -> tuple[list[str], list[float], MetricResult]:
    """The SQL of one call, then the timings of `runs` calls, and the last result."""
    executed: list[str] = []

    def count(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
        executed.append(sql)
        return execute(sql, *rest)

    with workspace_scope(workspace):
        with connection.execute_wrapper(count):
            metric_query_for(actor=actor, query=query, now=now)
        times, result = timed(lambda: metric_query_for(actor=actor, query=query, now=now), runs)
    return executed, times, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--rollups", choices=["on", "off"], default="on",
                        help="off: every number from the rows, as before the daily rollups (ADR 0005)")
    parser.add_argument("--touch", type=int, default=0,
                        help="win N deals and log N calls now first (rolled back): today's days from the rows")
    args = parser.parse_args()
    settings.METRICS_ROLLUPS = args.rollups == "on"
    with transaction.atomic():
        failures = measure(args)
        transaction.set_rollback(True)  # the --touch writes
    return failures


def measure(args: argparse.Namespace) -> int:

    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is None:
        print("No demo workspace: run `voronka demo --scale N` first (see bench/README.md).")
        return 1
    actors: dict[str, Actor] = {}
    for who, email in (("admin", "admin@voronka.test"), ("manager", "manager@voronka.test")):
        actor = actor_for(user=User.objects.get(email=email), workspace_id=workspace.pk)
        assert actor is not None
        actors[who] = actor
    viewer = actors["manager"].viewer
    teams = ", ".join(str(t) for t in sorted(viewer.team_ids)) or "NULL"
    manager_filter = f"AND (owner_id = {viewer.user_id} OR team_id IN ({teams}))"

    touched = touch(workspace, args.touch)
    now = timezone.now()
    today = now.astimezone(ZoneInfo(workspace.time_zone)).date()
    first = dt.date(today.year, today.month, 1)
    for _ in range(args.months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    ahead = today + dt.timedelta(days=365)

    started = time.perf_counter()
    with workspace_scope(workspace):
        frames = load_frames(workspace)
    load_s = time.perf_counter() - started
    # Copied into DuckDB's own columnar tables (not timed), so its queries read native columns rather than
    # converting pandas objects on every run.
    duck = duckdb.connect()
    for name, frame in frames.items():
        duck.register(f"{name}_frame", frame)
        duck.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")  # noqa: S608 — our own names
        duck.unregister(f"{name}_frame")
    duck.execute("CREATE TYPE deal_status AS ENUM ('open', 'won', 'lost')")
    duck.execute("ALTER TABLE deals ALTER status TYPE deal_status")
    n_deals, n_contacts = len(frames["deals"]), len(frames["contacts"])

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"data: {n_deals:,} deals, {n_contacts:,} contacts; period {first} – {today} ({args.months} months); "
          f"rows for DuckDB read in {load_s:.1f} s (not timed below)")
    print(f"{rollup_status(workspace)}; {touched}")
    print(f"runs: {args.runs} after 2 warm-ups; figures in ms\n")
    print(f"{'case':<72} {'who':<8} {'rows':>5} {'q':>2} {'p50':>8} {'p95':>8} {'duck p50':>9} {'duck p95':>9} "
          f"{'ratio':>6}  check")
    failures = 0
    for case in [c for c in cases(manager_filter) if not args.only or args.only in c.name]:
        end = ahead if case.metrics == ["weighted_pipeline"] else today
        start = today if case.metrics == ["weighted_pipeline"] else first
        query: MetricQuery = metric_query_build(metrics=case.metrics, slices=case.slices,
                                                granularity=case.granularity, date_from=start, date_to=end)
        executed, engine_times, result = run_engine(actors[case.who], query, now, args.runs, workspace)
        params = {"from": dt.datetime.combine(start, dt.time()),
                  "to": dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
                  "from_day": start, "to_day": end, "now": now.astimezone(dt.UTC).replace(tzinfo=None)}
        sql = case.duck_sql
        used = {key: value for key, value in params.items() if re.search(rf"\${key}\b", sql)}
        duck_times, duck_rows = timed(lambda: duck.execute(sql, used).fetchall(), args.runs)  # noqa: B023
        problems = case.check(duck_rows, result)
        failures += bool(problems)
        p50, p95 = percentile(engine_times, 0.5), percentile(engine_times, 0.95)
        d50, d95 = percentile(duck_times, 0.5), percentile(duck_times, 0.95)
        verdict = ("equal" if not problems else f"DIFFERENT ({len(problems)})")
        goal = f"  goal {GOAL_MS:.0f} ms: {'ok' if p95 <= GOAL_MS else 'over'}" if case.goal else ""
        print(f"{case.name[:72]:<72} {case.who:<8} {len(result.rows):>5} {len(executed):>2} {p50:>8.1f} {p95:>8.1f} "
              f"{d50:>9.1f} {d95:>9.1f} {p50 / d50:>6.1f}  {verdict}{goal}")
        for problem in problems[:5]:
            print(f"    {problem}")
    print("\nratio = engine p50 ÷ DuckDB p50; q = SQL queries of one engine call; one process, no network.")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
