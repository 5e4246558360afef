"""The one visibility rule: Viewer.can_see and visible_q agree for every scope."""

from __future__ import annotations

from django.db.models import Q
from hypothesis import given
from hypothesis import strategies as st

from voronka.core.visibility import Viewer, VisibilityScope, visible_q


def _viewer(scope: VisibilityScope, team_ids: frozenset[int] = frozenset()) -> Viewer:
    return Viewer(user_id=7, workspace_id=1, scope=scope, team_ids=team_ids)


def test_all_scope_sees_everything_and_filters_nothing():
    viewer = _viewer(VisibilityScope.ALL)
    assert viewer.can_see(owner_id=99, team_id=None) is True
    assert viewer.can_see(owner_id=None, team_id=5) is True
    assert visible_q(viewer) == Q()


def test_own_scope_sees_own_rows_only():
    viewer = _viewer(VisibilityScope.OWN, frozenset({3}))
    assert viewer.can_see(owner_id=7, team_id=None) is True
    assert viewer.can_see(owner_id=8, team_id=3) is False  # team ids are ignored for OWN
    assert viewer.can_see(owner_id=None, team_id=None) is False
    assert visible_q(viewer) == Q(owner_id=7)
    assert visible_q(viewer, owner_field="user", team_field="team") == Q(user_id=7)


def test_team_scope_sees_own_rows_and_the_teams_rows():
    viewer = _viewer(VisibilityScope.TEAM, frozenset({5, 3}))
    assert viewer.can_see(owner_id=7, team_id=None) is True
    assert viewer.can_see(owner_id=8, team_id=3) is True
    assert viewer.can_see(owner_id=8, team_id=4) is False
    assert viewer.can_see(owner_id=8, team_id=None) is False
    assert visible_q(viewer) == Q(owner_id=7) | Q(team_id__in=[3, 5])
    assert visible_q(viewer, owner_field="user", team_field="team") == Q(user_id=7) | Q(team_id__in=[3, 5])


def test_team_scope_without_a_team_field_falls_back_to_own_rows():
    viewer = _viewer(VisibilityScope.TEAM, frozenset({3}))
    assert visible_q(viewer, team_field=None) == Q(owner_id=7)


@given(
    scope=st.sampled_from(list(VisibilityScope)),
    team_ids=st.frozensets(st.integers(1, 6), max_size=4),
    owner_id=st.one_of(st.none(), st.integers(5, 9)),
    team_id=st.one_of(st.none(), st.integers(1, 6)),
)
def test_can_see_matches_the_q_filter(scope, team_ids, owner_id, team_id):
    # visible_q evaluated by hand on one row equals can_see for that row
    viewer = _viewer(scope, team_ids)
    q = visible_q(viewer)

    def matches(node: Q) -> bool:
        results = []
        for child in node.children:
            if isinstance(child, Q):
                results.append(matches(child))
                continue
            key, value = child
            if key == "owner_id":
                results.append(owner_id == value)
            elif key == "team_id__in":
                results.append(team_id in value)
            else:  # pragma: no cover
                raise AssertionError(key)
        if not results:
            return True
        return any(results) if node.connector == Q.OR else all(results)

    assert matches(q) is viewer.can_see(owner_id=owner_id, team_id=team_id)
