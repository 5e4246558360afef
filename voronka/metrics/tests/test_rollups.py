"""The rollups give the same numbers as the rows: every metric × slice, for a rep and an admin, on a slice of
the demo company, right after a build, while writes have left days marked, after the refresh, and after
changes that invalidate a whole rollup. Plus the refresh's bookkeeping and, on PostgreSQL, a change still
in flight while the refresh runs.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from voronka.accounts.actor import Actor, actor_for
from voronka.accounts.models import User, Workspace
from voronka.channels.models import SalesChannel
from voronka.core.schedule import periodic_jobs
from voronka.crm.models import Activity, Company, Deal, Stage, StageTransition
from voronka.demo.generator import demo_load
from voronka.metrics.catalogue import metric_get, metrics_all
from voronka.metrics.models import RollupCoverage, RollupMarker, RollupRow
from voronka.metrics.rollups.build import rollups_refresh
from voronka.metrics.selectors import metric_query_for
from voronka.metrics.spec import metric_query_build
from voronka.metrics.tasks import refresh_rollups

CASES = [(m.key, s) for m in metrics_all() for s in [None, *sorted(m.slices - {"stage"})]
         if not (m.required_slices and s is None)]


def _slices(metric: str, slice_key: str | None) -> list[str]:
    if metric == "stage_conversion":
        return [slice_key, "stage"] if slice_key else ["stage"]
    return [slice_key] if slice_key else []


def _answer(actor: Actor, metric: str, slices: list[str], today: dt.date, **filters: Any) -> dict[Any, Any]:
    snapshot = metric_get(metric).is_snapshot  # type: ignore[union-attr]
    query = metric_query_build(metrics=[metric], slices=slices, granularity="total" if snapshot else "month",
                               date_from=today - dt.timedelta(days=560), date_to=today + dt.timedelta(days=120),
                               filters=filters or None)
    return {(row.bucket, row.slices): row.values[metric] for row in metric_query_for(actor=actor, query=query).rows}


def _same(first: dict[Any, Any], second: dict[Any, Any]) -> bool:
    """Counts and money exactly; ratios to 1e-9 (SQLite sums decimals in floating point, in another order)."""
    if first.keys() != second.keys():
        return False
    for key, value in first.items():
        other = second[key]
        if isinstance(value, float) and isinstance(other, float):
            if value != pytest.approx(other, rel=1e-9, abs=1e-12):
                return False
        elif value != other or type(value) is not type(other):
            return False
    return True


def assert_rollups_agree(actors: list[Actor], today: dt.date) -> None:
    mismatches = []
    for actor in actors:
        # the manager (a team subtree: visibility by owner or team) on the cases that slice by those two
        cases = CASES if actor.user.email != "manager@voronka.test" else [
            (m, s) for m, s in CASES if s in (None, "owner", "team")]
        for metric, slice_key in cases:
            slices = _slices(metric, slice_key)
            with override_settings(METRICS_ROLLUPS=True):
                from_rollups = _answer(actor, metric, slices, today)
            with override_settings(METRICS_ROLLUPS=False):
                from_rows = _answer(actor, metric, slices, today)
            if not _same(from_rollups, from_rows):
                differ = [(k, from_rollups.get(k), from_rows.get(k)) for k in sorted(set(from_rollups) | set(from_rows),
                          key=str) if from_rollups.get(k) != from_rows.get(k)]
                mismatches.append((actor.user.email, metric, slice_key, differ[:2]))
    assert not mismatches, mismatches[:10]


@pytest.fixture(scope="module")
def company(django_db_setup: None, django_db_blocker: Any) -> Iterator[Workspace]:
    """A tenth of the demo company, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        workspace = demo_load(fraction=0.1).workspace
        connection.check_constraints()
        yield workspace
        transaction.set_rollback(True)


@pytest.fixture
def demo(company: Workspace, db: None) -> Workspace:
    workspace = Workspace.objects.get(pk=company.pk)  # a fresh copy: a test may change it (and roll back)
    rollups_refresh(workspace_id=workspace.pk, time_zone=workspace.time_zone, rebuild=True)
    return workspace


def _actors(workspace: Workspace) -> list[Actor]:
    actors = [actor_for(user=User.objects.get(email=email), workspace_id=workspace.pk)
              for email in ("admin@voronka.test", "rep@voronka.test", "manager@voronka.test")]
    assert all(actors)
    return actors  # type: ignore[return-value]


def _today(workspace: Workspace) -> dt.date:
    return timezone.now().astimezone(dt.timezone(dt.timedelta(hours=3))).date()


def test_after_a_build_every_number_comes_from_the_rollups_and_equals_the_rows(demo):
    assert RollupRow.unscoped.filter(workspace_id=demo.pk).count() > 0
    admin = _actors(demo)[0]
    query = metric_query_build(metrics=["revenue", "win_rate", "activities_done", "pipeline_value"],
                               slices=["owner"], granularity="month", date_from=_today(demo) - dt.timedelta(days=400),
                               date_to=_today(demo))
    with CaptureQueriesContext(connection) as captured:
        metric_query_for(actor=admin, query=query)
    assert not [q for q in captured.captured_queries if "crm_deal" in q["sql"] or "crm_activity" in q["sql"]]
    assert_rollups_agree(_actors(demo), _today(demo))


def _write_a_busy_day(workspace: Workspace) -> None:
    """What a sales team does: wins and loses deals today, edits old ones, deletes one, logs calls, moves stages."""
    now = timezone.now()
    deals = Deal.unscoped.filter(workspace_id=workspace.pk)
    open_ids = list(deals.filter(status="open").order_by("pk").values_list("pk", flat=True)[:40])
    deals.filter(pk__in=open_ids[:10]).update(status="won", closed_at=now)
    deals.filter(pk__in=open_ids[10:15]).update(status="lost", closed_at=now - dt.timedelta(days=40))
    deals.filter(pk__in=open_ids[15:20]).update(expected_close_date=now.date() + dt.timedelta(days=200))
    won = list(deals.filter(status="won").order_by("-pk").values_list("pk", flat=True)[:10])
    deals.filter(pk__in=won[:5]).update(amount=Decimal("12345.67"), cost=Decimal("100"))
    deals.filter(pk__in=won[5:8]).update(owner=None, team=None)
    deals.get(pk=won[9]).delete()
    deal = deals.get(pk=open_ids[20])
    later = Stage.unscoped.filter(pipeline_id=deal.pipeline_id, kind="won").first()
    StageTransition.unscoped.create(workspace_id=workspace.pk, deal=deal, from_stage=deal.stage, to_stage=later,
                                    at=now)
    owner = User.objects.get(email="rep@voronka.test")
    for hours in range(5):
        Activity.unscoped.create(workspace_id=workspace.pk, owner=owner, kind="call", subject="Call",
                                 done_at=now - dt.timedelta(hours=hours * 30))
    company = Company.unscoped.filter(workspace_id=workspace.pk, deals__isnull=False).order_by("pk").first()
    Company.unscoped.filter(pk=company.pk).update(industry="Renamed industry")


def test_days_written_since_the_build_come_from_the_rows_until_the_refresh(demo):
    _write_a_busy_day(demo)
    markers = RollupMarker.unscoped.filter(workspace_id=demo.pk)
    assert set(markers.values_list("rollup", flat=True)) == {
        "deals_closed", "deals_created", "deals_open", "deals_reached", "activities_done"}
    assert_rollups_agree(_actors(demo), _today(demo))

    results = rollups_refresh(workspace_id=demo.pk, time_zone=demo.time_zone)
    assert not any(r.rebuilt for r in results) and all(r.days > 0 for r in results)
    assert not markers.exists()
    assert_rollups_agree(_actors(demo), _today(demo))


def test_a_fee_a_probability_or_a_time_zone_change_rebuilds_and_numbers_stay_right(demo):
    channel = SalesChannel.unscoped.filter(workspace_id=demo.pk).order_by("pk").first()
    SalesChannel.unscoped.filter(pk=channel.pk).update(fee_percent=Decimal("17.5"))
    stage = Stage.unscoped.filter(workspace_id=demo.pk, kind="open").order_by("pk").first()
    Stage.unscoped.filter(pk=stage.pk).update(probability=stage.probability + 7)
    coverage = RollupCoverage.unscoped.filter(workspace_id=demo.pk)
    assert set(coverage.values_list("rollup", flat=True)) == {"deals_created", "activities_done"}
    assert_rollups_agree(_actors(demo)[:1], _today(demo))  # the admin: visibility is checked above

    # a rollup built in Moscow answers nothing once the workspace counts days in Vladivostok
    Workspace.objects.filter(pk=demo.pk).update(time_zone="Asia/Vladivostok")
    demo.refresh_from_db()
    assert_rollups_agree(_actors(demo)[:1], _today(demo))  # the admin: visibility is checked above
    results = rollups_refresh(workspace_id=demo.pk, time_zone=demo.time_zone)
    assert all(r.rebuilt for r in results)
    assert set(coverage.values_list("time_zone", flat=True)) == {"Asia/Vladivostok"}
    assert_rollups_agree(_actors(demo)[:1], _today(demo))  # the admin: visibility is checked above


def test_the_refresh_is_a_periodic_job_and_a_task(demo):
    assert "metrics.refresh_rollups" in {job.name for job in periodic_jobs()}
    first_open = Deal.unscoped.filter(workspace_id=demo.pk, status="open").order_by("pk").first()
    Deal.unscoped.filter(pk=first_open.pk).update(amount=Decimal(1))
    summary = refresh_rollups.call()
    assert summary["days"] > 0, summary
    assert not RollupMarker.unscoped.filter(workspace_id=demo.pk).exists()


def test_the_command_refreshes_a_workspace_and_names_a_wrong_slug(demo):
    out = io.StringIO()
    call_command("rollups", workspace=demo.slug, stdout=out)
    assert out.getvalue().splitlines() == [
        f"{demo.slug}: {key} refreshed, 0 day(s)"
        for key in ("deals_closed", "deals_created", "deals_open", "activities_done", "deals_reached")]
    with pytest.raises(CommandError, match="no-such-workspace"):
        call_command("rollups", workspace="no-such-workspace")
