"""Funnel analysis, bottleneck scan and win-model training on the demo company (issue 5), against DuckDB.

    VORONKA_VAR_DIR=/tmp/demo100 DJANGO_SETTINGS_MODULE=config.settings.dev .venv/bin/python bench/funnel.py

Run it against a database loaded with `voronka demo --scale N` and migrated (`voronka migrate`: funnel's
tables). For the admin (every deal) and the manager (the team subtree) it times, `--runs` times after a
warm-up, the funnel of the B2B pipeline for deals created last quarter (the page's default) and the
bottleneck scan of every slice (team, rep, channel, lead source, product, industry) over the same
cohort. Then it trains the win-probability model once on the latest 100,000 closed deals (reading,
features, the time-based evaluation, the refit, the pickle) and scores every open deal with it (probability
and factors), without writing; `--write` also times storing the model and the scores inside a transaction
that is rolled back, so the database is left as it was either way.

The reference, in the same run: the same funnel (cohort filter with the same visibility, the furthest
stage of each deal, deals reaching and lost at each stage, days-in-stage quantiles, lost reasons per
stage) as one SQL statement in DuckDB over in-memory copies of the deals and transitions tables
(loaded through pandas beforehand, not timed). Every figure is printed with its ratio to that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from voronka.accounts.actor import Actor, actor_for  # noqa: E402
from voronka.accounts.models import User, Workspace  # noqa: E402
from voronka.core.scoping import workspace_scope  # noqa: E402
from voronka.crm.models import Deal, Pipeline, Stage, StageTransition  # noqa: E402
from voronka.demo.generator import DEMO_SLUG  # noqa: E402
from voronka.funnel.models import WinModel  # noqa: E402
from voronka.funnel.params import parse_period  # noqa: E402
from voronka.funnel.selectors.bottlenecks import bottleneck_scan  # noqa: E402
from voronka.funnel.selectors.funnel import funnel_analyze, period_bounds  # noqa: E402
from voronka.funnel.services.scoring import deal_scores_refresh, model_scores  # noqa: E402
from voronka.funnel.services.training import MAX_TRAINING_DEALS, dump_bundle, win_model_fit  # noqa: E402

GOALS_S = {"funnel": 2.0, "bottlenecks": 5.0, "training": 60.0}


def timed(call: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    call()  # warm-up: the database's page cache, numpy, scipy imports
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return times, result


def frame(sql: str, params: list[Any]) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=names)


def load_duckdb(workspace: Workspace) -> duckdb.DuckDBPyConnection:
    """Copies of the deals, transitions and stages of the workspace, as DuckDB tables (not timed)."""
    # Table names come from the models, the workspace id is a parameter.
    columns = ("id, pipeline_id, stage_id, owner_id, team_id, status, CAST(amount AS REAL) AS amount, lost_reason_id, "
               "created_at, closed_at")
    deals = frame(f"SELECT {columns} FROM {Deal._meta.db_table} WHERE workspace_id = %s", [workspace.pk])  # noqa: S608
    moves = frame(f"SELECT deal_id, to_stage_id, at AS moved_at FROM {StageTransition._meta.db_table} "  # noqa: S608
                  "WHERE workspace_id = %s", [workspace.pk])
    for column in ("created_at", "closed_at"):
        deals[column] = pd.to_datetime(deals[column], utc=True)
    moves["moved_at"] = pd.to_datetime(moves["moved_at"], utc=True)
    stages = frame(f'SELECT id, pipeline_id, "order", kind FROM {Stage._meta.db_table} '  # noqa: S608
                   "WHERE workspace_id = %s", [workspace.pk])
    db = duckdb.connect()
    db.register("deals_frame", deals)
    db.register("moves_frame", moves)
    db.register("stages_frame", stages)
    db.execute("CREATE TABLE deals AS SELECT * FROM deals_frame")
    db.execute("CREATE TABLE moves AS SELECT * FROM moves_frame")
    db.execute("CREATE TABLE stages AS SELECT * FROM stages_frame")
    return db


FUNNEL_SQL = """
WITH steps AS (
    SELECT id AS stage_id, row_number() OVER (ORDER BY "order", id) - 1 AS pos FROM stages
    WHERE pipeline_id = $pipeline AND kind = 'open'
), n AS (SELECT count(*) AS n_open FROM steps),
cohort AS (
    SELECT d.* FROM deals d WHERE d.pipeline_id = $pipeline AND d.created_at >= $start AND d.created_at < $end
    AND ($all OR d.owner_id = $user OR list_contains($teams, d.team_id))
), m AS (
    SELECT t.deal_id, t.moved_at, s.pos,
           lead(t.moved_at) OVER (PARTITION BY t.deal_id ORDER BY t.moved_at) AS next_at
    FROM moves t JOIN cohort c ON c.id = t.deal_id LEFT JOIN steps s ON s.stage_id = t.to_stage_id
), furthest AS (
    SELECT c.id, c.status, c.amount, c.lost_reason_id,
        CASE WHEN c.status = 'won' THEN (SELECT n_open FROM n)
             ELSE least(greatest(coalesce(max(m.pos), 0), coalesce(max(cs.pos), 0)), (SELECT n_open FROM n) - 1)
        END AS f
    FROM cohort c LEFT JOIN m ON m.deal_id = c.id LEFT JOIN steps cs ON cs.stage_id = c.stage_id
    GROUP BY c.id, c.status, c.amount, c.lost_reason_id
), per_step AS (
    SELECT f, count(*) AS here, sum(amount) AS amount, count(*) FILTER (WHERE status = 'lost') AS lost
    FROM furthest GROUP BY f
), times AS (
    SELECT pos, quantile_cont(epoch(next_at - moved_at) / 86400, [0.5, 0.75, 0.9]) AS q, count(*) AS stays
    FROM m WHERE next_at IS NOT NULL AND pos IS NOT NULL GROUP BY pos
), reasons AS (
    SELECT f, lost_reason_id, count(*) AS deals FROM furthest WHERE status = 'lost' GROUP BY f, lost_reason_id
)
SELECT 'step' AS part, s.f AS pos, (SELECT sum(here) FROM per_step p WHERE p.f >= s.f) AS reached, s.lost,
       NULL AS q, NULL AS extra FROM per_step s
