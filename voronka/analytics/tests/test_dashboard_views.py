"""Dashboard pages: defaults, the editor (add, remove, reorder, validation), sharing, delete, visibility."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Org
from voronka.analytics.models import Dashboard, DashboardKind, DashboardWidget
from voronka.analytics.services.dashboards import DEFAULT_WIDGETS, dashboard_materialize
from voronka.core.models import AuditEntry
from voronka.core.scoping import workspace_scope
from voronka.crm.tests.factories import make_deal

from .test_dashboard_support import deals_frame, make_sales, revenue

MARCH = "range_preset=custom&date_from=2026-03-01&date_to=2026-03-31"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tile_values(html: str) -> dict[str, str]:
    """metric key → the number a tile shows."""
    found = {}
    for match in re.finditer(r'data-metric="(\w+)".*?class="tile-value[^"]*">(?:<a [^>]*>)?([^<]+)<', html, re.S):
        found[match.group(1)] = match.group(2).strip()
    return found


def figures(html: str) -> dict[str, Any]:
    return {m.group(1): json.loads(m.group(2)) for m in
            re.finditer(r'<script id="(dashboard-figure-\d+)" type="application/json">(.*?)</script>', html, re.S)}


def materialize(org: Org, user: Any, kind: str = DashboardKind.COMPANY) -> Dashboard:
    with workspace_scope(org.workspace):
        return dashboard_materialize(actor=org.actor(user), kind=kind)


def widgets_of(dashboard: Dashboard) -> list[tuple[str, str, str]]:
    return list(DashboardWidget.unscoped.filter(dashboard=dashboard).order_by("position")
                .values_list("metric", "chart", "slice"))


def editor_post(dashboard: Dashboard, widgets: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": dashboard.name, "range_preset": "this_month", "version": dashboard.version,
                            "w-TOTAL_FORMS": len(widgets), "w-INITIAL_FORMS": 0, "w-MIN_NUM_FORMS": 0,
                            "w-MAX_NUM_FORMS": 30}
    data.update(header)
    for index, widget in enumerate(widgets):
        for key, value in widget.items():
            data[f"w-{index}-{key}"] = value
    return data


# ---- defaults ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["analytics:dashboards", "analytics:dashboard-team", "analytics:dashboard-personal"])
@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_default_dashboards_render_their_layout_without_saving_it(org: Org, name: str, role: str) -> None:
    response = client_for(getattr(org, role)).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="card h-100 dashboard-') == 10
    assert 'src="/static/plotly/plotly.min.js"' in html
    assert 'src="/static/analytics/charts.js"' in html
    assert "<script>" not in html  # nothing inline (CSP)
    assert Dashboard.unscoped.count() == 0


def test_team_and_personal_dashboards_filter_by_the_viewers_team_and_self(org: Org) -> None:
    make_sales(org)
    rep = client_for(org.rep)
    team = rep.get(reverse("analytics:dashboard-team") + "?" + MARCH + f"&team={org.north.pk}").content.decode()
    assert tile_values(team)["revenue"] == "₽1,000"
    personal = client_for(org.manager).get(reverse("analytics:dashboard-personal") + "?" + MARCH
                                           + f"&owner={org.manager.pk}").content.decode()
    assert tile_values(personal)["revenue"] == "₽4,000"
    # without a query string the saved (default) filters apply: the rep's team, the manager's own deals
    assert f'value="{org.north.pk}" selected' in rep.get(reverse("analytics:dashboard-team")).content.decode()
    admin_team = client_for(org.admin).get(reverse("analytics:dashboard-team")).content.decode()
    assert "You are not in a team" in admin_team


def test_a_team_filter_covers_the_teams_below_it(org: Org) -> None:
    make_sales(org)
    html = client_for(org.admin).get(reverse("analytics:dashboards") + "?" + MARCH
                                     + f"&team={org.sales.pk}").content.decode()
    # Sales holds only its subteams' deals (North 1000, South 3000) and the manager's (4000)
    assert tile_values(html)["revenue"] == "₽8,000"
    html = client_for(org.admin).get(reverse("analytics:dashboards") + "?" + MARCH
                                     + f"&team={org.south.pk}").content.decode()
    assert tile_values(html)["revenue"] == "₽3,000"


def test_bad_filter_input_is_shown_and_the_saved_view_used(org: Org) -> None:
    client = client_for(org.admin)
    response = client.get(reverse("analytics:dashboards") + "?range_preset=custom&date_from=2026-03-10"
                          "&date_to=2026-03-01&team=999999&owner=abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The period ends before it starts." in html
    assert "Select a valid choice." in html
    response = client.get(reverse("analytics:dashboards") + "?range_preset=nonsense")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


# ---- customise and edit ------------------------------------------------------------------------------

def test_edit_saves_the_default_once_and_opens_the_editor(org: Org) -> None:
    client = client_for(org.rep)
    for _ in range(2):
        response = client.post(reverse("analytics:dashboard-customise", args=["company"]))
        assert response.status_code == 302
    dashboard = Dashboard.unscoped.get(owner=org.rep, kind="company")
    assert response["Location"] == reverse("analytics:dashboard-edit", args=[dashboard.pk])
    assert widgets_of(dashboard) == [(w.metric, w.chart, w.slice) for w in DEFAULT_WIDGETS["company"]]
    assert client.post(reverse("analytics:dashboard-customise", args=["nope"])).status_code == 404
    editor = client.get(response["Location"])
    assert editor.status_code == 200
    assert editor.content.decode().count('data-widget-row') == 10 + 1 + 1  # rows, the blank row, the template
    # once saved, the company tab shows the saved dashboard
    assert client.get(reverse("analytics:dashboards")).context["dashboard"].pk == dashboard.pk


def test_widgets_are_added_removed_and_reordered_together(org: Org) -> None:
    dashboard = materialize(org, org.manager)
    posted = [
        {"metric": "revenue", "chart": "tile", "slice": "", "ORDER": 2},
        {"metric": "deals_won", "chart": "tile", "slice": "", "ORDER": 1},
        {"metric": "win_rate", "chart": "tile", "slice": "", "ORDER": 3, "DELETE": "on"},
        {"metric": "gross_profit", "chart": "bar", "slice": "product", "ORDER": 4},  # added
        {"metric": "", "chart": "tile", "slice": ""},  # the blank row, left empty
    ]
    response = client_for(org.manager).post(reverse("analytics:dashboard-edit", args=[dashboard.pk]),
                                            editor_post(dashboard, posted, name="Mine", range_preset="this_quarter",
                                                        channel=""))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("analytics:dashboards")
    saved = Dashboard.unscoped.get(pk=dashboard.pk)
    assert (saved.name, saved.range_preset, saved.version) == ("Mine", "this_quarter", dashboard.version + 1)
    assert widgets_of(saved) == [("deals_won", "tile", ""), ("revenue", "tile", ""), ("gross_profit", "bar", "product")]


@pytest.mark.parametrize(("widget", "field", "message"), [
    ({"metric": "revenue", "chart": "tile", "slice": "owner"}, "slice", "A tile shows one number"),
    ({"metric": "revenue", "chart": "funnel", "slice": ""}, "chart", "A funnel shows a conversion by stage"),
    ({"metric": "stage_conversion", "chart": "tile", "slice": ""}, "slice", "needs the slice"),
    ({"metric": "stalled_deals", "chart": "line", "slice": ""}, "chart", "snapshot"),
    ({"metric": "activities_done", "chart": "bar", "slice": "channel"}, "slice", "cannot be broken down by"),
    ({"metric": "sales_cycle", "chart": "table", "slice": "product"}, "slice", "cannot be broken down by"),
])
def test_incompatible_widgets_are_refused_with_a_message_and_nothing_is_saved(
        org: Org, widget: dict[str, str], field: str, message: str) -> None:
    dashboard = materialize(org, org.admin)
    before = widgets_of(dashboard)
    rows = [{"metric": "revenue", "chart": "tile", "slice": "", "ORDER": 1}, {**widget, "ORDER": 2}]
    response = client_for(org.admin).post(reverse("analytics:dashboard-edit", args=[dashboard.pk]),
                                          editor_post(dashboard, rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_w-1-{field}-errors"' in html  # the message sits under the field at fault
    assert widgets_of(dashboard) == before
    assert Dashboard.unscoped.get(pk=dashboard.pk).version == dashboard.version


@pytest.mark.parametrize("data", [
    {"name": "", "range_preset": "this_month"},
    {"name": "x" * 101},
    {"range_preset": "custom", "date_from": "2026-03-10", "date_to": "2026-03-01"},
    {"range_preset": "custom", "date_from": "not a date"},
    {"team": "99999"},
    {"w-0-metric": "no_such_metric"},
    {"w-0-chart": "pie"},
    {"w-TOTAL_FORMS": "1000"},
    {"w-TOTAL_FORMS": "x"},
])
def test_bad_editor_input_is_refused_and_nothing_changes(org: Org, data: dict[str, str]) -> None:
    dashboard = materialize(org, org.admin)
    before = widgets_of(dashboard)
    posted = editor_post(dashboard, [{"metric": "revenue", "chart": "tile", "slice": "", "ORDER": 1}])
    posted.update(data)
    response = client_for(org.admin).post(reverse("analytics:dashboard-edit", args=[dashboard.pk]), posted)
    assert response.status_code == 400
    assert widgets_of(dashboard) == before
    assert Dashboard.unscoped.get(pk=dashboard.pk).name == dashboard.name


def test_a_stale_editor_gets_a_conflict_and_the_newer_save_stays(org: Org) -> None:
    dashboard = materialize(org, org.admin)
    client = client_for(org.admin)
    first = editor_post(dashboard, [{"metric": "revenue", "chart": "tile", "ORDER": 1}], name="First")
    assert client.post(reverse("analytics:dashboard-edit", args=[dashboard.pk]), first).status_code == 302
    stale = editor_post(dashboard, [{"metric": "win_rate", "chart": "tile", "ORDER": 1}], name="Second")
    response = client.post(reverse("analytics:dashboard-edit", args=[dashboard.pk]), stale)
    assert response.status_code == 409
    assert "Someone else changed" in response.content.decode()
    assert Dashboard.unscoped.get(pk=dashboard.pk).name == "First"
    assert widgets_of(dashboard) == [("revenue", "tile", "")]


def test_create_a_custom_dashboard(org: Org) -> None:
    client = client_for(org.rep)
    assert client.get(reverse("analytics:dashboard-create")).status_code == 200
    assert client.post(reverse("analytics:dashboard-create"), {"name": "  "}).status_code == 400
    response = client.post(reverse("analytics:dashboard-create"), {"name": "Calls  this week"})
    dashboard = Dashboard.unscoped.get(owner=org.rep, kind="custom")
    assert response["Location"] == reverse("analytics:dashboard-edit", args=[dashboard.pk])
    assert dashboard.name == "Calls this week"
    html = client.get(reverse("analytics:dashboard-detail", args=[dashboard.pk])).content.decode()
    assert "This dashboard has no widgets yet." in html


# ---- sharing, read-only, visibility ---------------------------------------------------------------

def _shared(org: Org, team: Any) -> Dashboard:
    dashboard = Dashboard.unscoped.create(workspace=org.workspace, owner=org.admin, name="Revenue board",
                                          shared_team=team, range_preset="custom",
                                          date_from="2026-03-01", date_to="2026-03-31")
    for position, (metric, chart, slice_) in enumerate([("revenue", "tile", ""), ("revenue", "bar", "owner")]):
        DashboardWidget.unscoped.create(workspace=org.workspace, dashboard=dashboard, position=position,
                                        metric=metric, chart=chart, slice=slice_)
    return dashboard


def test_a_shared_dashboard_shows_each_viewer_only_the_numbers_they_may_see(org: Org) -> None:
    make_sales(org)
    dashboard = _shared(org, org.sales)
    url = reverse("analytics:dashboard-detail", args=[dashboard.pk])
    frame = deals_frame(org)
    march = ("2026-03-01", "2026-03-31")
    expected = {
        "admin": revenue(frame, *map(_date, march)),
        "manager": revenue(frame[frame.team_id.isin([org.sales.pk, org.north.pk, org.south.pk])
                                 | (frame.owner_id == org.manager.pk)], *map(_date, march)),
        "rep": revenue(frame[frame.owner_id == org.rep.pk], *map(_date, march)),
        "rep_south": revenue(frame[frame.owner_id == org.rep_south.pk], *map(_date, march)),
    }
    assert expected == {"admin": Decimal(8000), "manager": Decimal(8000), "rep": Decimal(1000),
                        "rep_south": Decimal(3000)}
    for who, total in expected.items():
        html = client_for(getattr(org, who)).get(url).content.decode()
        assert tile_values(html)["revenue"] == f"₽{total:,.0f}", who
        (figure,) = figures(html).values()
        bars = dict(zip(figure["data"][0]["y"], figure["data"][0]["x"], strict=True))
        assert sum(bars.values()) == float(total)
        if who.startswith("rep"):
            assert list(bars) == [getattr(org, who).display_name]  # no other rep's numbers
        drill = re.search(r'class="tile-value[^"]*"><a href="([^"]+)"', html).group(1).replace("&amp;", "&")
        rows = client_for(getattr(org, who)).get(drill).context["page"].object_list
        assert sum(deal.amount for deal in rows) == total
    assert client_for(org.marketer).get(url).status_code == 404  # in no team: not shared with them


def _date(value: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(value)


def test_a_shared_dashboard_is_read_only_for_others(org: Org) -> None:
    dashboard = _shared(org, org.north)
    rep = client_for(org.rep)
    html = rep.get(reverse("analytics:dashboard-detail", args=[dashboard.pk])).content.decode()
    assert "read-only" in html
    assert 'id="dashboard-edit"' not in html and 'id="dashboard-delete"' not in html
    for name in ("analytics:dashboard-edit", "analytics:dashboard-delete"):
        assert rep.get(reverse(name, args=[dashboard.pk])).status_code == 403
    posted = editor_post(dashboard, [{"metric": "win_rate", "chart": "tile", "ORDER": 1}], name="Hijacked")
    assert rep.post(reverse("analytics:dashboard-edit", args=[dashboard.pk]), posted).status_code == 403
    assert rep.post(reverse("analytics:dashboard-delete", args=[dashboard.pk])).status_code == 403
    assert rep.post(reverse("analytics:dashboard-share", args=[dashboard.pk]), {"team": ""}).status_code == 403
    # the manager may share their own dashboards, not someone else's shared with them
    for_sales = _shared(org, org.sales)
    assert client_for(org.manager).post(reverse("analytics:dashboard-share", args=[for_sales.pk]),
                                        {"team": ""}).status_code == 403
    assert Dashboard.unscoped.get(pk=for_sales.pk).shared_team_id == org.sales.pk
    dashboard.refresh_from_db()
    assert (dashboard.name, dashboard.shared_team_id) == ("Revenue board", org.north.pk)
    assert widgets_of(dashboard) == [("revenue", "tile", ""), ("revenue", "bar", "owner")]
    # South is not below North: its rep does not see it at all
    assert client_for(org.rep_south).get(reverse("analytics:dashboard-detail", args=[dashboard.pk])).status_code == 404
    listing = rep.get(reverse("analytics:dashboard-list")).content.decode()
    assert "Revenue board" in listing


def test_share_and_unshare_with_an_audit_row(org: Org) -> None:
    dashboard = materialize(org, org.manager)
    client = client_for(org.manager)
    html = client.get(reverse("analytics:dashboards")).content.decode()
    assert 'id="dashboard-share-form"' in html
    response = client.post(reverse("analytics:dashboard-share", args=[dashboard.pk]), {"team": org.north.pk})
    assert response.status_code == 302
    dashboard.refresh_from_db()
    assert dashboard.shared_team_id == org.north.pk
    assert client_for(org.rep).get(reverse("analytics:dashboard-detail", args=[dashboard.pk])).status_code == 200
    client.post(reverse("analytics:dashboard-share", args=[dashboard.pk]), {"team": ""})
    dashboard.refresh_from_db()
    assert dashboard.shared_team_id is None
    assert client_for(org.rep).get(reverse("analytics:dashboard-detail", args=[dashboard.pk])).status_code == 404
    entries = AuditEntry.objects.filter(action="dashboard.share", target_id=str(dashboard.pk)).order_by("id")
    assert [e.diff["shared_team"] for e in entries] == [[None, org.north.pk], [org.north.pk, None]]


def test_a_rep_may_not_share(org: Org) -> None:
    dashboard = materialize(org, org.rep)
    client = client_for(org.rep)
    assert 'id="dashboard-share-form"' not in client.get(reverse("analytics:dashboards")).content.decode()
    assert client.post(reverse("analytics:dashboard-share", args=[dashboard.pk]),
                       {"team": org.north.pk}).status_code == 403
    dashboard.refresh_from_db()
    assert dashboard.shared_team_id is None


def test_sharing_with_another_workspaces_team_is_refused(org: Org, other_org: Org) -> None:
    dashboard = materialize(org, org.admin)
    response = client_for(org.admin).post(reverse("analytics:dashboard-share", args=[dashboard.pk]),
                                          {"team": other_org.north.pk})
    assert response.status_code == 302
    dashboard.refresh_from_db()
    assert dashboard.shared_team_id is None


def test_delete_asks_first_then_deletes_and_the_default_comes_back(org: Org) -> None:
    dashboard = materialize(org, org.admin)
    client = client_for(org.admin)
    confirm = client.get(reverse("analytics:dashboard-delete", args=[dashboard.pk]))
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.content.decode()
    assert Dashboard.unscoped.filter(pk=dashboard.pk).exists()
    response = client.post(reverse("analytics:dashboard-delete", args=[dashboard.pk]))
    assert response["Location"] == reverse("analytics:dashboards")
    assert not Dashboard.unscoped.filter(pk=dashboard.pk).exists()
    assert not DashboardWidget.unscoped.filter(dashboard_id=dashboard.pk).exists()
    assert AuditEntry.objects.filter(action="dashboard.delete", target_id=str(dashboard.pk)).count() == 1
    assert client.get(reverse("analytics:dashboards")).content.decode().count('class="card h-100 dashboard-') == 10


def test_another_workspaces_dashboard_is_404_everywhere(org: Org, other_org: Org) -> None:
    foreign = materialize(other_org, other_org.admin)
    client = client_for(org.admin)
    for name in ("analytics:dashboard-detail", "analytics:dashboard-edit", "analytics:dashboard-delete"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    for name in ("analytics:dashboard-edit", "analytics:dashboard-delete", "analytics:dashboard-share"):
        assert client.post(reverse(name, args=[foreign.pk]), {"team": ""}).status_code == 404
    assert Dashboard.unscoped.filter(pk=foreign.pk).exists()
    assert client.put(reverse("analytics:dashboard-detail", args=[foreign.pk])).status_code == 404


def test_wrong_methods_are_405(org: Org) -> None:
    dashboard = materialize(org, org.admin)
    client = client_for(org.admin)
    assert client.post(reverse("analytics:dashboard-detail", args=[dashboard.pk])).status_code == 405
    assert client.get(reverse("analytics:dashboard-share", args=[dashboard.pk])).status_code == 405
    assert client.get(reverse("analytics:dashboard-customise", args=["company"])).status_code == 405


# ---- query counts ------------------------------------------------------------------------------------

def _queries(client: Client, url: str) -> int:
    client.get(url)  # settle the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_page_query_counts_stay_flat_as_data_grows(org: Org) -> None:
    dashboard = materialize(org, org.manager)
    client = client_for(org.manager)
    pages = [reverse("analytics:dashboards") + "?" + MARCH, reverse("analytics:dashboard-detail", args=[dashboard.pk]),
             reverse("analytics:dashboard-team"), reverse("analytics:dashboard-list"),
             reverse("analytics:dashboard-edit", args=[dashboard.pk]),
             reverse("analytics:dashboard-delete", args=[dashboard.pk])]
    sales = make_sales(org)

    def add_deals(how_many: int) -> None:  # in this month, so the default period has them
        for n in range(how_many):
            make_deal(sales.pipeline, [org.rep, org.rep_south, org.manager][n % 3],
                      stage_name=["Won", "Lost", "Lead"][n % 3], amount=100 + n,
                      channel=[sales.web, sales.partners, None][n % 3])

    add_deals(3)
    small = [_queries(client, url) for url in pages]
    add_deals(30)
    for n in range(3):
        Dashboard.unscoped.create(workspace=org.workspace, owner=org.admin, name=f"Shared {n}", shared_team=org.sales)
    large = [_queries(client, url) for url in pages]
    assert large == small
    assert small[0] <= 35 + 7, small  # + the rollups' coverage and markers, one per engine query
