"""Page and API timings on the demo company (issue 3, item 7), with a DuckDB reference for the same query.

    VORONKA_VAR_DIR=/tmp/demo100 DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/page_timings.py

Run it against a database loaded with `voronka demo --scale N` (see bench/README.md). For the manager (team
subtree) and the admin (everything) it measures, through django.test.Client in this process (no network, no
static files): the deal list page filtered and sorted, the board's first render and the API list, each
`--runs` times after two warm-up requests, with the SQL query count of one request. Then it runs the same
filtered and sorted deal query in DuckDB over a pandas copy of the deals table and prints the ratio.
Routes that do not exist yet are skipped with a message.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from voronka.accounts.actor import actor_for  # noqa: E402
from voronka.accounts.models import User, Workspace  # noqa: E402
from voronka.core.scoping import workspace_scope  # noqa: E402
from voronka.core.visibility import visible_q  # noqa: E402
from voronka.crm.models import Deal, Pipeline  # noqa: E402
from voronka.demo.generator import DEMO_SLUG  # noqa: E402

GOALS_MS = {"deal list": 150.0, "board": 300.0, "API list": 100.0}  # p95; "API exact" is a reference


@dataclass
class Timing:
    name: str
    who: str
    p50: float
    p95: float
    queries: int
    status: int

    def row(self) -> str:
        goal = GOALS_MS.get(self.name)
        verdict = "" if goal is None else ("ok" if self.p95 <= goal else f"over {goal:.0f}")
        return (f"{self.name:<12} {self.who:<8} {self.p50:>9.1f} {self.p95:>9.1f} {self.queries:>8} "
                f"{self.status:>6}  {verdict}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(name: str, who: str, call: Callable[[], int], runs: int) -> Timing:
    for _ in range(2):
        call()
    # Counted with an execute wrapper: the test client's request_started signal empties connection.queries.
    executed: list[str] = []

    def count(execute: Callable[..., object], sql: str, *args: object) -> object:
        executed.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        status = call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return Timing(name, who, statistics.median(times), percentile(times, 0.95), len(executed), status)


def record(rows: list[Timing], timing: Timing) -> None:
    rows.append(timing)
    print(timing.row(), flush=True)


def getter(client: Client, path: str) -> Callable[[], int]:
    return lambda: client.get(path).status_code


def url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is None:
        sys.exit("No demo workspace: run `voronka demo --scale N` first.")
    with workspace_scope(workspace):
        deals = Deal.objects.count()
        b2b = Pipeline.objects.order_by("order", "id").first()
    vendor = connection.vendor
    print(f"database: {vendor} {connection.settings_dict['NAME']}; demo deals: {deals:,}; runs: {args.runs}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    # The list view a manager opens most: open deals of the main pipeline, biggest first.
    list_query = f"?status=open&pipeline={b2b.pk if b2b else ''}&sort=-amount"
    api_query = "?limit=50&ordering=-amount"
    rows: list[Timing] = []
    print(f"\n{'what':<12} {'who':<8} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8} {'status':>6}  goal (p95)")
    for email, who in (("manager@voronka.test", "manager"), ("admin@voronka.test", "admin")):
        client = Client()
        client.force_login(User.objects.get(email=email))
        deal_list, board = url("crm:deal-list"), url("crm:board")
        if deal_list is None:
            print("skip: crm:deal-list is not routed yet")
        else:
            record(rows, measure("deal list", who, getter(client, deal_list + list_query),
                                args.runs))
        if board is None:
            print("skip: crm:board is not routed yet")
        else:
            record(rows, measure("board", who, getter(client, board), args.runs))
        api = "/api/v1/deals" + api_query
        if client.get(api).status_code == 404:
            print("skip: GET /api/v1/deals answers 404 (not routed yet)")
        else:
            record(rows, measure("API list", who, getter(client, api), args.runs))
            # The same page with the exact count every list answered before ADR 0004 (a reference, no goal).
            record(rows, measure("API exact", who, getter(client, api + "&exact_count=true"), args.runs))
    reference(workspace, b2b.pk if b2b else None, rows, args.runs)


def reference(workspace: Workspace, pipeline_id: int | None, rows: list[Timing], runs: int) -> None:
    """The same filter + sort + first page, in the database through the ORM and in DuckDB over pandas."""
    import duckdb
    import pandas as pd

    with workspace_scope(workspace):
        actor = actor_for(user=User.objects.get(email="manager@voronka.test"), workspace_id=workspace.pk)
        assert actor is not None
        viewer = actor.viewer
        team_ids = sorted(viewer.team_ids)

        def orm() -> int:
            query = Deal.objects.filter(visible_q(viewer), status="open", pipeline_id=pipeline_id).select_related(
                "owner", "company", "stage", "pipeline").order_by("-amount", "-id")
            return len(list(query[:50]))

        orm_timing = measure("ORM query", "manager", orm, runs)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, title, amount, status, pipeline_id, stage_id, owner_id, team_id, company_id, created_at "
                "FROM crm_deal WHERE workspace_id = %s", [workspace.pk])
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=[c[0] for c in cursor.description])
        frame["amount"] = frame["amount"].astype(float)
        # DuckDB reads time-zone-aware pandas columns only with pytz installed: hand it naive UTC.
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True).dt.tz_localize(None)
        load_s = time.perf_counter() - start
    db = duckdb.connect()
    db.register("deals", frame)
    teams = ", ".join(str(t) for t in team_ids) or "NULL"
    sql = (f"SELECT * FROM deals WHERE status = 'open' AND pipeline_id = {pipeline_id or 0} "  # noqa: S608
           f"AND (team_id IN ({teams}) OR owner_id = {viewer.user_id}) ORDER BY amount DESC, id DESC LIMIT 50")
    duck = measure("DuckDB", "-", lambda: len(db.execute(sql).fetchall()), runs)
    print(orm_timing.row())
    print(duck.row())
    print(f"\nDuckDB reference: {len(frame):,} deals copied through pandas in {load_s:.1f}s")
    page = next((t for t in rows if t.name == "deal list" and t.who == "manager"), None)
    print(f"ratio ORM query / DuckDB (p95): {orm_timing.p95 / duck.p95:.1f}×")
    if page is not None:
        print(f"ratio deal list page / DuckDB (p95): {page.p95 / duck.p95:.1f}×")


if __name__ == "__main__":
    main()
