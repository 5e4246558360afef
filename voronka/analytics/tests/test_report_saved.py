"""Saved reports: save, open, change, delete; sharing with a team (DASHBOARDS_SHARE) where every reader
sees only their own numbers; other people's private reports and other workspaces' are 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from voronka.accounts.models import Team
from voronka.analytics.models import ReportSubscription, SavedReport
from voronka.core.models import AuditEntry

from .channel_fixtures import build_quarter

QUERY = {"metrics": ["revenue"], "slices": ["channel"], "granularity": "total", "period": "custom",
         "date_from": "2026-04-01", "date_to": "2026-06-30"}
SPEC = {"metrics": ["revenue"], "slices": ["channel"], "granularity": "total", "period": "custom",
        "date_from": "2026-04-01", "date_to": "2026-06-30", "filters": {}}


def make_report(org, owner, name="Revenue by channel", team=None, spec=None):
    return SavedReport.unscoped.create(workspace=org.workspace, owner=owner, name=name, team=team,
                                       spec=spec or SPEC)


def cells(html: str) -> list[str]:
    body = html[html.index('id="report-table"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]


def test_save_a_private_report(org, login_as):
    client = login_as(org.rep)
    response = client.post(reverse("analytics:report-save"), {**QUERY, "name": "  My channels  "})
    report = SavedReport.unscoped.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("analytics:report-detail", args=[report.pk])
    assert (report.name, report.owner_id, report.team_id, report.workspace_id) == (
        "My channels", org.rep.pk, None, org.workspace.pk)
    assert report.spec == SPEC
    assert AuditEntry.objects.filter(action="analytics.report.create", actor_id=org.rep.pk).count() == 1


def test_a_rep_cannot_share_a_report(org, login_as):
    # the share field is not offered to reps; a forged value is ignored and the report stays private
    login_as(org.rep).post(reverse("analytics:report-save"), {**QUERY, "name": "Mine", "team": org.north.pk})
    assert SavedReport.unscoped.get().team_id is None


def test_a_manager_shares_with_a_team_below_but_not_outside(org, login_as):
    ops = Team.unscoped.create(workspace=org.workspace, name="Ops")
    client = login_as(org.manager)
    ok = client.post(reverse("analytics:report-save"), {**QUERY, "name": "North view", "team": org.north.pk})
    assert ok.status_code == 302
    assert SavedReport.unscoped.get(name="North view").team_id == org.north.pk
    refused = client.post(reverse("analytics:report-save"), {**QUERY, "name": "Ops view", "team": ops.pk})
    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()
    assert not SavedReport.unscoped.filter(name="Ops view").exists()


@pytest.mark.parametrize(("changes", "field", "message", "status"), [
    ({"name": ""}, "name", "This field is required.", 400),
    ({"name": "Line\nbreak"}, "name", "The name may not contain line breaks or control characters.", 400),
    ({"name": "x" * 121}, "name", "Ensure this value has at most 120 characters", 400),
    ({"metrics": ["bogus"]}, "metrics", "Unknown metric: bogus.", 422),
    ({"date_to": "2026-01-01"}, "date_to", "The period ends before it starts.", 422),
])
def test_bad_saves_are_refused(org, login_as, changes, field, message, status):
    response = login_as(org.rep).post(reverse("analytics:report-save"), {**QUERY, "name": "Ok", **changes})
    assert response.status_code == status
    assert message in response.content.decode()
    assert not SavedReport.unscoped.exists()


def test_the_same_name_twice_is_a_field_error(org, login_as):
    make_report(org, org.rep, name="Mine")
    response = login_as(org.rep).post(reverse("analytics:report-save"), {**QUERY, "name": "Mine"})
    assert response.status_code == 400
    assert "You already have a report with this name." in response.content.decode()
    assert SavedReport.unscoped.count() == 1


def test_a_saved_report_opens_with_its_query(org, login_as, django_assert_max_num_queries):
    build_quarter(org)
    report = make_report(org, org.admin)
    client = login_as(org.admin)
    client.get(reverse("analytics:report-detail", args=[report.pk]))
    with django_assert_max_num_queries(24):
        response = client.get(reverse("analytics:report-detail", args=[report.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Revenue by channel" in html
    assert cells(html) == ["Partners", "₽20,000.00", "Shop", "₽15,000.00", "(not set)", "₽1,000.00"]
    assert 'id="report-update"' in html  # the owner may save changes


def test_a_shared_report_shows_each_reader_their_own_numbers(org, login_as):
    # given a manager's report shared with Sales (North and South are below it)
    build_quarter(org)
    report = make_report(org, org.manager, team=org.sales)
    url = reverse("analytics:report-detail", args=[report.pk])
    # then each reader sees the rows their role allows, and only the owner may change it
    rep = login_as(org.rep).get(url).content.decode()
    assert cells(rep) == ["Shop", "₽15,000.00", "(not set)", "₽1,000.00"]
    assert "Shared by" in rep and 'id="report-update"' not in rep and 'id="report-delete"' not in rep
    south = login_as(org.rep_south).get(url).content.decode()
    assert cells(south) == ["Partners", "₽20,000.00", "Shop", "₽0.00"]
    manager = login_as(org.manager).get(url).content.decode()
    assert cells(manager)[1] == "₽20,000.00" and 'id="report-update"' in manager
    # admins see every shared report; a marketer outside the team does not
    assert login_as(org.admin).get(url).status_code == 200
    assert login_as(org.marketer).get(url).status_code == 404


def test_a_report_shared_with_north_is_not_seen_in_south(org, login_as):
    report = make_report(org, org.manager, team=org.north)
    url = reverse("analytics:report-detail", args=[report.pk])
    assert login_as(org.rep).get(url).status_code == 200
    assert login_as(org.rep_south).get(url).status_code == 404


def test_private_reports_are_404_for_everyone_else(org, login_as):
    report = make_report(org, org.rep)
    for user in (org.admin, org.manager, org.rep_south, org.marketer):
        assert login_as(user).get(reverse("analytics:report-detail", args=[report.pk])).status_code == 404


def test_another_workspaces_report_is_404_on_every_route(org, other_org, login_as):
    foreign = make_report(other_org, other_org.admin, team=other_org.sales)
    client = login_as(org.admin)
    for name in ("report-detail", "report-delete", "report-subscribe"):
        assert client.get(reverse(f"analytics:{name}", args=[foreign.pk])).status_code == 404
    for name in ("report-update", "report-delete", "report-subscribe", "report-unsubscribe"):
        response = client.post(reverse(f"analytics:{name}", args=[foreign.pk]),
                               {**QUERY, "name": "Taken", "weekday": 1})
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Revenue by channel"
    assert not ReportSubscription.unscoped.exists()


def test_the_owner_changes_name_query_and_sharing(org, login_as):
    report = make_report(org, org.manager)
    response = login_as(org.manager).post(reverse("analytics:report-update", args=[report.pk]), {
        **QUERY, "metrics": ["revenue", "deals_won"], "name": "Renamed", "team": org.north.pk,
        "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.name, report.team_id, report.version) == ("Renamed", org.north.pk, 2)
    assert report.spec["metrics"] == ["revenue", "deals_won"]
    entry = AuditEntry.objects.get(action="analytics.report.update")
    assert entry.diff["name"] == ["Revenue by channel", "Renamed"]


def test_a_stale_version_is_a_conflict_and_changes_nothing(org, login_as):
    report = make_report(org, org.manager)
    SavedReport.unscoped.filter(pk=report.pk).update(version=5)
    response = login_as(org.manager).post(reverse("analytics:report-update", args=[report.pk]),
                                          {**QUERY, "name": "Stale", "version": 1})
    assert response.status_code == 409
    report.refresh_from_db()
    assert (report.name, report.version) == ("Revenue by channel", 5)


def test_a_shared_report_is_read_only_for_readers(org, login_as):
    report = make_report(org, org.manager, team=org.sales)
    client = login_as(org.rep)
    assert client.post(reverse("analytics:report-update", args=[report.pk]),
                       {**QUERY, "name": "Hijack"}).status_code == 403
    assert client.get(reverse("analytics:report-delete", args=[report.pk])).status_code == 403
    assert client.post(reverse("analytics:report-delete", args=[report.pk])).status_code == 403
    report.refresh_from_db()
    assert report.name == "Revenue by channel"


def test_delete_asks_then_deletes(org, login_as):
    report = make_report(org, org.rep)
    ReportSubscription.unscoped.create(workspace=org.workspace, report=report, user=org.rep, weekday=1)
    client = login_as(org.rep)
    confirm = client.get(reverse("analytics:report-delete", args=[report.pk]))
    assert confirm.status_code == 200
    assert "Its weekly email to 1 person stops." in confirm.content.decode()
    assert SavedReport.unscoped.filter(pk=report.pk).exists()
    done = client.post(reverse("analytics:report-delete", args=[report.pk]))
    assert done.status_code == 302 and done["Location"] == reverse("analytics:reports-saved")
    assert not SavedReport.unscoped.exists() and not ReportSubscription.unscoped.exists()
    assert AuditEntry.objects.filter(action="analytics.report.delete").count() == 1


def test_the_saved_list_pages_and_shows_own_and_shared(org, login_as, django_assert_max_num_queries):
    for n in range(23):
        make_report(org, org.rep, name=f"Report {n:02d}")
    shared = make_report(org, org.manager, name="Team numbers", team=org.north)
    ReportSubscription.unscoped.create(workspace=org.workspace, report=shared, user=org.rep, weekday=4)
    make_report(org, org.rep_south, name="Someone else's")
    client = login_as(org.rep)
    client.get(reverse("analytics:reports-saved"))
    with django_assert_max_num_queries(12):
        first = client.get(reverse("analytics:reports-saved"))
    html = first.content.decode()
    assert html.count("data-report=") == 20
    assert "Page 1 of 2" in html
    second = client.get(reverse("analytics:reports-saved") + "?page=2").content.decode()
    assert second.count("data-report=") == 4
    assert "Team numbers" in second and "Friday" in second
    assert "Someone else" not in html + second
    # the query count does not grow with the page
    with django_assert_max_num_queries(12):
        client.get(reverse("analytics:reports-saved") + "?page=2")


def test_the_saved_list_is_empty_at_first(org, login_as):
    html = login_as(org.marketer).get(reverse("analytics:reports-saved")).content.decode()
    assert 'id="saved-reports-empty"' in html
