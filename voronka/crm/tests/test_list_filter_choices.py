"""The owner and team filters of the CRM lists name only the people and teams whose records the viewer sees."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import Org
from voronka.accounts.models import Membership
from voronka.crm.selectors.people import visible_member_list, visible_team_list

EVERYONE = {"admin", "manager", "rep", "rep_south", "marketer"}


def _options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return set() if select is None else set(re.findall(r"<option value=\"(\d+)\"", select.group(1)))


def _ids(org: Org, *people: str) -> set[str]:
    return {str(getattr(org, person).pk) for person in people}


@pytest.mark.parametrize(
    ("role", "members", "teams"),
    [
        ("admin", EVERYONE, {"sales", "north", "south"}),
        ("marketer", EVERYONE, {"sales", "north", "south"}),
        ("manager", {"manager", "rep", "rep_south"}, {"sales", "north", "south"}),
        ("rep", {"rep"}, set()),
    ],
)
def test_each_role_gets_the_members_and_teams_it_may_see(org: Org, scoped, role: str, members: set[str],
                                                         teams: set[str]) -> None:
    actor = org.actor(getattr(org, role))
    assert {m.user_id for m in visible_member_list(actor=actor)} == {getattr(org, p).pk for p in members}
    assert {t.pk for t in visible_team_list(actor=actor)} == {getattr(org, t).pk for t in teams}


def test_a_rep_who_sees_the_team_gets_the_team_and_its_members(org: Org, scoped) -> None:
    # Given a workspace where reps see their team's records, and a second rep in North
    org.workspace.reps_see_team = True
    org.workspace.save()
    from voronka.accounts.tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory(email="colleague@acme.test")
    MembershipFactory(workspace=org.workspace, user=colleague, role="rep", team=org.north)
    # Then the rep's filters name North and its two reps, nobody from South or above
    actor = org.actor(org.rep)
    assert {m.user_id for m in visible_member_list(actor=actor)} == {org.rep.pk, colleague.pk}
    assert [t.pk for t in visible_team_list(actor=actor)] == [org.north.pk]


def test_inactive_members_are_not_offered(org: Org, scoped) -> None:
    Membership.objects.filter(user=org.rep_south).update(is_active=False)
    actor = org.actor(org.manager)
    assert {m.user_id for m in visible_member_list(actor=actor)} == {org.manager.pk, org.rep.pk}


@pytest.mark.parametrize("page", ["crm:deal-list", "crm:company-list", "crm:contact-list", "crm:activity-list"])
def test_the_list_pages_offer_only_visible_people(org: Org, login_as, page: str) -> None:
    # A rep's panel names the rep alone and has no team filter; the manager's names the Sales subtree
    rep_html = login_as(org.rep).get(reverse(page)).content.decode()
    assert _options(rep_html, "owner") == _ids(org, "rep")
    assert '<select name="team"' not in rep_html
    manager_html = login_as(org.manager).get(reverse(page)).content.decode()
    assert _options(manager_html, "owner") == _ids(org, "manager", "rep", "rep_south")
    assert not ({str(org.admin.pk), str(org.marketer.pk)} & _options(manager_html, "owner"))


def test_filtering_by_someone_not_offered_is_a_field_error_and_shows_nothing_of_theirs(org: Org, login_as) -> None:
    from voronka.crm.tests.factories import make_deal, make_pipeline

    make_deal(make_pipeline(org.workspace), org.rep_south, title="Southern deal")
    response = login_as(org.rep).get(reverse("crm:deal-list"), {"owner": org.rep_south.pk})
    assert response.status_code == 200
    assert "Southern deal" not in response.content.decode()
