"""Training, storing and using the win-probability model: fallback, scores, factors, rescoring, the panel, the board."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Org
from voronka.core.schedule import periodic_jobs
from voronka.crm.events import DealStageChanged
from voronka.crm.models import Deal, DealStatus
from voronka.crm.services.deals import deal_mark_won, deal_move_stage
from voronka.crm.tests.factories import make_deal, make_pipeline, stage
from voronka.funnel.handlers import rescore_moved_deal
from voronka.funnel.models import DealScore, ModelStatus, ScoreSource, WinModel
from voronka.funnel.services.scoring import bundle_for, deal_score_refresh
from voronka.funnel.services.training import win_model_train
from voronka.funnel.stats.winmodel import FEATURES
from voronka.funnel.tasks import retrain_all_workspaces

from .conftest import Demo, days_ago

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_too_few_closed_deals_fall_back_to_stage_probabilities(org: Org, scoped) -> None:
    # Given a few deals, none closed enough to learn from
    pipeline = make_pipeline(org.workspace)
    lead = make_deal(pipeline, owner=org.rep, amount=100)
    proposal = make_deal(pipeline, owner=org.rep, stage_name="Proposal", probability_override=35)
    make_deal(pipeline, owner=org.rep, stage_name="Won")
    # When the model is trained
    model = win_model_train(workspace_id=org.workspace.pk)
    # Then it says it falls back, and each open deal is scored with its own or its stage's probability
    assert (model.status, model.closed_deals, model.estimator) == (ModelStatus.FALLBACK, 1, None)
    scores = {s.deal_id: (s.probability, s.source) for s in DealScore.objects.all()}
    assert scores == {lead.pk: (0.10, ScoreSource.STAGE), proposal.pk: (0.35, ScoreSource.STAGE)}


def test_the_fallback_is_explained_on_the_model_page_and_the_deal(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep, stage_name="Proposal")
    win_model_train(workspace_id=org.workspace.pk)
    model_page = _client(org.rep).get(reverse("funnel:model")).content.decode()
    assert 'id="model-fallback"' in model_page and "at least 200" in model_page
    deal_page = _client(org.rep).get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert 'id="win-probability-panel"' in deal_page and 'id="win-probability-fallback"' in deal_page
    assert "50%" in deal_page


@pytest.fixture
def trained(demo: Demo) -> WinModel:
    return win_model_train(workspace_id=demo.workspace.pk)


def test_training_on_the_demo_company(demo: Demo, trained: WinModel) -> None:
    closed = Deal.objects.filter(status__in=["won", "lost"]).count()
    assert trained.status == ModelStatus.TRAINED and trained.closed_deals == closed >= 200
    assert trained.n_train + trained.n_test == closed and trained.n_test == round(closed * 0.2)
    assert trained.brier is not None and 0 < trained.brier < 0.25
    assert trained.brier_baseline is not None
    assert sum(b["count"] for b in trained.reliability) == trained.n_test
    assert [row["feature"] for row in trained.importance] and {r["feature"] for r in trained.importance} == set(
        FEATURES)
    bundle = bundle_for(trained)
    assert bundle is not None and bundle.features == FEATURES
    # Every open deal has a model score in [0, 1] with at most three factors, strongest first
    open_ids = set(Deal.objects.filter(status=DealStatus.OPEN).values_list("id", flat=True))
    scores = list(DealScore.objects.all())
    assert {s.deal_id for s in scores} == open_ids
    assert all(s.source == ScoreSource.MODEL and 0 <= s.probability <= 1 for s in scores)
    assert all(len(s.factors) <= 3 for s in scores)
    with_factors = [s for s in scores if s.factors]
    assert with_factors
    for score in with_factors:
        effects = [abs(f["effect"]) for f in score.factors]
        assert effects == sorted(effects, reverse=True)
        assert {f["feature"] for f in score.factors} <= set(FEATURES)


def test_the_model_beats_or_matches_stage_probabilities(trained: WinModel) -> None:
    assert trained.brier is not None and trained.brier_baseline is not None
    assert trained.brier <= trained.brier_baseline + 0.01


def test_a_moved_deal_is_rescored_and_a_closed_one_loses_its_score(demo: Demo, trained: WinModel) -> None:
    actor = demo.actor("admin@voronka.test")
    pipeline = demo.pipeline()
    deal = Deal.objects.filter(pipeline=pipeline, status=DealStatus.OPEN, stage__name="Лид").first()
    assert deal is not None
    before = DealScore.objects.get(deal=deal).probability
    moved = deal_move_stage(actor=actor, deal=deal, stage=stage(pipeline, "Переговоры"), version=deal.version)
    rescore_moved_deal(DealStageChanged(workspace_id=demo.workspace.pk, deal_id=deal.pk, from_stage_id=None,
                                        to_stage_id=moved.stage_id, actor_id=None))
    after = DealScore.objects.get(deal=deal)
    assert after.probability > before and after.source == ScoreSource.MODEL
    deal_mark_won(actor=actor, deal=moved, version=moved.version)
    assert deal_score_refresh(workspace_id=demo.workspace.pk, deal_id=deal.pk) is None
    assert not DealScore.objects.filter(deal=deal).exists()


def test_stage_changes_rescore_through_the_event(org: Org, scoped, django_capture_on_commit_callbacks) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    with django_capture_on_commit_callbacks(execute=True):
        deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=stage(pipeline, "Negotiation"), version=1)
    score = DealScore.objects.get(deal=deal)
    assert (score.probability, score.source) == (0.75, ScoreSource.STAGE)


def test_the_deal_page_shows_the_probability_and_its_factors(demo: Demo, trained: WinModel) -> None:
    score = DealScore.objects.exclude(factors=[]).select_related("deal").first()
    assert score is not None
    html = _client(demo.actor("admin@voronka.test").user).get(
        reverse("crm:deal-detail", args=[score.deal_id])).content.decode()
    assert 'id="win-probability-value"' in html and f"{round(score.probability * 100)}%" in html
    assert 'id="win-probability-factors"' in html
    assert " pp" in html


def test_the_panel_is_hidden_on_closed_deals(org: Org, scoped) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep, stage_name="Won")
    html = _client(org.rep).get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert "win-probability-panel" not in html


def test_the_model_page_shows_brier_and_the_reliability_diagram(demo: Demo, trained: WinModel) -> None:
    html = _client(demo.actor("manager@voronka.test").user).get(reverse("funnel:model")).content.decode()
    assert 'id="model-brier"' in html and f"{trained.brier:.3f}" in html
    assert 'id="figure-reliability"' in html and 'id="retrain-now"' in html
    rep_html = _client(demo.actor("rep@voronka.test").user).get(reverse("funnel:model")).content.decode()
    assert 'id="retrain-now"' not in rep_html


def test_retrain_now_trains_in_the_background(org: Org, scoped, django_capture_on_commit_callbacks) -> None:
    make_deal(make_pipeline(org.workspace), owner=org.rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(org.manager).post(reverse("funnel:model-retrain"))
    assert response.status_code == 302
    assert WinModel.objects.filter(status=ModelStatus.FALLBACK).count() == 1
    assert _client(org.rep).post(reverse("funnel:model-retrain")).status_code == 403


def test_weekly_jobs_are_registered_and_retrain_every_workspace(org: Org, other_org: Org) -> None:
    names = {job.name: job for job in periodic_jobs()}
    assert names["funnel.retrain"].every == dt.timedelta(days=7)
    assert names["funnel.forecast_snapshot"].every == dt.timedelta(days=7)
    retrain_all_workspaces.enqueue()  # immediate backend: runs the per-workspace tasks too
    assert sorted(WinModel.unscoped.values_list("workspace_id", flat=True)) == sorted(
        [org.workspace.pk, other_org.workspace.pk])


def _board_cards(client: Client, pipeline, sort: str) -> list[int]:
    url = reverse("crm:board-column", args=[stage(pipeline, "Lead").pk])
    return [deal.pk for deal in client.get(url, {"sort": sort}).context["cards"]]


def test_the_board_sorts_by_win_probability(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    low, high, unscored = (make_deal(pipeline, owner=org.rep, amount=a) for a in (1, 2, 3))
    DealScore.objects.create(workspace=org.workspace, deal=low, probability=0.2, source="model",
                             scored_at=days_ago(0))
    DealScore.objects.create(workspace=org.workspace, deal=high, probability=0.9, source="model",
                             scored_at=days_ago(0))
    client = _client(org.rep)
    assert _board_cards(client, pipeline, "win_probability") == [high.pk, low.pk, unscored.pk]
    board = client.get(reverse("crm:board")).content.decode()
    assert 'value="win_probability"' in board and "Win probability" in board


def test_sorting_by_win_probability_costs_no_extra_query(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    for amount in range(5):
        make_deal(pipeline, owner=org.rep, amount=amount)
    client = _client(org.rep)
    url = reverse("crm:board-column", args=[stage(pipeline, "Lead").pk])
    client.get(url)
    counts = []
    for sort in ("amount", "win_probability"):
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"sort": sort})
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_scores_are_workspace_wide_but_reads_stay_scoped(org: Org, other_org: Org, scoped) -> None:
    mine = make_deal(make_pipeline(org.workspace), owner=org.rep, amount=Decimal(10))
    theirs = make_deal(make_pipeline(other_org.workspace), owner=other_org.rep)
    win_model_train(workspace_id=org.workspace.pk)
    assert list(DealScore.unscoped.values_list("deal_id", flat=True)) == [mine.pk]
    assert not DealScore.unscoped.filter(deal=theirs).exists()
    assert np.isclose(DealScore.objects.get(deal=mine).probability, 0.10)
