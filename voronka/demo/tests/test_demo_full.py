"""The full scale-1 demo company (loaded once for the module): sizes, funnel dynamics, the rep's tasks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from voronka.accounts.models import User
from voronka.channels.models import SalesChannel
from voronka.core.scoping import workspace_scope
from voronka.crm.models import (
    Activity,
    Company,
    Contact,
    ContactPoint,
    Deal,
    DealLineItem,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageTransition,
    TimelineEntry,
)
from voronka.demo.generator import demo_load

MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def _full_demo_module(django_db_setup, django_db_blocker):
    """The full scale-1 company, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_load().workspace
        transaction.set_rollback(True)


@pytest.fixture
def full_demo(_full_demo_module, db):
    with workspace_scope(_full_demo_module):
        yield _full_demo_module


def test_scale_one_has_the_promised_sizes(full_demo):
    assert Company.objects.count() == 2000
    assert Contact.objects.count() == 5000
    assert ContactPoint.objects.count() == 9_483
    assert Deal.objects.count() == 6000
    assert Deal.contacts.through.objects.filter(deal__workspace=full_demo).count() == 5_862
    assert DealLineItem.objects.count() == 5_605
    assert Activity.objects.count() == 50_000
    assert Product.objects.count() == 40
    assert User.objects.count() == 18
    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Продажи B2B", "Интернет-магазин"]
    assert list(Stage.objects.filter(pipeline__name="Продажи B2B").values_list("name", "kind", "probability")) == [
        ("Лид", "open", 10), ("Квалификация", "open", 25), ("КП отправлено", "open", 50), ("Переговоры", "open", 75),
        ("Успешно", "won", 100), ("Отказ", "lost", 0),
    ]
    assert list(Stage.objects.filter(pipeline__name="Интернет-магазин").values_list("name", "kind")) == [
        ("Заявка", "open"), ("Счёт выставлен", "open"), ("Оплачено", "won"), ("Отказ", "lost"),
    ]
    assert sorted(LostReason.objects.values_list("name", flat=True)) == sorted(
        ["Цена", "Конкурент", "Нет бюджета", "Не отвечает", "Отложили решение", "Не целевой"]
    )
    assert SalesChannel.objects.count() == 5
    assert not SalesChannel.objects.filter(fixed_cost_per_month=0).exists()
    assert SalesChannel.objects.filter(fee_percent__gt=0).count() == 3
    # the funnel's history: one creation per deal plus every move, each move on the timeline
    transitions = StageTransition.objects.count()
    assert 6000 * 2.3 < transitions < 6000 * 3.5
    assert TimelineEntry.objects.filter(kind="stage_changed").count() == transitions - 6000
    # margins between 20 and 60 %
    for price, cost in Product.objects.values_list("price", "unit_cost"):
        assert Decimal("0.2") <= (price - cost) / price <= Decimal("0.61")


def test_funnel_dynamics_look_like_a_real_team(full_demo):
    statuses = Counter(Deal.objects.values_list("status", flat=True))
    assert 0.15 < statuses["open"] / 6000 < 0.28
    # some open deals are stalled: in their stage longer than the stage allows
    now = timezone.now()
    stalled = [d for d in Deal.objects.filter(status="open").select_related("stage")
               if (now - d.stage_entered_at).days > d.stage.stalled_after_days]
    assert len(stalled) > 100
    # conversion differs by rep: the best closes more than 10 points more of its closed deals than the worst
    by_rep = Deal.objects.exclude(status="open").values("owner").annotate(
        won=Count("id", filter=Q(status="won")), closed=Count("id"))
    rates = sorted(r["won"] / r["closed"] for r in by_rep)
    assert len(rates) == 15
    assert rates[-1] - rates[0] > 0.10
    # seasonal inflow: an average March brings more deals than an average January
    months = Counter((d.astimezone(MOSCOW).year, d.astimezone(MOSCOW).month)
                     for d in Deal.objects.values_list("created_at", flat=True))
    march = [n for (_y, m), n in months.items() if m == 3]
    january = [n for (_y, m), n in months.items() if m == 1]
    assert sum(march) / len(march) > 1.5 * sum(january) / len(january)
    # lost reasons depend on the stage: silence early, price late
    early = Counter(Deal.objects.filter(status="lost", transitions__from_stage__name="Лид",
                                        transitions__to_stage__kind="lost").values_list("lost_reason__name", flat=True))
    assert early.most_common(1)[0][0] in {"Не отвечает", "Не целевой"}


def test_the_rep_login_has_tasks_today_and_overdue(full_demo):
    rep = User.objects.get(email="rep@voronka.test")
    today = timezone.now().astimezone(MOSCOW).date()
    start = dt.datetime.combine(today, dt.time(), MOSCOW)
    open_tasks = Activity.objects.filter(owner=rep, done_at__isnull=True)
    assert open_tasks.filter(due_at__gte=start, due_at__lt=start + dt.timedelta(days=1)).count() >= 3
    assert open_tasks.filter(due_at__lt=start).count() >= 3
    assert not open_tasks.exclude(kind="task").exists()


