"""Board reads: one aggregate query for all column totals, visibility, filters in the workspace zone, paging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Org
from voronka.channels.models import SalesChannel
from voronka.crm.selectors.board import (
    BoardFilters,
    BoardSort,
    ColumnTotals,
    board_cards,
    board_column_totals,
)
from voronka.crm.tests.factories import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")


def test_totals_are_one_query_and_match_the_visible_deals(org: Org, scoped, django_assert_num_queries) -> None:
    pipeline = make_pipeline(org.workspace)
    make_deal(pipeline, owner=org.rep, amount="100.10")
    make_deal(pipeline, owner=org.rep, stage_name="Proposal", amount=400, probability_override=0)
    make_deal(pipeline, owner=org.rep_south, amount=1000)
    make_deal(pipeline, owner=org.rep, stage_name="Lost", amount=5)
    rep_actor = org.actor(org.rep)
    with django_assert_num_queries(1):
        rep = board_column_totals(actor=rep_actor, pipeline=pipeline, filters=BoardFilters())
    lead, proposal = stage(pipeline, "Lead").pk, stage(pipeline, "Proposal").pk
    assert rep == {
        lead: ColumnTotals(1, Decimal("100.10"), Decimal("10.01")),
        proposal: ColumnTotals(1, Decimal("400.00"), Decimal("0")),
    }
    admin = board_column_totals(actor=org.actor(org.admin), pipeline=pipeline, filters=BoardFilters())
    assert admin[lead] == ColumnTotals(2, Decimal("1100.10"), Decimal("110.01"))


def test_filters_by_owner_team_channel_and_local_creation_dates(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    channel = SalesChannel.unscoped.create(workspace=org.workspace, name="Web")
    # 23:30 Moscow on 1 March is 20:30 UTC on 1 March; 00:30 Moscow on 2 March is 21:30 UTC on 1 March
    late = make_deal(pipeline, owner=org.rep, channel=channel,
                     created_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=MOSCOW))
    next_day = make_deal(pipeline, owner=org.rep_south,
                         created_at=dt.datetime(2026, 3, 2, 0, 30, tzinfo=MOSCOW))
    actor = org.actor(org.admin)
    lead = stage(pipeline, "Lead")

    def ids(**filters) -> list[int]:
        cards, _more = board_cards(actor=actor, stage=lead, filters=BoardFilters(**filters), sort=BoardSort.AGE)
        return [deal.pk for deal in cards]

    assert ids() == [late.pk, next_day.pk]
    assert ids(owner_id=org.rep_south.pk) == [next_day.pk]
    assert ids(team_id=org.north.pk) == [late.pk]
    assert ids(channel_id=channel.pk) == [late.pk]
    assert ids(created_from=dt.date(2026, 3, 2)) == [next_day.pk]
    assert ids(created_to=dt.date(2026, 3, 1)) == [late.pk]


def test_sorting_and_paging(org: Org, scoped) -> None:
    pipeline = make_pipeline(org.workspace)
    now = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    a = make_deal(pipeline, owner=org.rep, amount=1, expected_close_date=dt.date(2026, 2, 1),
                  created_at=now - dt.timedelta(days=3))
    b = make_deal(pipeline, owner=org.rep, amount=3, created_at=now - dt.timedelta(days=1))
    c = make_deal(pipeline, owner=org.rep, amount=2, expected_close_date=dt.date(2026, 1, 20),
                  created_at=now - dt.timedelta(days=2))
    actor, lead = org.actor(org.rep), stage(pipeline, "Lead")

    def ids(sort: BoardSort, **kw) -> list[int]:
        return [d.pk for d in board_cards(actor=actor, stage=lead, filters=BoardFilters(), sort=sort, **kw)[0]]

    assert ids(BoardSort.RECENT) == [b.pk, c.pk, a.pk]
    assert ids(BoardSort.AGE) == [a.pk, c.pk, b.pk]
    assert ids(BoardSort.AMOUNT) == [b.pk, c.pk, a.pk]
    assert ids(BoardSort.CLOSE) == [c.pk, a.pk, b.pk]
    first, more = board_cards(actor=actor, stage=lead, filters=BoardFilters(), sort=BoardSort.AGE, limit=2)
    assert ([d.pk for d in first], more) == ([a.pk, c.pk], True)
    rest, more = board_cards(actor=actor, stage=lead, filters=BoardFilters(), sort=BoardSort.AGE, offset=2, limit=2)
    assert ([d.pk for d in rest], more) == ([b.pk], False)


# The test clears the deals itself, so reusing the org fixture across examples is safe.
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.decimals(min_value=0, max_value=10**9, places=2), min_size=1, max_size=6),
       overrides=st.lists(st.one_of(st.none(), st.integers(0, 100)), min_size=6, max_size=6))
def test_totals_equal_the_sum_over_the_visible_set(org: Org, scoped, amounts, overrides) -> None:
    from voronka.crm.models import Deal, Pipeline

    Deal.unscoped.filter(workspace=org.workspace).delete()
    pipeline = Pipeline.unscoped.filter(workspace=org.workspace).first() or make_pipeline(org.workspace)
    deals = [make_deal(pipeline, owner=org.rep, amount=amount, probability_override=override)
             for amount, override in zip(amounts, overrides, strict=False)]
    totals = board_column_totals(actor=org.actor(org.rep), pipeline=pipeline, filters=BoardFilters())
    lead = totals[stage(pipeline, "Lead").pk]
    expected_weighted = sum((d.amount * (d.probability_override if d.probability_override is not None else 10)
                             for d in deals), Decimal(0)) / 100
    assert lead.count == len(deals)
    assert lead.total == sum((d.amount for d in deals), Decimal(0))
    assert abs(lead.weighted - expected_weighted) < Decimal("0.01")
