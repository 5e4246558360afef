"""The channel comparison on the demo company against an independent pandas computation.

pandas reads the raw rows (deals, their channel's fee, contacts with their company's channel and
whether they have a deal) and computes every column from the definitions; the page's numbers come
from the metric engine plus channel_economics.py. Run for an admin (everything) and a rep (own rows).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from voronka.accounts.actor import actor_for
from voronka.accounts.models import Membership
from voronka.analytics.channel_economics import money
from voronka.analytics.report_periods import months_in
from voronka.analytics.selectors.channels import channel_comparison_for
from voronka.channels.models import SalesChannel
from voronka.core.periods import Period
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Contact, Deal
from voronka.demo.generator import demo_load


@pytest.fixture
def demo(db):
    workspace = demo_load(fraction=0.1).workspace
    with workspace_scope(workspace):
        yield workspace


def _frames(workspace, owner_id=None):
    deals = pd.DataFrame.from_records(Deal.objects.filter(workspace=workspace).values(
        "id", "owner_id", "channel_id", "status", "amount", "cost", "created_at", "closed_at"))
    contacts = pd.DataFrame.from_records(Contact.objects.filter(workspace=workspace).values(
        "id", "owner_id", "created_at", "company__channel_id"))
    linked = set(Deal.contacts.through.objects.filter(contact__workspace=workspace).values_list("contact_id",
                                                                                                 flat=True))
    contacts["has_deal"] = contacts["id"].isin(linked)
    if owner_id is not None:
        deals = deals[deals["owner_id"] == owner_id]
        contacts = contacts[contacts["owner_id"] == owner_id]
    return deals, contacts


def _expected(workspace, deals, contacts, start, end):
    tz = ZoneInfo(workspace.time_zone)
    lo = pd.Timestamp(dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    hi = pd.Timestamp(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    channels = {c.pk: c for c in SalesChannel.objects.filter(workspace=workspace)}
    fee = deals["channel_id"].map(lambda c: channels[c].fee_percent if c == c and c is not None else Decimal(0))
    deals = deals.assign(fee=fee)
    created = deals[(deals.created_at >= lo) & (deals.created_at < hi)]
    closed = deals[deals.closed_at.notna() & (deals.closed_at >= lo) & (deals.closed_at < hi)
                   & deals.status.isin(["won", "lost"])]
    won = closed[closed.status == "won"]
    leads = contacts[(contacts.created_at >= lo) & (contacts.created_at < hi)]
    months = months_in(start, end)
    out = {}
    for channel_id, channel in channels.items():
        w = won[won.channel_id == channel_id]
        c = closed[closed.channel_id == channel_id]
        ld = leads[leads.company__channel_id == channel_id]
        revenue = sum(w.amount, Decimal(0))
        profit = sum((a - k - a * f / Decimal(100) for a, k, f in zip(w.amount, w.cost, w.fee, strict=True)),
                     Decimal(0))
        cycles = ((w.closed_at - w.created_at).dt.total_seconds() / 86400).tolist()
        fixed = money(Fraction(channel.fixed_cost_per_month) * months)
        spend = money(Fraction(channel.acquisition_cost) * len(w))
        gp = Decimal(profit).quantize(Decimal("0.01"))
        out[channel_id] = {
            "new_leads": len(ld), "lead_to_deal": ld.has_deal.mean() if len(ld) else None,
            "new_deals": int((created.channel_id == channel_id).sum()), "deals_won": len(w),
            "win_rate": len(w) / len(c) if len(c) else None, "revenue": revenue.quantize(Decimal("0.01")),
            "average_check": (revenue / len(w)).quantize(Decimal("0.01")) if len(w) else None,
            "sales_cycle": float(np.median(cycles)) if cycles else None, "gross_profit": gp,
            "fixed_costs": fixed, "acquisition_spend": spend,
            "cac": money((Fraction(fixed) + Fraction(spend)) / len(w)) if len(w) else None,
            "roi": float((Fraction(gp) - Fraction(fixed) - Fraction(spend)) / (Fraction(fixed) + Fraction(spend)))
            if fixed + spend else None,
        }
    return out


def _check(comparison, expected):
    assert {line.channel_id for line in comparison.lines if line.channel_id} == set(expected)
    for line in comparison.lines:
        if line.channel_id is None:
            continue
        want = expected[line.channel_id]
        got = {**line.numbers, **{key: getattr(line.economics, key)
                                  for key in ("fixed_costs", "acquisition_spend", "cac", "roi")}}
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-9), (line.name, key)
            else:
                assert got[key] == value, (line.name, key)


@pytest.mark.parametrize("role", ["admin", "rep"])
def test_demo_channels_match_pandas(demo, role):
    # given the demo company and a member of it
    membership = Membership.objects.filter(workspace=demo, role=role, is_active=True).order_by("id").first()
    actor = actor_for(user=membership.user, workspace_id=demo.pk)
    # the three whole quarters before this one (the demo company has 18 months of history up to today)
    this_quarter = Period.containing("quarter", dt.date.today())  # noqa: DTZ011 — a window, not a figure
    start, end = this_quarter.previous().previous().previous().start, this_quarter.start - dt.timedelta(days=1)
    deals, contacts = _frames(demo, owner_id=None if role == "admin" else membership.user_id)
    assert len(deals) > 100 if role == "admin" else len(deals) > 5
    # when the comparison runs for three quarters
    comparison = channel_comparison_for(actor=actor, date_from=start, date_to=end)
    # then every channel's every column matches pandas on the raw rows
    _check(comparison, _expected(demo, deals, contacts, start, end))
    assert sum(line.numbers["deals_won"] for line in comparison.lines) == comparison.total.numbers["deals_won"]
