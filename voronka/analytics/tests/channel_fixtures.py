"""A hand-worked quarter for the channel comparison (2026-Q2, Europe/Moscow): the figures are in
test_channel_comparison.py, computed by hand from these rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from conftest import Org
from voronka.channels.models import ChannelKind, SalesChannel
from voronka.crm.models import Deal
from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline

MSK = ZoneInfo("Europe/Moscow")
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=MSK)


@dataclass
class Quarter:
    shop: SalesChannel
    partners: SalesChannel
    idle: SalesChannel
    retired: SalesChannel


def _deal(pipeline: Any, owner: Any, channel: SalesChannel | None, stage: str, amount: str, cost: str,
          created: dt.datetime, closed: dt.datetime | None = None) -> Deal:
    deal = make_deal(pipeline, owner, stage_name=stage, amount=amount, channel=channel, created_at=created,
                     cost=Decimal(cost))
    if closed is not None:
        Deal.unscoped.filter(pk=deal.pk).update(closed_at=closed)
    return deal


def build_quarter(org: Org) -> Quarter:
    ws = org.workspace
    shop = SalesChannel.unscoped.create(workspace=ws, name="Shop", kind=ChannelKind.ONLINE_STORE,
                                        fee_percent=Decimal("10"), fixed_cost_per_month=Decimal("1000"),
                                        acquisition_cost=Decimal("200"))
    partners = SalesChannel.unscoped.create(workspace=ws, name="Partners", kind=ChannelKind.PARTNER,
                                            acquisition_cost=Decimal("500"))
    idle = SalesChannel.unscoped.create(workspace=ws, name="Idle", kind=ChannelKind.SOCIAL,
                                        fee_percent=Decimal("5"), fixed_cost_per_month=Decimal("300"))
    retired = SalesChannel.unscoped.create(workspace=ws, name="Retired", kind=ChannelKind.OTHER,
                                           fixed_cost_per_month=Decimal("9999"), is_active=False)
    pipeline = make_pipeline(ws)
    rep, south = org.rep, org.rep_south
    # Shop: won before-the-quarter deal, won, lost, open
    _deal(pipeline, rep, shop, "Won", "10000", "4000", at("2026-03-20"), at("2026-04-10"))
    _deal(pipeline, rep, shop, "Won", "5000", "1000", at("2026-04-05"), at("2026-05-20"))
    _deal(pipeline, south, shop, "Lost", "3000", "0", at("2026-05-01"), at("2026-06-01"))
    _deal(pipeline, south, shop, "Lead", "7000", "0", at("2026-06-15"))
    # Partners: won at 23:30 on the quarter's last day (inside), lost at 00:30 the day after (outside)
    _deal(pipeline, south, partners, "Won", "20000", "15000", at("2026-06-01"), at("2026-06-30", "23:30"))
    _deal(pipeline, south, partners, "Lost", "1000", "0", at("2026-06-10"), at("2026-07-01", "00:30"))
    # No channel
    _deal(pipeline, rep, None, "Won", "1000", "0", at("2026-04-01"), at("2026-05-05"))
    # Retired channel: only a deal outside the quarter
    _deal(pipeline, rep, retired, "Won", "500", "0", at("2026-01-10"), at("2026-01-20"))
    # Leads: contacts created in the quarter, by their company's channel
    shop_co = make_company(ws, rep, name="Shop customer", channel=shop)
    partner_co = make_company(ws, south, name="Partner customer", channel=partners)
    linked = make_contact(ws, rep, company=shop_co, created_at=at("2026-04-02"))
    make_contact(ws, rep, company=shop_co, created_at=at("2026-05-02"))
    make_contact(ws, south, company=partner_co, created_at=at("2026-06-02"))
    make_contact(ws, rep, company=shop_co, created_at=at("2026-03-31", "23:59"))  # before the quarter
    Deal.unscoped.filter(channel=shop, status="open").first().contacts.add(linked)
    return Quarter(shop, partners, idle, retired)
