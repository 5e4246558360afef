"""Periodic background work: KPI alerts, weekly reports, model retraining, forecast snapshots.

django-tasks runs tasks but does not schedule them. Apps register a task with an interval here
(in `AppConfig.ready()`); `voronka scheduler` (started by `voronka run`) calls `schedule_tick`
every few seconds, which enqueues each job whose interval has passed. The claim is one
conditional UPDATE per job, so two schedulers on two machines never enqueue the same run twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any  # a django_tasks Task taking no arguments
    every: dt.timedelta


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(name: str, task: Any, *, every: dt.timedelta) -> None:
    """Run `task` (no arguments) every `every`; registering the same name again replaces it."""
    if every <= dt.timedelta(0):
        raise ValueError("every must be positive")
    _jobs[name] = PeriodicJob(name=name, task=task, every=every)


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def _claim(job: PeriodicJob, now: dt.datetime) -> bool:
    from .models import ScheduledRun

    due_before = now - job.every
    claimed = ScheduledRun.objects.filter(name=job.name, last_enqueued_at__lte=due_before).update(
        last_enqueued_at=now
    )
    if claimed:
        return True
    if ScheduledRun.objects.filter(name=job.name).exists():
        return False
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(name=job.name, last_enqueued_at=now)
    except IntegrityError:  # another scheduler created it first and owns this run
        return False
    return True


def schedule_tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job that is due; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        if _claim(job, now):
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued
