"""KPI monitoring: each rule kind fires once per window, with the owner's visibility, and notifies its
recipients in the app and by email (a real SMTP server on loopback) in their language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from conftest import Org, SmtpSink
from voronka.accounts.models import Membership, User
from voronka.core.schedule import periodic_jobs
from voronka.goals.models import Alert, AlertKind, EmailState, Notification
from voronka.goals.services.evaluate import alerts_evaluate_all, judged_spans, threshold_window
from voronka.goals.stats.spc import xmr_limits
from voronka.goals.tasks import evaluate_alerts

from .factories import at, goal, lost, open_deal, rule, won

NOW = at("2026-11-18", 9)  # a Wednesday


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Emails go after commit; inside a test's transaction, run those callbacks when the block ends."""
    return django_capture_on_commit_callbacks


def test_windows() -> None:
    today = dt.date(2026, 11, 18)
    assert threshold_window("month_to_date", today) == ("mtd:2026-11", dt.date(2026, 11, 1), today)
    assert threshold_window("quarter_to_date", today) == ("qtd:2026-Q4", dt.date(2026, 10, 1), today)
    assert threshold_window("last_7_days", today) == ("7d:2026-11-18", dt.date(2026, 11, 12), today)
    assert threshold_window("last_30_days", today)[1] == dt.date(2026, 10, 20)
    assert judged_spans("week", today, 12) == (dt.date(2026, 8, 17), dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert judged_spans("month", today, 12) == (dt.date(2025, 10, 1), dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def test_the_task_is_registered_to_run_every_hour() -> None:
    job = next(job for job in periodic_jobs() if job.name == "goals.evaluate_alerts")
    assert job.task is evaluate_alerts
    assert job.every == dt.timedelta(hours=1)


def test_threshold_fires_once_per_window_and_notifies(org: Org, smtp_sink: SmtpSink, run_on_commit) -> None:  # type: ignore[no-untyped-def]
    # Given November revenue of 100,000 (a deal at 23:30 on 31 Oct belongs to October)
    won(org.workspace, org.rep, "2026-11-02", 60_000)
    won(org.workspace, org.rep_south, "2026-11-17", 40_000)
    won(org.workspace, org.rep, "2026-10-31", 999_000, hour=23, minute=30)
    watch = rule(org.workspace, org.admin, threshold=Decimal("500000"), comparison="below", window="month_to_date",
                 recipients=[org.admin, org.marketer])
    # When the rules are evaluated twice
    with run_on_commit(execute=True):
        first = alerts_evaluate_all(now=NOW)
    with run_on_commit(execute=True):
        second = alerts_evaluate_all(now=NOW + dt.timedelta(hours=1))
    # Then one alert, with the numbers, and one notification and email per recipient
    assert (first.fired, second.fired) == (1, 0)
    alert = Alert.unscoped.get()
    assert (alert.rule_id, alert.window_key, alert.value, alert.limit) == (
        watch.pk, "mtd:2026-11", Decimal("100000.00"), Decimal("500000"))
    assert (alert.window_start, alert.window_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 18))
    notes = Notification.unscoped.order_by("user_id")
    assert sorted(n.user_id for n in notes) == sorted([org.admin.pk, org.marketer.pk])
    assert {n.email_state for n in notes} == {EmailState.SENT}
    assert len(smtp_sink.messages) == 2
    assert len(smtp_sink.to(org.admin.email)) == 1
    # and a new month is a new window
    assert alerts_evaluate_all(now=at("2026-12-01", 9)).fired == 1


def test_above_threshold_does_not_fire_below_it(org: Org) -> None:
    won(org.workspace, org.rep, "2026-11-02", 60_000)
    rule(org.workspace, org.admin, threshold=Decimal("60000"), comparison="above", window="last_30_days")
    assert alerts_evaluate_all(now=NOW).fired == 0
    won(org.workspace, org.rep, "2026-11-03", 1)
    assert alerts_evaluate_all(now=NOW).fired == 1
    assert Alert.unscoped.get().window_key == "30d:2026-11-18"


def test_numbers_follow_the_owners_visibility(org: Org) -> None:
    # A rule of the rep on their own numbers: South's sale is not theirs
    won(org.workspace, org.rep_south, "2026-11-02", 900_000)
    rule(org.workspace, org.rep, scope="rep", user=org.rep, team=org.north, threshold=Decimal("1"),
         comparison="below")
    # the manager watching North sees only North
    rule(org.workspace, org.manager, name="North", scope="team", team=org.north, threshold=Decimal("1"),
         comparison="below")
    summary = alerts_evaluate_all(now=NOW)
    assert summary.fired == 2
    assert set(Alert.unscoped.values_list("value", flat=True)) == {Decimal("0.00")}


def test_control_limits_fire_on_an_unusual_week(org: Org) -> None:
    weekly = [100, 110, 90, 105, 95, 100, 110, 90, 105, 95, 100, 100]  # thousands, weeks of 17 Aug … 2 Nov
    monday = dt.date(2026, 8, 17)
    for week, amount in enumerate(weekly):
        won(org.workspace, org.rep, (monday + dt.timedelta(weeks=week, days=2)).isoformat(), amount * 1000)
    won(org.workspace, org.rep, "2026-11-11", 10_000)  # the judged week, 9–15 Nov
    won(org.workspace, org.rep, "2026-11-17", 500_000)  # this week: not complete, not judged
    watch = rule(org.workspace, org.admin, kind=AlertKind.CONTROL, grain="week", history_periods=12,
                 sigma=Decimal(3))
    assert alerts_evaluate_all(now=NOW).fired == 1
    alert = Alert.unscoped.get()
    limits = xmr_limits([v * 1000 for v in weekly], k=3)
    assert alert.rule_id == watch.pk
    assert alert.window_key == "week:2026-W46"
    assert alert.value == Decimal("10000.00")
    assert float(alert.limit) == pytest.approx(limits.lower, abs=1e-4)
    assert alert.details["side"] == "below"
    assert alert.details["centre"] == pytest.approx(limits.centre)
    assert alert.details["points"] == 12
    with translation.override("en"):
        from voronka.goals.services.display import alert_message

        assert "below the lower control limit" in alert_message(alert, "RUB")


def test_control_limits_stay_quiet_on_an_ordinary_week_or_short_history(org: Org) -> None:
    monday = dt.date(2026, 8, 17)
    for week in range(12):
        won(org.workspace, org.rep, (monday + dt.timedelta(weeks=week)).isoformat(), 100_000 + 1000 * (week % 3))
    won(org.workspace, org.rep, "2026-11-11", 101_000)
    rule(org.workspace, org.admin, kind=AlertKind.CONTROL, grain="week")
    rule(org.workspace, org.admin, kind=AlertKind.CONTROL, grain="month", name="monthly")  # two months of data only
    assert alerts_evaluate_all(now=NOW).fired == 0


def test_goal_at_risk_fires_once_per_status(org: Org) -> None:
    won(org.workspace, org.rep, "2026-10-10", 100_000)
    watched = goal(org.workspace, scope="team", team=org.north, target="1000000", pace="linear")
    rule(org.workspace, org.manager, kind=AlertKind.GOAL_AT_RISK, goal=watched, scope="team", team=org.north)
    assert alerts_evaluate_all(now=NOW).fired == 1
    alert = Alert.unscoped.get()
    # 49 of 92 days: run rate 100,000 × 92/49 = 187,755.10 — off track
    assert alert.window_key == "goal:2026-10-01:off_track"
    assert alert.value == Decimal("187755.10")
    assert alert.details["status"] == "off_track"
    assert alerts_evaluate_all(now=NOW + dt.timedelta(days=1)).fired == 0
    # an archived goal is not watched
    watched.status = "archived"
    watched.save()
    won(org.workspace, org.rep, "2026-10-11", 800_000)
    assert alerts_evaluate_all(now=NOW).fired == 0


def test_rules_of_a_departed_owner_are_skipped_and_recipients_who_lost_sight_are_not_told(org: Org) -> None:
    rule(org.workspace, org.rep, scope="rep", user=org.rep, team=org.north, threshold=Decimal("1"))
    Membership.unscoped.filter(user=org.rep).update(is_active=False)
    assert alerts_evaluate_all(now=NOW).skipped == 1
    # a manager's rule for North with the southern rep among recipients (added directly, as if visibility changed)
    rule(org.workspace, org.manager, name="North", scope="team", team=org.north, threshold=Decimal("1"),
         recipients=[org.manager, org.rep_south])
    assert alerts_evaluate_all(now=NOW).fired == 1
    assert list(Notification.unscoped.values_list("user_id", flat=True)) == [org.manager.pk]


def test_each_recipient_is_emailed_in_their_language(org: Org, smtp_sink: SmtpSink, run_on_commit) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=org.admin.pk).update(language="ru")
    User.objects.filter(pk=org.marketer.pk).update(language="en")
    won(org.workspace, org.rep, "2026-11-02", 100_000)
    watch = rule(org.workspace, org.admin, name="Выручка", threshold=Decimal("500000"), comparison="below",
                 recipients=[org.admin, org.marketer])
    with run_on_commit(execute=True):
        alerts_evaluate_all(now=NOW)
    (russian,) = smtp_sink.to(org.admin.email)
    (english,) = smtp_sink.to(org.marketer.email)
    from email.header import decode_header, make_header

    def subject(message):  # type: ignore[no-untyped-def]
        return str(make_header(decode_header(message["Subject"])))

    def body(message):  # type: ignore[no-untyped-def]
        return message.get_payload(decode=True).decode()

    with translation.override("ru"):
        from django.utils.translation import gettext

        assert subject(russian) == gettext("Voronka alert: %(rule)s") % {"rule": watch.name}
    assert subject(english) == "Voronka alert: Выручка"
    assert "100\u00a0000,00\u00a0₽" in body(russian) and "500\u00a0000,00\u00a0₽" in body(russian)
    assert "₽100,000.00" in body(english) and "below the threshold ₽500,000.00" in body(english)
    assert "/goals/alerts/" in body(english)


