"""Weekly report emails through a real SMTP server (aiosmtpd): due on the weekday, sent once a week
however often the job runs, with the subscriber's numbers and language, CSV and XLSX attached."""

from __future__ import annotations

import csv
import datetime as dt
import io
from email.header import decode_header, make_header

import openpyxl
import pytest
from django.urls import reverse

from voronka.accounts.models import Membership
from voronka.analytics.models import ReportSubscription, SavedReport
from voronka.analytics.report_tasks import report_subscription_send_task, weekly_reports_send
from voronka.analytics.services import report_mail
from voronka.analytics.services.report_mail import (
    due_date,
    report_subscription_send,
    report_subscriptions_due,
)
from voronka.core.models import AuditEntry
from voronka.core.schedule import periodic_jobs, schedule_tick

from .channel_fixtures import at, build_quarter

SPEC = {"metrics": ["revenue", "deals_won"], "slices": ["channel"], "granularity": "total", "period": "custom",
        "date_from": "2026-04-01", "date_to": "2026-06-30", "filters": {}}
MONDAY = at("2026-11-23", "09:00")
FRIDAY = at("2026-11-27", "08:00")


def subscribe(org, user, *, weekday=4, team=None, owner=None, created=MONDAY):
    report = SavedReport.unscoped.create(workspace=org.workspace, owner=owner or user, name="Channels Q2",
                                         team=team, spec=SPEC)
    subscription = ReportSubscription.unscoped.create(workspace=org.workspace, report=report, user=user,
                                                      weekday=weekday)
    ReportSubscription.unscoped.filter(pk=subscription.pk).update(created_at=created)
    return subscription


def attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in message.walk() if part.get_filename()}


def body_text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


@pytest.mark.parametrize(("weekday", "today", "expected"), [
    (4, dt.date(2026, 11, 27), dt.date(2026, 11, 27)),  # Friday, on Friday
    (4, dt.date(2026, 11, 26), dt.date(2026, 11, 20)),  # Friday, on Thursday: last week's
    (0, dt.date(2026, 11, 29), dt.date(2026, 11, 23)),  # Monday, on Sunday
    (6, dt.date(2026, 11, 23), dt.date(2026, 11, 22)),  # Sunday, on Monday
])
def test_due_date(weekday, today, expected):
    assert due_date(weekday, today) == expected


def test_subscribe_page(org, login_as):
    report = SavedReport.unscoped.create(workspace=org.workspace, owner=org.manager, name="Mine", spec=SPEC)
    client = login_as(org.manager)
    page = client.get(reverse("analytics:report-subscribe", args=[report.pk]))
    assert page.status_code == 200
    assert org.manager.email in page.content.decode()
    done = client.post(reverse("analytics:report-subscribe", args=[report.pk]), {"weekday": 2})
    assert done.status_code == 302
    assert ReportSubscription.unscoped.get().weekday == 2
    client.post(reverse("analytics:report-subscribe", args=[report.pk]), {"weekday": 5})
    assert list(ReportSubscription.unscoped.values_list("weekday", flat=True)) == [5]
    bad = client.post(reverse("analytics:report-subscribe", args=[report.pk]), {"weekday": 9})
    assert bad.status_code == 400
    assert "Select a valid choice." in bad.content.decode()
    detail = client.get(reverse("analytics:report-detail", args=[report.pk])).content.decode()
    assert "emailed to you every Saturday" in detail
    client.post(reverse("analytics:report-unsubscribe", args=[report.pk]))
    assert not ReportSubscription.unscoped.exists()
    assert AuditEntry.objects.filter(action="analytics.report.unsubscribe").count() == 1


def test_reps_may_not_subscribe(org, login_as):
    report = SavedReport.unscoped.create(workspace=org.workspace, owner=org.rep, name="Mine", spec=SPEC)
    client = login_as(org.rep)
    assert client.get(reverse("analytics:report-subscribe", args=[report.pk])).status_code == 403
    assert client.post(reverse("analytics:report-subscribe", args=[report.pk]), {"weekday": 1}).status_code == 403
    assert not ReportSubscription.unscoped.exists()


