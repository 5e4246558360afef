"""Every metric × every slice it supports, by month, on the demo company, against pandas.

The reference reads the raw rows with `.values()` and computes each definition from the glossary
on its own (groupby in the workspace's time zone with `tz_convert`), sharing no code with the engine.
Counts must match exactly; money, ratios and medians to a relative 1e-6. The same file runs on
SQLite and on PostgreSQL. The engine answers from the daily rollups where they are exact
(test_engine_values.py checks both routes on hand-worked values, test_rollups.py that they agree).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from django.db import connection, transaction
from django.utils import timezone

from voronka.accounts.actor import Actor, actor_for
from voronka.accounts.models import Membership, Team, User, Workspace
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Activity, Contact, Deal, DealLineItem, Stage, StageTransition
from voronka.demo.generator import demo_load
from voronka.metrics.catalogue import metric_get, metrics_all
from voronka.metrics.rollups.build import rollups_refresh
from voronka.metrics.selectors import metric_query_for
from voronka.metrics.spec import metric_query_build

TZ = "Europe/Moscow"
ZERO_WHEN_EMPTY = {"new_leads", "new_deals", "deals_won", "deals_lost", "revenue", "gross_profit", "pipeline_value",
                   "weighted_pipeline", "activities_done", "stalled_deals"}
CASES = [(m.key, s) for m in metrics_all() for s in [None, *sorted(m.slices - {"stage"})]
         if not (m.required_slices and s is None)]


@dataclass
class Demo:
    workspace: Workspace
    now: dt.datetime
    date_from: dt.date
    date_to: dt.date
    deals: pd.DataFrame
    lines: pd.DataFrame
    contacts: pd.DataFrame
    activities: pd.DataFrame
    reached: pd.Series  # deal id → the highest order of an open or won stage it entered
    ladders: dict[int, list[tuple[int, int]]]  # pipeline → [(order, stage id)] of open and won stages
    admin: User
    manager: User  # moved to manage Москва only, so the subtree is a part of the company
    rep: User
    manager_teams: frozenset[int]


def _frame(rows: list[dict[str, Any]], money: tuple[str, ...] = (), times: tuple[str, ...] = ()) -> pd.DataFrame:
    df = pd.DataFrame.from_records(rows)
    for column in money:
        df[column] = df[column].map(lambda v: float(v) if v is not None else math.nan)
    for column in times:
        df[column] = pd.to_datetime(df[column], utc=True).dt.tz_convert(TZ)
    return df


def _text(value: Any) -> Any:
    return None if value is None or value == "" else value


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Demo]:
    """The scale-1 demo company, loaded once for this module and rolled back after it, read into pandas."""
    with django_db_blocker.unblock(), transaction.atomic():
        workspace = demo_load().workspace
        ws = workspace.pk
        # The engine reads the daily rollups here; the update below leaves change markers on some of
        # the open deals' days, so those days come from the rows: both routes meet the reference.
        rollups_refresh(workspace_id=ws, time_zone=workspace.time_zone, rebuild=True)
        # some deals carry their own probability, so the weighted pipeline has both kinds
        open_ids = list(Deal.unscoped.filter(workspace_id=ws, status="open").order_by("pk")
                        .values_list("pk", flat=True))
        Deal.unscoped.filter(pk__in=open_ids[::7]).update(probability_override=35)
        # Check the load's deferred foreign keys once now: PostgreSQL would otherwise re-check all of
        # them at the end of every test (each test's savepoint rollback puts them back in the queue).
        connection.check_constraints()
        now = timezone.now()
        today = now.astimezone(dt.timezone(dt.timedelta(hours=3))).date()
        deals = _frame(list(Deal.unscoped.filter(workspace_id=ws).values(
            "id", "owner_id", "team_id", "pipeline_id", "channel_id", "lead_source", "company__industry", "status",
            "amount", "cost", "created_at", "closed_at", "expected_close_date", "probability_override",
            "stage__probability", "stage_entered_at", "stage__stalled_after_days", "channel__fee_percent")),
            money=("amount", "cost", "channel__fee_percent"), times=("created_at", "closed_at", "stage_entered_at"))
        deals["lead_source"] = deals["lead_source"].map(_text)
        deals["industry"] = deals["company__industry"].map(_text)
        deals["fee"] = deals["channel__fee_percent"].fillna(0.0) / 100
        lines = _frame(list(DealLineItem.unscoped.filter(workspace_id=ws).values(
            "id", "deal_id", "product_id", "quantity", "unit_price", "discount_percent", "unit_cost")),
            money=("quantity", "unit_price", "discount_percent", "unit_cost"))
        linked = set(Deal.contacts.through.objects.filter(deal__workspace_id=ws).values_list("contact_id", flat=True))
        contacts = _frame(list(Contact.unscoped.filter(workspace_id=ws).values(
            "id", "owner_id", "team_id", "lead_source", "company__industry", "company__channel_id", "created_at")),
            times=("created_at",))
        contacts["lead_source"] = contacts["lead_source"].map(_text)
        contacts["industry"] = contacts["company__industry"].map(_text)
        contacts["has_deal"] = contacts["id"].isin(linked)
        activities = _frame(list(Activity.unscoped.filter(workspace_id=ws).values(
            "id", "owner_id", "team_id", "kind", "deal__pipeline_id", "done_at")), times=("done_at",))
        moves = pd.DataFrame.from_records(list(StageTransition.unscoped.filter(
            workspace_id=ws, to_stage__kind__in=["open", "won"]).values("deal_id", "to_stage__order")))
        ladders: dict[int, list[tuple[int, int]]] = {}
        for pipeline_id, order, pk in Stage.unscoped.filter(workspace_id=ws, kind__in=["open", "won"]).order_by(
                "pipeline_id", "order", "pk").values_list("pipeline_id", "order", "pk"):
            ladders.setdefault(pipeline_id, []).append((order, pk))
        manager = User.objects.get(email="manager@voronka.test")
        Membership.unscoped.filter(workspace_id=ws, user=manager).update(
            team=Team.unscoped.get(workspace_id=ws, name="Москва"))
        manager_actor = actor_for(user=manager, workspace_id=ws)
        assert manager_actor is not None
        yield Demo(
            workspace=workspace, now=now, date_from=today - dt.timedelta(days=520),
            date_to=today + dt.timedelta(days=200), deals=deals, lines=lines, contacts=contacts,
            activities=activities, reached=moves.groupby("deal_id")["to_stage__order"].max(), ladders=ladders,
            admin=User.objects.get(email="admin@voronka.test"), manager=manager,
            rep=User.objects.get(email="rep@voronka.test"),
            manager_teams=manager_actor.viewer.team_ids,
        )
        transaction.set_rollback(True)


@pytest.fixture
def scoped_demo(demo: Demo, db: None) -> Iterator[Demo]:
    with workspace_scope(demo.workspace):
        yield demo


# ---- the reference ----------------------------------------------------------------------------

def _norm(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Reference:
    """Each metric's definition recomputed from the raw rows one actor may see."""

    def __init__(self, demo: Demo, visible_to: str) -> None:
        self.demo = demo
        deals, contacts, activities = demo.deals, demo.contacts, demo.activities
        if visible_to != "admin":
            user = getattr(demo, visible_to)
            teams = demo.manager_teams if visible_to == "manager" else frozenset()
            deals = deals[(deals.owner_id == user.pk) | deals.team_id.isin(teams)]
            contacts = contacts[(contacts.owner_id == user.pk) | contacts.team_id.isin(teams)]
            activities = activities[(activities.owner_id == user.pk) | activities.team_id.isin(teams)]
        self.deals, self.contacts, self.activities = deals, contacts, activities
        lines = demo.lines.merge(deals, left_on="deal_id", right_on="id", suffixes=("", "_deal"))
        lines["total"] = lines.quantity * lines.unit_price * (100 - lines.discount_percent) / 100
        lines["profit"] = lines.total - lines.quantity * lines.unit_cost - lines.total * lines.fee
        self.lines = lines
        self.with_lines = set(lines.deal_id)

    # rows in the period, with their local month
    def _dated(self, df: pd.DataFrame, column: str) -> pd.DataFrame:
        d = self.demo
        if column == "expected_close_date":
            day = pd.to_datetime(df[column])
            keep = day.notna() & (day.dt.date >= d.date_from) & (day.dt.date <= d.date_to)
            out = df[keep].copy()
            out["_bucket"] = day[keep].dt.strftime("%Y-%m")
            return out
        local = df[column]
        keep = local.notna() & (local.dt.date >= d.date_from) & (local.dt.date <= d.date_to)
        out = df[keep].copy()
        out["_bucket"] = local[keep].dt.strftime("%Y-%m")
        return out

    @staticmethod
    def _group(df: pd.DataFrame, by: str | None, value: str | None = None, how: str = "sum") -> dict[Any, Any]:
        keys = ["_bucket"] + ([by] if by else [])
        if df.empty:
            return {}
        grouped = df.groupby(keys, dropna=False)
        series = grouped.size() if value is None else getattr(grouped[value], how)()
        result = {}
        for key, number in series.items():
            key = key if isinstance(key, tuple) else (key,)
            result[tuple(_norm(k) for k in key)] = number
        return result

    def _deal_rows(self, by: str | None, frame: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
        """Deals with the column to group by; by product a deal is in the group of each product it has."""
        if by != "product":
            return frame, _deal_column(by) if by else None
        pairs = self.demo.lines[["deal_id", "product_id"]].drop_duplicates()
        exploded = frame.merge(pairs, left_on="id", right_on="deal_id", how="left")
        return exploded, "product_id"

    def count_deals(self, frame: pd.DataFrame, date: str, by: str | None) -> dict[Any, Any]:
        rows, column = self._deal_rows(by, self._dated(frame, date))
        return self._group(rows, column)

    def money(self, kind: str, by: str | None) -> dict[Any, Any]:
        """Revenue ("amount") or gross profit ("profit") of the deals won, dated by the day they were won."""
        won = self.deals[self.deals.status == "won"].copy()
        won["profit"] = won.amount - won.cost - won.amount * won.fee
        if by != "product":
            rows, column = self._deal_rows(by, self._dated(won, "closed_at"))
            return self._group(rows, column, kind)
        lines = self.lines[self.lines.status == "won"]
        by_product = self._group(self._dated(lines, "closed_at"), "product_id", "total" if kind == "amount" else kind)
        bare = won[~won.id.isin(self.with_lines)].copy()
        bare["product_id"] = None
        result = dict(by_product)
        for key, value in self._group(self._dated(bare, "closed_at"), "product_id", kind).items():
            result[key] = result.get(key, 0) + value
        return result

    def value(self, metric: str, by: str | None) -> dict[Any, Any]:
        deals = self.deals
        won, lost = deals[deals.status == "won"], deals[deals.status == "lost"]
        closed = deals[deals.status != "open"]
        if metric == "new_deals":
            return self.count_deals(deals, "created_at", by)
        if metric == "deals_won":
            return self.count_deals(won, "closed_at", by)
        if metric == "deals_lost":
            return self.count_deals(lost, "closed_at", by)
        if metric == "revenue":
            return self.money("amount", by)
        if metric == "gross_profit":
            return self.money("profit", by)
        if metric == "average_check":
            return _divide(self.money("amount", by), self.count_deals(won, "closed_at", by), money=True)
        if metric == "gross_margin":
            return _divide(self.money("profit", by), self.money("amount", by))
        if metric == "win_rate":
            return _divide(self.count_deals(won, "closed_at", by), self.count_deals(closed, "closed_at", by))
        if metric == "sales_cycle":
            rows = self._dated(won, "closed_at")
            rows["days"] = (rows.closed_at - rows.created_at).dt.total_seconds() / 86400
            return self._group(rows, _deal_column(by) if by else None, "days", how="median")
        if metric in ("pipeline_value", "weighted_pipeline"):
            rows = self._dated(deals[deals.status == "open"], "expected_close_date")
            probability = rows.probability_override.fillna(rows.stage__probability).astype(float)
            rows["weighted"] = rows.amount * probability / 100
            return self._group(rows, _deal_column(by) if by else None,
                               "amount" if metric == "pipeline_value" else "weighted")
        if metric == "stalled_deals":
            rows = deals[(deals.status == "open") & deals.stage__stalled_after_days.notna()].copy()
            limit = self.demo.now - pd.to_timedelta(rows.stage__stalled_after_days.astype(float), unit="D")
            rows = rows[rows.stage_entered_at < limit]
            rows["_bucket"] = "total"
            return self._group(rows, _deal_column(by) if by else None)
        if metric in ("new_leads", "lead_to_deal"):
            rows = self._dated(self.contacts, "created_at")
            column = {"owner": "owner_id", "team": "team_id", "channel": "company__channel_id"}.get(by or "", by)
            leads = self._group(rows, column)
            if metric == "new_leads":
                return leads
            return _divide(self._group(rows[rows.has_deal], column), leads)
        if metric == "activities_done":
            rows = self._dated(self.activities, "done_at")
            column = {"owner": "owner_id", "team": "team_id", "activity_type": "kind",
                      "pipeline": "deal__pipeline_id"}.get(by or "", by)
            return self._group(rows, column)
        raise AssertionError(metric)

    def stage_conversion(self, by: str | None) -> dict[Any, Any]:
        cohort = self._dated(self.deals, "created_at")
        cohort = cohort.assign(top=cohort.id.map(self.demo.reached)).dropna(subset=["top"])
        column = _deal_column(by) if by else None
        keys = ["_bucket", "pipeline_id"] + ([column] if column else [])
        result: dict[Any, Any] = {}
        for key, group in cohort.groupby(keys, dropna=False):
            bucket, pipeline_id, *rest = key
            ladder = self.demo.ladders[int(pipeline_id)]
            for (order, stage_id), (next_order, _) in itertools.pairwise(ladder):
                entered = int((group.top >= order).sum())
                moved = int((group.top >= next_order).sum())
                result[(bucket, *(_norm(v) for v in rest), stage_id)] = moved / entered if entered else None
        return result


def _deal_column(by: str) -> str:
    return {"owner": "owner_id", "team": "team_id", "pipeline": "pipeline_id", "channel": "channel_id",
            "lead_source": "lead_source", "industry": "industry"}[by]


def _divide(top: dict[Any, Any], bottom: dict[Any, Any], money: bool = False) -> dict[Any, Any]:
    result = {}
    for key, denominator in bottom.items():
        if denominator:
            result[key] = top.get(key, 0) / denominator
    return result


# ---- the comparison ---------------------------------------------------------------------------

def _engine(demo: Demo, actor: Actor, metric: str, slices: list[str]) -> dict[Any, Any]:
    snapshot = metric_get(metric).is_snapshot  # type: ignore[union-attr]
    query = metric_query_build(metrics=[metric], slices=slices, granularity="total" if snapshot else "month",
                               date_from=demo.date_from, date_to=demo.date_to)
    result = metric_query_for(actor=actor, query=query, now=demo.now)
    if not snapshot:
        months = sorted({f"{d:%Y-%m}" for d in pd.date_range(demo.date_from, demo.date_to)})
        assert [b.key for b in result.buckets] == months
    return {(row.bucket, *row.slices): row.values[metric] for row in result.rows}


def _assert_same(metric: str, engine: dict[Any, Any], expected: dict[Any, Any]) -> None:
    empty = 0 if metric in ZERO_WHEN_EMPTY else None
    exact = metric_get(metric).unit == "count"  # type: ignore[union-attr]
    assert expected, "the reference found no rows: the case tests nothing"
    mismatches = []
    for key in sorted(set(engine) | set(expected), key=str):
        got, want = engine.get(key, empty), expected.get(key, empty)
        if want is None or got is None:
            ok = got is None and want is None
        elif exact:
            ok = type(got) is int and got == want
        else:
            ok = float(got) == pytest.approx(float(want), rel=1e-6, abs=0.006)
        if not ok:
            mismatches.append((key, got, want))
    assert not mismatches, mismatches[:10]


@pytest.mark.parametrize(("metric", "slice_key"), CASES, ids=[f"{m}-{s or 'none'}" for m, s in CASES])
def test_metric_by_slice_and_month_matches_pandas(scoped_demo: Demo, metric: str, slice_key: str | None) -> None:
    demo = scoped_demo
    actor = actor_for(user=demo.admin, workspace_id=demo.workspace.pk)
    assert actor is not None
    reference = Reference(demo, "admin")
    if metric == "stage_conversion":
        slices = [slice_key, "stage"] if slice_key else ["stage"]
        expected = reference.stage_conversion(slice_key)
    else:
        slices = [slice_key] if slice_key else []
        expected = reference.value(metric, slice_key)
    _assert_same(metric, _engine(demo, actor, metric, slices), expected)


@pytest.mark.parametrize("who", ["manager", "rep"])
@pytest.mark.parametrize("metric", sorted({m for m, _s in CASES}))
def test_what_a_manager_and_a_rep_see_matches_pandas_on_their_rows(scoped_demo: Demo, metric: str, who: str) -> None:
    demo = scoped_demo
    actor = actor_for(user=getattr(demo, who), workspace_id=demo.workspace.pk)
    assert actor is not None
    reference = Reference(demo, who)
    # the manager of one team sees a real part of the company, the rep a smaller one
    assert 0 < len(reference.deals) < len(demo.deals)
    slice_key = "owner" if who == "manager" else None
    if metric == "stage_conversion":
        slices = [slice_key, "stage"] if slice_key else ["stage"]
        expected = reference.stage_conversion(slice_key)
    else:
        slices = [slice_key] if slice_key else []
        expected = reference.value(metric, slice_key)
    _assert_same(metric, _engine(demo, actor, metric, slices), expected)
