"""Stalled deals: past the stage's own limit or past the stage's p90 (when enough stays back it)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from conftest import Org
from voronka.crm.models import Stage
from voronka.crm.tests.factories import make_pipeline
from voronka.funnel.params import parse_period
from voronka.funnel.selectors.funnel import funnel_analyze
from voronka.funnel.selectors.stalled import MIN_STAYS, stalled_deals

from .conftest import walk

pytestmark = pytest.mark.django_db


def _report(org: Org, pipeline, user=None):
    actor = org.actor(user or org.admin)
    value, period = parse_period("this-year", time_zone=org.workspace.time_zone)
    funnel = funnel_analyze(actor=actor, pipeline=pipeline, period_param=value, period=period)
    return stalled_deals(actor=actor, pipeline=pipeline, funnel=funnel)


def test_the_p90_of_completed_stays_sets_the_limit_when_the_stage_has_none(org: Org, scoped) -> None:
    # Given Qualified with no limit of its own and 25 completed stays of 1..25 days in it this year
    pipeline = make_pipeline(org.workspace)
    Stage.unscoped.filter(pipeline=pipeline, name="Qualified").update(stalled_after_days=None)
    start = timezone.now() - dt.timedelta(days=80)
    stays = list(range(1, 26))
    for days in stays:
        walk(pipeline, org.rep, ["Lead", "Qualified", "Lost"], start, step_days=days)
    p90 = float(np.percentile(stays, 90))
    # and two open deals in Qualified: one a day short of the p90, one two days past it
    now = timezone.now()
    short = walk(pipeline, org.rep, ["Lead", "Qualified"], now - dt.timedelta(days=p90), step_days=1)
    late = walk(pipeline, org.rep, ["Lead", "Qualified"], now - dt.timedelta(days=p90 + 3), step_days=1)
    # When the stalled deals are listed
    report = _report(org, pipeline)
    # Then the limit is the p90 and only the late one is stalled
    limit = report.limit_for(short.stage_id)
    assert limit is not None and limit.allowed_days is None and limit.stays == len(stays) >= MIN_STAYS
    assert limit.p90_days == pytest.approx(p90) and limit.limit_days == pytest.approx(p90)
    assert [d.pk for d in report.page.object_list] == [late.pk]
    assert report.total == 1 and report.owners[0].owner_id == org.rep.pk


def test_without_enough_stays_only_the_stage_limit_counts(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)  # Lead: 14 days
    old = walk(pipeline, org.rep, ["Lead"], timezone.now() - dt.timedelta(days=15))
    walk(pipeline, org.rep, ["Lead"], timezone.now() - dt.timedelta(days=13))
    report = _report(org, pipeline)
    lead = report.limits[0]
    assert (lead.allowed_days, lead.p90_days, lead.limit_days) == (14, None, 14)
    assert [d.pk for d in report.page.object_list] == [old.pk]


def test_a_rep_sees_only_their_stalled_deals(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    walk(pipeline, org.rep, ["Lead"], timezone.now() - dt.timedelta(days=30))
    walk(pipeline, org.rep_south, ["Lead"], timezone.now() - dt.timedelta(days=30))
    assert _report(org, pipeline, org.rep).total == 1
    assert _report(org, pipeline, org.manager).total == 2
