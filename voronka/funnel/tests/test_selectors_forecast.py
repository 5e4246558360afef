"""The forecast from the database: weighted months, certain deals, slips from history, snapshots and accuracy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Org
from voronka.core.periods import Period, PeriodKind
from voronka.crm.models import Deal
from voronka.crm.tests.factories import make_deal, make_pipeline
from voronka.funnel.models import DealScore, ForecastSnapshot
from voronka.funnel.params import parse_period
from voronka.funnel.selectors.forecast import forecast_report, local_midnights
from voronka.funnel.services.snapshots import forecast_snapshot_take
from voronka.funnel.slices import scope_key

from .conftest import move

pytestmark = pytest.mark.django_db
MOSCOW = ZoneInfo("Europe/Moscow")


def _today() -> dt.date:
    return timezone.now().astimezone(MOSCOW).date()


def _quarter() -> Period:
    return Period.containing(PeriodKind.QUARTER, _today())


def _score(deal: Deal, probability: float) -> None:
    DealScore.objects.create(workspace_id=deal.workspace_id, deal=deal, probability=probability, source="model",
                             scored_at=timezone.now())


def _report(org: Org, user, period_value: str = "this-quarter", **kwargs):
    value, period = parse_period(period_value, time_zone=org.workspace.time_zone)
    return forecast_report(actor=org.actor(user), period_param=value, period=period, **kwargs)


def test_certain_deals_give_an_exact_forecast(org: Org, scoped) -> None:
    # Given deals expected inside this quarter with certain outcomes, one already won this quarter, no slips
    pipeline = make_pipeline(org.workspace)
    inside = _quarter().end - dt.timedelta(days=1)
    sure = make_deal(pipeline, owner=org.rep, amount=1000, expected_close_date=max(inside, _today()))
    never = make_deal(pipeline, owner=org.rep, amount=5000, expected_close_date=max(inside, _today()))
    _score(sure, 1.0)
    _score(never, 0.0)
    make_deal(pipeline, owner=org.rep, stage_name="Won", amount=250)
    # When the forecast runs
    report = _report(org, org.admin)
    # Then the range collapses to what was won plus the certain deal
    s = report.simulation
    assert (s.p10, s.p50, s.p90, s.already_won) == (1250.0, 1250.0, 1250.0, 250.0)
    assert report.open_deals == 2 and report.scored_deals == 2
    assert report.slips.won_deals == 0


def test_weighted_pipeline_by_month_uses_scores_else_probabilities(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    today = _today()
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=10)
    scored = make_deal(pipeline, owner=org.rep, amount=1000, expected_close_date=next_month)
    _score(scored, 0.3)
    make_deal(pipeline, owner=org.rep, amount=400, stage_name="Proposal", expected_close_date=next_month)  # 50%
    make_deal(pipeline, owner=org.rep, amount=800, expected_close_date=today - dt.timedelta(days=40))  # 10%
    make_deal(pipeline, owner=org.rep, amount=90, probability_override=20)  # no date
    months = {m.key: m for m in _report(org, org.admin).months}
    key = f"{next_month:%Y-%m}"
    assert (months[key].deals, months[key].amount, months[key].weighted) == (2, 1400.0, pytest.approx(300 + 200))
    assert (months["overdue"].deals, months["overdue"].weighted) == (1, pytest.approx(80.0))
    assert (months["undated"].deals, months["undated"].weighted) == (1, pytest.approx(18.0))
    assert months[f"{today:%Y-%m}"].deals == 0


def test_slips_come_from_won_deals_and_push_dates_out(org: Org, scoped) -> None:
    # Given won deals that all closed 60 days after their expected date
    pipeline = make_pipeline(org.workspace)
    for n in range(5):
        expected = _today() - dt.timedelta(days=200 + n)
        deal = make_deal(pipeline, owner=org.rep, expected_close_date=expected,
                         created_at=timezone.now() - dt.timedelta(days=300))
        closed = dt.datetime.combine(expected + dt.timedelta(days=60), dt.time(12), tzinfo=MOSCOW)
        from voronka.crm.tests.factories import stage

        move(deal, stage(pipeline, "Won"), closed)
    # and a certain open deal expected tomorrow
    tomorrow = make_deal(pipeline, owner=org.rep, amount=700, expected_close_date=_today() + dt.timedelta(days=1))
    _score(tomorrow, 1.0)
    report = _report(org, org.admin, "this-month")
    assert report.slips.won_deals == 5
    assert report.slips.median_days == pytest.approx(60.5, abs=0.01)  # noon of the 60th day
    assert report.slips.late_share == 1.0
    # Then the deal lands 60 days later: outside this month
    assert report.simulation.p90 == 0.0


def test_a_rep_forecasts_only_their_deals(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    day = max(_quarter().end - dt.timedelta(days=1), _today())
    _score(make_deal(pipeline, owner=org.rep, amount=100, expected_close_date=day), 1.0)
    _score(make_deal(pipeline, owner=org.rep_south, amount=900, expected_close_date=day), 1.0)
    assert _report(org, org.rep).simulation.p50 == 100.0
    assert _report(org, org.manager).simulation.p50 == 1000.0


def test_snapshots_per_visibility_and_last_quarters_accuracy(org: Org, scoped) -> None:
    # Given a deal of each rep, snapshots taken during last quarter, and revenue won in it
    pipeline = make_pipeline(org.workspace)
    last = _quarter().previous()
    start = dt.datetime.combine(last.start, dt.time(12), tzinfo=MOSCOW)
    for owner in (org.rep, org.rep_south):
        make_deal(pipeline, owner=owner, amount=100, expected_close_date=last.start + dt.timedelta(days=30),
                  created_at=start - dt.timedelta(days=10))
    rows = forecast_snapshot_take(workspace_id=org.workspace.pk, now=start + dt.timedelta(days=1))
    # one row per distinct visibility: admin and marketer share "all"; manager, two reps
    assert sorted(r.scope for r in rows) == sorted({scope_key(org.actor(u)) for u in (
        org.admin, org.manager, org.rep, org.rep_south, org.marketer)})
    assert {r.period_start for r in rows} == {last.start}
    won = make_deal(pipeline, owner=org.rep, amount=150, created_at=start)
    move(won, won.stage.pipeline.stages.get(kind="won"), start + dt.timedelta(days=20))
    # When the rep opens this quarter's forecast
    report = _report(org, org.rep)
    # Then last quarter's accuracy compares the rep's own first snapshot with the rep's own won revenue
    accuracy = report.accuracy
    assert accuracy is not None and accuracy.period == last
    mine = ForecastSnapshot.objects.get(scope=scope_key(org.actor(org.rep)))
    assert accuracy.actual == 150.0
    assert accuracy.first is not None and accuracy.first.forecast_p50 == float(mine.p50)
    assert len(accuracy.snapshots) == 1
    assert accuracy.first.error == pytest.approx((float(mine.p50) - 150) / 150)


def test_forecast_queries_do_not_grow(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, owner=org.rep, expected_close_date=_today())
    actor = org.actor(org.manager)
    value, period = parse_period("this-quarter", time_zone=org.workspace.time_zone)
    with CaptureQueriesContext(connection) as small:
        forecast_report(actor=actor, period_param=value, period=period)
    for n in range(30):
        make_deal(pipeline, owner=org.rep, amount=n + 1, expected_close_date=_today() + dt.timedelta(days=n))
    with CaptureQueriesContext(connection) as large:
        forecast_report(actor=actor, period_param=value, period=period)
    assert len(small) == len(large) <= 6


def test_local_midnights_follow_the_workspace_zone() -> None:
    day = (dt.date(2026, 7, 1) - dt.date(1970, 1, 1)).days
    stamps = local_midnights([day, -10**9], "Europe/Moscow")
    assert stamps[0] == dt.datetime(2026, 7, 1, tzinfo=MOSCOW).timestamp()
    assert stamps[1] != stamps[1]  # NaN for "no date"
    assert Decimal(str(stamps[0])) > 0
