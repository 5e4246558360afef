"""Odd data through the database: skipped stages, moves back, a one-stage pipeline, an empty period, tiny slices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import Org
from voronka.crm.models import Pipeline, Stage
from voronka.crm.tests.factories import make_deal, make_pipeline, stage
from voronka.funnel.params import parse_period, parse_slice
from voronka.funnel.selectors.bottlenecks import bottleneck_scan
from voronka.funnel.selectors.funnel import funnel_analyze

from .conftest import move, walk

pytestmark = pytest.mark.django_db


def _this_month(org: Org):
    return parse_period("this-month", time_zone=org.workspace.time_zone)


def _start(org: Org) -> dt.datetime:
    _value, period = _this_month(org)
    return period.bounds_utc(org.workspace.time_zone)[0] + dt.timedelta(hours=1)


def test_skipped_stages_and_moves_back_are_counted_and_explained(org: Org, scoped) -> None:
    # Given a deal that jumps from Lead to Negotiation and is won, and one that goes forward then back
    pipeline = make_pipeline(org.workspace)
    start = _start(org)
    walk(pipeline, org.rep, ["Lead", "Negotiation", "Won"], start)
    back = walk(pipeline, org.rep, ["Lead", "Qualified", "Proposal"], start)
    move(back, stage(pipeline, "Qualified"), start + dt.timedelta(days=5))
    value, period = _this_month(org)
    # When the funnel is read
    result = funnel_analyze(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period).result
    # Then both deals reached Qualified and Proposal, one of them by skipping
    assert [s.reached for s in result.steps] == [2, 2, 2, 1, 1]
    assert [s.skipped for s in result.steps] == [0, 1, 1, 0, 0]
    assert result.skipped_deals == 1 and result.moved_back == 1
    assert {"skipped_stages", "moved_back", "small_sample"} <= set(result.notices)
    assert result.steps[2].open_here == 1  # the one that went back still counts at its furthest stage


def test_a_period_without_deals_is_an_empty_funnel(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, owner=org.rep, created_at=timezone.now() - dt.timedelta(days=800))
    value, period = _this_month(org)
    report = funnel_analyze(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period)
    assert report.result.deals == 0 and "no_deals" in report.result.notices
    assert all(s.reached == 0 and s.conversion is None for s in report.result.steps)


def test_a_one_stage_pipeline(org: Org, scoped) -> None:
    pipeline = Pipeline.unscoped.create(workspace=org.workspace, name="Simple")
    for order, (name, kind) in enumerate([("Open", "open"), ("Done", "won"), ("Dropped", "lost")]):
        Stage.unscoped.create(workspace=org.workspace, pipeline=pipeline, name=name, order=order, kind=kind)
    start = _start(org)
    walk(pipeline, org.rep, ["Open", "Done"], start)
    walk(pipeline, org.rep, ["Open"], start)
    value, period = _this_month(org)
    report = funnel_analyze(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period)
    assert [(s.name, s.reached) for s in report.result.steps] == [("Open", 2), ("Done", 1)]
    assert "one_stage" in report.result.notices
    scan = bottleneck_scan(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period)
    assert scan.findings == [] and "too_small" in scan.notices


def test_a_pipeline_with_no_stages_at_all(org: Org, scoped) -> None:
    pipeline = Pipeline.unscoped.create(workspace=org.workspace, name="Bare")
    value, period = _this_month(org)
    report = funnel_analyze(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period)
    assert "no_open_stages" in report.result.notices
    scan = bottleneck_scan(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period)
    assert scan.findings == [] and scan.tested == 0


def test_a_tiny_slice_never_alarms(org: Org, scoped) -> None:
    # Given 70 deals of the northern rep that all advance, and 5 of the southern rep that all stop at Lead
    pipeline = make_pipeline(org.workspace)
    start = _start(org)
    for _ in range(70):
        walk(pipeline, org.rep, ["Lead", "Qualified"], start)
    for _ in range(5):
        walk(pipeline, org.rep_south, ["Lead", "Lost"], start)
    value, period = _this_month(org)
    scan = bottleneck_scan(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period)
    assert not any(f.comparison.key == str(org.rep_south.pk) for f in scan.findings)
    assert scan.skipped_small > 0
    # and the slice's own funnel still shows, with the small-sample note
    ref = parse_slice(f"owner:{org.rep_south.pk}")
    report = funnel_analyze(actor=org.actor(org.admin), pipeline=pipeline, period_param=value, period=period, ref=ref)
    assert report.result.deals == 5 and "small_sample" in report.result.notices


def test_every_figure_counts_only_visible_deals(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    start = _start(org)
    walk(pipeline, org.rep, ["Lead", "Qualified"], start, amount=100)
    walk(pipeline, org.rep_south, ["Lead", "Lost"], start, amount=900)
    value, period = _this_month(org)
    mine = funnel_analyze(actor=org.actor(org.rep), pipeline=pipeline, period_param=value, period=period).result
    everyone = funnel_analyze(actor=org.actor(org.manager), pipeline=pipeline, period_param=value,
                              period=period).result
    assert (mine.deals, mine.lost) == (1, 0)
    assert mine.steps[0].reached_amount == 100.0
    assert (everyone.deals, everyone.lost, everyone.steps[0].reached_amount) == (2, 1, 1000.0)