def test_a_marketer_subscribes_to_a_report_shared_with_them(org, login_as):
    report = SavedReport.unscoped.create(workspace=org.workspace, owner=org.manager, name="Shared", spec=SPEC,
                                         team=org.sales)
    Membership.unscoped.filter(user=org.marketer).update(team=org.north)
    response = login_as(org.marketer).post(reverse("analytics:report-subscribe", args=[report.pk]), {"weekday": 0})
    assert response.status_code == 302
    assert ReportSubscription.unscoped.get().user_id == org.marketer.pk


def test_sent_on_its_weekday_once_with_the_subscribers_numbers(org, smtp_sink):
    # given a manager's report shared with Sales, and a marketer in North who subscribed on Monday for Fridays
    build_quarter(org)
    Membership.unscoped.filter(user=org.marketer).update(team=org.north)
    subscription = subscribe(org, org.marketer, owner=org.manager, team=org.sales)
    # when the job runs on Thursday, nothing is due
    assert report_subscriptions_due(now=at("2026-11-26", "12:00")) == []
    assert report_subscription_send(subscription_id=subscription.pk, now=at("2026-11-26", "12:00")).status == \
        "not_due"
    # when it runs on Friday morning (Moscow), the email goes out once, however often it runs
    assert report_subscriptions_due(now=FRIDAY) == [subscription.pk]
    assert report_subscription_send(subscription_id=subscription.pk, now=FRIDAY).status == "sent"
    assert report_subscription_send(subscription_id=subscription.pk, now=FRIDAY).status == "not_due"
    assert report_subscription_send(subscription_id=subscription.pk, now=at("2026-11-28")).status == "not_due"
    assert report_subscriptions_due(now=at("2026-11-28")) == []
    assert len(smtp_sink.messages) == 1
    subscription.refresh_from_db()
    assert subscription.last_sent_on == dt.date(2026, 11, 27)
    # then the message carries the subscriber's numbers (a marketer sees everything), as text and attachments
    message = smtp_sink.to(org.marketer.email)[0]
    assert str(make_header(decode_header(message["Subject"]))) == "Weekly report: Channels Q2"
    text = body_text(message)
    assert "Partners | ₽20,000.00 | 1" in text
    assert f"/analytics/reports/{subscription.report_id}/" in text
    files = attachments(message)
    name = f"report-{subscription.report_id}-2026-06-30"
    assert set(files) == {f"{name}.csv", f"{name}.xlsx"}
    rows = list(csv.reader(io.StringIO(files[f"{name}.csv"].decode("utf-8-sig"))))
    assert rows == [["Sales channel", "Revenue, RUB", "Deals won"], ["Partners", "20000.00", "1"],
                    ["Shop", "15000.00", "2"], ["(not set)", "1000.00", "1"]]
    sheet = openpyxl.load_workbook(io.BytesIO(files[f"{name}.xlsx"])).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][1] == ["Partners", 20000, 1]
    # and the next Friday it goes out again
    assert report_subscription_send(subscription_id=subscription.pk, now=at("2026-12-04")).status == "sent"
    assert len(smtp_sink.messages) == 2


def test_a_rep_subscriber_gets_only_own_numbers(org, smtp_sink):
    # a subscription made while the rep could schedule; the send checks what they may see today
    build_quarter(org)
    Membership.unscoped.filter(user=org.rep).update(role="manager")
    subscription = subscribe(org, org.rep)
    report_subscription_send(subscription_id=subscription.pk, now=FRIDAY)
    text = body_text(smtp_sink.messages[0])
    assert "Shop | ₽15,000.00 | 2" in text
    assert "Partners" not in text  # North's manager role covers North only


def test_in_the_subscribers_language(org, smtp_sink):
    build_quarter(org)
    org.manager.language = "ru"
    org.manager.save(update_fields=["language"])
    subscription = subscribe(org, org.manager)
    report_subscription_send(subscription_id=subscription.pk, now=FRIDAY)
    text = body_text(smtp_sink.messages[0])
    assert "20\u00a0000,00\u00a0₽" in text  # Russian number format
    assert "30.06.2026" in text  # Russian date format


def test_not_sent_before_the_first_weekday_after_subscribing(org, smtp_sink):
    subscription = subscribe(org, org.manager, weekday=0, created=at("2026-11-25"))  # Monday, made on Wednesday
    assert report_subscription_send(subscription_id=subscription.pk, now=FRIDAY).status == "not_due"
    assert report_subscription_send(subscription_id=subscription.pk, now=at("2026-11-30")).status == "sent"


