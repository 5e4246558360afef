"""Periodic jobs are enqueued once per interval, and never twice for the same run."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import task

from voronka.core import schedule
from voronka.core.models import ScheduledRun

RUNS: list[str] = []


@task()
def tick_job() -> None:
    RUNS.append("ran")


@pytest.fixture(autouse=True)
def only_our_job(monkeypatch):
    monkeypatch.setattr(schedule, "_jobs", {})
    schedule.register_periodic("test.tick", tick_job, every=dt.timedelta(hours=1))
    RUNS.clear()
    yield
    RUNS.clear()


NOON = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def test_first_tick_enqueues_and_records_the_run(db):
    assert schedule.schedule_tick(NOON) == ["test.tick"]
    assert RUNS == ["ran"]  # the test settings run tasks immediately
    assert ScheduledRun.objects.get(name="test.tick").last_enqueued_at == NOON


def test_a_job_is_not_enqueued_again_before_its_interval(db):
    schedule.schedule_tick(NOON)
    assert schedule.schedule_tick(NOON + dt.timedelta(minutes=59)) == []
    assert schedule.schedule_tick(NOON + dt.timedelta(hours=1)) == ["test.tick"]
    assert RUNS == ["ran", "ran"]


def test_a_second_scheduler_at_the_same_moment_gets_nothing(db):
    schedule.schedule_tick(NOON)
    later = NOON + dt.timedelta(hours=2)
    assert schedule.schedule_tick(later) == ["test.tick"]
    assert schedule.schedule_tick(later) == []


def test_interval_must_be_positive():
    with pytest.raises(ValueError):
        schedule.register_periodic("bad", tick_job, every=dt.timedelta(0))