UNION ALL SELECT 'time', pos, stays, NULL, q, NULL FROM times
UNION ALL SELECT 'reason', f, deals, NULL, NULL, lost_reason_id FROM reasons
"""


def duckdb_funnel(db: duckdb.DuckDBPyConnection, actor: Actor, pipeline: Pipeline, period: Any) -> list[Any]:
    start, end = period_bounds(period, actor.workspace.time_zone)
    viewer = actor.viewer
    return db.execute(FUNNEL_SQL, {
        "pipeline": pipeline.pk, "start": start, "end": end, "all": viewer.scope == "all",
        "user": viewer.user_id, "teams": sorted(viewer.team_ids) or [-1],
    }).fetchall()


def row(name: str, who: str, times: list[float], reference: float, extra: str = "") -> str:
    median = statistics.median(times)
    goal = GOALS_S.get(name)
    verdict = "" if goal is None else ("ok" if max(times) < goal else f"over {goal:.0f} s")
    return (f"{name:<12} {who:<8} {median:>8.3f} {max(times):>8.3f} {reference * 1000:>10.1f} "
            f"{median / reference:>8.1f}×  {verdict} {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--period", default="last-quarter")
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--write", action="store_true",
                        help="also time storing the model and every score (in a transaction that is rolled back)")
    args = parser.parse_args()
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    database = settings.DATABASES["default"]
    print(f"database: {connection.vendor} {database['NAME']}; load average {os.getloadavg()[0]:.1f}")
    with workspace_scope(workspace):
        deals = Deal.objects.filter(workspace=workspace).count()
        moves = StageTransition.objects.filter(workspace=workspace).count()
        print(f"{deals:,} deals, {moves:,} transitions")
        pipeline = Pipeline.objects.get(workspace=workspace, is_default=True)
        value, period = parse_period(args.period, time_zone=workspace.time_zone)
        started = time.perf_counter()
        db = load_duckdb(workspace)
        print(f"DuckDB copies loaded in {time.perf_counter() - started:.1f} s (not part of any figure)")
        print(f"pipeline {pipeline.name!r}, deals created {period.label}; {args.runs} runs after a warm-up")
        print(f"{'figure':<12} {'who':<8} {'median s':>8} {'max s':>8} {'DuckDB ms':>10} {'ratio':>9}")
        for email, who in (("admin@voronka.test", "admin"), ("manager@voronka.test", "manager")):
            actor = actor_for(user=User.objects.get(email=email), workspace_id=workspace.pk)
            assert actor is not None
            reference_times, reference = timed(lambda a=actor: duckdb_funnel(db, a, pipeline, period), args.runs)
            ref = statistics.median(reference_times)
            funnel_times, report = timed(lambda a=actor: funnel_analyze(
                actor=a, pipeline=pipeline, period_param=value, period=period), args.runs)
            reached = sorted((r[1], r[2]) for r in reference if r[0] == "step")
            same = [n for _pos, n in reached] == [s.reached for s in report.result.steps][: len(reached)]
            print(row("funnel", who, funnel_times, ref,
                      f"{report.result.deals:,} deals; same reached counts as DuckDB: {same}"))
            scan_times, scan = timed(lambda a=actor: bottleneck_scan(
                actor=a, pipeline=pipeline, period_param=value, period=period), args.runs)
            print(row("bottlenecks", who, scan_times, ref,
                      f"{scan.tested} comparisons, {len(scan.findings)} findings"))
        if not args.skip_training:
            started = time.perf_counter()
            trained = win_model_fit(workspace_id=workspace.pk, max_deals=MAX_TRAINING_DEALS)
            assert trained.fit is not None and trained.bundle is not None
            stored = dump_bundle(trained.bundle)
            train = time.perf_counter() - started
            fit = trained.fit
            print(row("training", "—", [train], ref,
                      f"{fit.n_train + fit.n_test:,} closed deals ({fit.n_train:,} train, {fit.n_test:,} test); "
                      f"Brier {fit.brier:.4f} vs stage probabilities {fit.brier_baseline:.4f}; "
                      f"{len(stored) / 1e6:.1f} MB pickled"))
            started = time.perf_counter()
            open_deals = Deal.objects.filter(workspace=workspace, status="open")
            scores, _importance = model_scores(workspace.pk, open_deals, trained.bundle, timezone.now())
            print(row("scoring", "—", [time.perf_counter() - started], ref,
                      f"{len(scores):,} open deals: probability and top factors (computed, not written)"))
            if args.write:
                try:
                    with transaction.atomic():
                        started = time.perf_counter()
                        model = WinModel.objects.create(workspace=workspace, status="trained",
                                                        trained_at=timezone.now(), estimator=stored)
                        written = deal_scores_refresh(workspace_id=workspace.pk, model=model, bundle=trained.bundle)
                        print(row("train+store", "—", [time.perf_counter() - started + train], ref,
                                  f"rescoring and writing {written:,} scores, rolled back"))
                        transaction.set_rollback(True)
                except OperationalError as error:
                    print(f"store: skipped, the database is busy ({error})")

if __name__ == "__main__":
    main()