def test_a_missed_week_is_sent_once_later(org, smtp_sink):
    subscription = subscribe(org, org.manager, weekday=0, created=at("2026-11-01"))
    ReportSubscription.unscoped.filter(pk=subscription.pk).update(last_sent_on=dt.date(2026, 11, 9))
    # no worker ran on the 16th or the 23rd; on the 25th the latest week (the 23rd) goes out, once
    assert report_subscription_send(subscription_id=subscription.pk, now=at("2026-11-25")).status == "sent"
    assert report_subscription_send(subscription_id=subscription.pk, now=at("2026-11-26")).status == "not_due"
    subscription.refresh_from_db()
    assert subscription.last_sent_on == dt.date(2026, 11, 23)
    assert len(smtp_sink.messages) == 1


@pytest.mark.parametrize("change", ["role", "unshared", "inactive"])
def test_skipped_when_the_subscriber_may_no_longer_have_it(org, smtp_sink, change):
    subscription = subscribe(org, org.marketer, owner=org.manager, team=org.sales)
    Membership.unscoped.filter(user=org.marketer).update(team=org.north)
    if change == "role":
        Membership.unscoped.filter(user=org.marketer).update(role="rep")
    elif change == "unshared":
        SavedReport.unscoped.filter(pk=subscription.report_id).update(team=None)
    else:
        Membership.unscoped.filter(user=org.marketer).update(is_active=False)
    assert report_subscription_send(subscription_id=subscription.pk, now=FRIDAY).status == "skipped"
    subscription.refresh_from_db()
    assert subscription.last_sent_on is None
    assert smtp_sink.messages == []


def test_a_concurrent_sender_wins_the_claim_and_nothing_is_sent_twice(org, smtp_sink, monkeypatch):
    subscription = subscribe(org, org.manager)
    build = report_mail._message

    def another_worker_claims_first(*args, **kwargs):
        message = build(*args, **kwargs)
        ReportSubscription.unscoped.filter(pk=subscription.pk).update(last_sent_on=dt.date(2026, 11, 27))
        return message

    monkeypatch.setattr(report_mail, "_message", another_worker_claims_first)
    assert report_subscription_send(subscription_id=subscription.pk, now=FRIDAY).status == "not_due"
    assert smtp_sink.messages == []


def test_a_refused_send_gives_the_week_back(org, smtp_sink, settings):
    subscription = subscribe(org, org.manager)
    settings.EMAIL_PORT = 9  # nothing listens on the discard port
    settings.EMAIL_TIMEOUT = 2
    with pytest.raises(OSError):
        report_subscription_send(subscription_id=subscription.pk, now=FRIDAY)
    subscription.refresh_from_db()
    assert subscription.last_sent_on is None
    assert report_subscriptions_due(now=FRIDAY) == [subscription.pk]


def test_a_report_the_catalogue_no_longer_accepts_is_not_sent(org, smtp_sink):
    subscription = subscribe(org, org.manager)
    SavedReport.unscoped.filter(pk=subscription.report_id).update(spec={**SPEC, "metrics": ["retired_metric"]})
    assert report_subscription_send(subscription_id=subscription.pk, now=FRIDAY).status == "invalid"
    assert smtp_sink.messages == []


def test_the_weekly_job_is_registered_and_sends_through_the_scheduler(org, smtp_sink):
    # given a subscription due today (local), made a week ago
    from django.utils import timezone

    from voronka.analytics.selectors.reports import local_today

    today = local_today(org.workspace)
    subscribe(org, org.manager, weekday=today.weekday(), created=timezone.now() - dt.timedelta(days=7))
    job = {j.name: j for j in periodic_jobs()}["analytics.weekly_reports"]
    assert job.task is weekly_reports_send
    assert job.every == dt.timedelta(hours=1)
    # when the scheduler ticks (the test backend runs tasks at once), then it is sent once
    assert "analytics.weekly_reports" in schedule_tick()
    assert len(smtp_sink.messages) == 1
    # and running the job or the send task again sends nothing more
    weekly_reports_send.enqueue()
    report_subscription_send_task.enqueue(subscription_id=ReportSubscription.unscoped.get().pk)
    assert len(smtp_sink.messages) == 1