def test_a_failing_smtp_server_marks_the_email_failed_and_keeps_the_alert(org: Org, settings, run_on_commit) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    won(org.workspace, org.rep, "2026-11-02", 1)
    rule(org.workspace, org.admin, threshold=Decimal("5"))
    with run_on_commit(execute=True):
        assert alerts_evaluate_all(now=NOW).fired == 1
    assert Notification.unscoped.get().email_state == EmailState.FAILED


def test_open_deals_do_not_change_threshold_numbers(org: Org) -> None:
    open_deal(org.workspace, org.rep, 10_000_000, expected="2026-11-20")
    lost(org.workspace, org.rep, "2026-11-03", 10_000_000)
    rule(org.workspace, org.admin, threshold=Decimal("0"), comparison="above")
    assert alerts_evaluate_all(now=NOW).fired == 0


def test_a_concurrent_evaluation_that_recorded_the_window_first_wins(org: Org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given another run already recorded this month's alert, and our pre-check missing it (a race)
    won(org.workspace, org.rep, "2026-11-02", 1)
    watch = rule(org.workspace, org.admin, threshold=Decimal("5"))
    Alert.unscoped.create(workspace=org.workspace, rule=watch, window_key="mtd:2026-11", fired_at=NOW)
    from django.db.models import QuerySet

    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    # When this run evaluates
    summary = alerts_evaluate_all(now=NOW)
    # Then the unique constraint keeps one alert and nobody is notified twice
    assert summary.fired == 0
    assert Alert.unscoped.count() == 1 and Notification.unscoped.count() == 0


def test_an_email_is_sent_once_even_when_the_task_runs_twice(org: Org, smtp_sink: SmtpSink) -> None:
    from voronka.goals.services.notifications import notification_email_send

    watch = rule(org.workspace, org.admin, threshold=Decimal("5"))
    alert = Alert.unscoped.create(workspace=org.workspace, rule=watch, window_key="mtd:2026-11", fired_at=NOW,
                                  value=Decimal(1), limit=Decimal(5),
                                  details={"kind": "threshold", "comparison": "below", "window": "month_to_date"})
    note = Notification.unscoped.create(workspace=org.workspace, alert=alert, user=org.admin)
    assert notification_email_send(notification_id=note.pk) == "sent"
    assert notification_email_send(notification_id=note.pk) == "already"
    assert notification_email_send(notification_id=10**9) == "missing"
    assert len(smtp_sink.messages) == 1
