"""A small hand-made company whose every metric is worked out by hand in test_engine_values.py.

Workspace time zone Europe/Moscow (UTC+3, no DST). Pipeline "Sales": Lead 0 (10 %, stalled after 14
days), Qualified 1 (25 %, 14), Proposal 2 (50 %, 21), Negotiation 3 (75 %, 14), Won 4, Lost 5.

| deal | owner (team) | created (MSK) | path → final | closed (MSK) | amount | cost | channel |
|---|---|---|---|---|---|---|---|
| D1 | rep (North) | 01-05 10:00 | L Q P N → Won | 01-31 23:30 | 1000 | 400 | Market 10 % |
| D2 | rep_south (South) | 01-10 00:00 | L P → Won (skips Q, N) | 02-01 00:30 (UTC 01-31) | 3000 | 1000 | Direct 0 % |
| D3 | rep | 02-03 09:00 | L Q → Lost | 02-20 12:00 | 500 | 0 | — |
| D4 | rep | 02-05 10:00 | L Q P Q P N → Won (moves back) | 03-10 12:00 | 2000 (lines) | 500 | Market |
| D5 | rep_south | 03-01 00:30 (UTC: 02-29) | L Q P, open, override 80 % | expected 03-25 | 4000 (lines) | 0 | — |
| D6 | rep | 01-20 10:00 | L N, open since 02-01 | expected 03-31 | 1000 | 0 | — |
| D7 | manager (Sales) | 03-05 10:00 | L, open | expected 04-15 | 700 | 0 | — |
| D8 | admin (no team) | 2023-12-31 23:00 | L → Won | 01-15 12:00 | 1500 | 0 | — |
| D9 | rep_south | 01-25 10:00 | L → Lost | 03-31 23:59 | 800 | 0 | — |

Line items: D4: product A 2 × 500 at 10 % off = 900 (unit cost 100), product B 1 × 1100 (unit cost 300);
D5: two lines of product A, 1 × 2000 each. D1: lead source "web", company "Retail Co" (industry Retail);
D3: lead source "web", company with no industry.

Contacts: C1 rep 01-31 23:30 (linked to D1), C2 rep_south 02-01 00:30 (no deal), C3 rep 03-10 (linked to
D5, lead source "ads"), C4 admin 2023-12-15. Activities done: A1 rep call 01-31 23:30, A2 rep meeting
02-01 00:30, A3 rep_south call 03-02; A4 rep task not done; A5 admin email done 2023-12-01.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from conftest import Org
from voronka.accounts.models import User
from voronka.channels.models import SalesChannel
from voronka.crm.models import Company, Deal, DealLineItem, Pipeline, Product, Stage, StageKind, StageTransition
from voronka.crm.tests.deals_factories import make_product
from voronka.crm.tests.factories import _team_of, make_company, make_contact, make_pipeline
from voronka.crm.tests.records_factories import make_activity

MSK = ZoneInfo("Europe/Moscow")


def msk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


@dataclass
class World:
    org: Org
    pipeline: Pipeline
    stages: dict[str, Stage]
    deals: dict[str, Deal]
    market: SalesChannel
    direct: SalesChannel
    product_a: Product
    product_b: Product
    retail: Company


def add_deal(pipeline: Pipeline, owner: User | None, *, path: list[tuple[str, dt.datetime]], amount: Any,
             cost: Any = 0, **fields: Any) -> Deal:
    """A deal with its stage history: `path` is every (stage, when), the first one the creation."""
    workspace = pipeline.workspace
    stages = {s.name: s for s in Stage.unscoped.filter(pipeline=pipeline)}
    final_name, final_at = path[-1]
    final = stages[final_name]
    status = {StageKind.WON: "won", StageKind.LOST: "lost"}.get(final.kind, "open")
    deal = Deal.unscoped.create(
        workspace=workspace, pipeline=pipeline, stage=final, owner=owner, team=_team_of(workspace, owner),
        title=fields.pop("title", f"Deal {final_name} {path[0][1]:%m%d%H%M}"), amount=Decimal(str(amount)),
        cost=Decimal(str(cost)), status=status, created_at=path[0][1], stage_entered_at=final_at,
        closed_at=final_at if status != "open" else None, **fields,
    )
    previous = None
    for name, at in path:
        StageTransition.unscoped.create(workspace=workspace, deal=deal, from_stage=previous, to_stage=stages[name],
                                        at=at, actor=owner)
        previous = stages[name]
    return deal


def add_line(deal: Deal, product: Product, quantity: str, price: str, discount: str = "0", cost: str = "0") -> None:
    DealLineItem.unscoped.create(workspace=deal.workspace, deal=deal, product=product, quantity=Decimal(quantity),
                                 unit_price=Decimal(price), discount_percent=Decimal(discount),
                                 unit_cost=Decimal(cost))


def build_world(org: Org) -> World:
    ws = org.workspace
    pipeline = make_pipeline(ws, name="Sales")
    stages = {s.name: s for s in Stage.unscoped.filter(pipeline=pipeline)}
    market = SalesChannel.unscoped.create(workspace=ws, name="Test market", fee_percent=Decimal("10"))
    direct = SalesChannel.unscoped.create(workspace=ws, name="Test direct", fee_percent=Decimal("0"))
    product_a = make_product(ws, sku="A", price="500", unit_cost="100", name="Alpha")
    product_b = make_product(ws, sku="B", price="1100", unit_cost="300", name="Beta")
    retail = make_company(ws, owner=org.rep, name="Retail Co", industry="Retail")
    blank = make_company(ws, owner=org.rep, name="Blank Co", industry="")

    deals = {
        "D1": add_deal(pipeline, org.rep, amount=1000, cost=400, channel=market, lead_source="web", company=retail,
                       path=[("Lead", msk(2024, 1, 5, 10)), ("Qualified", msk(2024, 1, 8)),
                             ("Proposal", msk(2024, 1, 12)), ("Negotiation", msk(2024, 1, 20)),
                             ("Won", msk(2024, 1, 31, 23, 30))]),
        "D2": add_deal(pipeline, org.rep_south, amount=3000, cost=1000, channel=direct,
                       path=[("Lead", msk(2024, 1, 10)), ("Proposal", msk(2024, 1, 15)),
                             ("Won", msk(2024, 2, 1, 0, 30))]),
        "D3": add_deal(pipeline, org.rep, amount=500, lead_source="web", company=blank,
                       path=[("Lead", msk(2024, 2, 3, 9)), ("Qualified", msk(2024, 2, 10)),
                             ("Lost", msk(2024, 2, 20, 12))]),
        "D4": add_deal(pipeline, org.rep, amount=2000, cost=500, channel=market, amount_is_manual=False,
                       path=[("Lead", msk(2024, 2, 5, 10)), ("Qualified", msk(2024, 2, 6)),
                             ("Proposal", msk(2024, 2, 10)), ("Qualified", msk(2024, 2, 12)),
                             ("Proposal", msk(2024, 2, 20)), ("Negotiation", msk(2024, 3, 1)),
                             ("Won", msk(2024, 3, 10, 12))]),
        "D5": add_deal(pipeline, org.rep_south, amount=4000, probability_override=80, amount_is_manual=False,
                       expected_close_date=dt.date(2024, 3, 25),
                       path=[("Lead", msk(2024, 3, 1, 0, 30)), ("Qualified", msk(2024, 3, 1, 12)),
                             ("Proposal", msk(2024, 3, 2))]),
        "D6": add_deal(pipeline, org.rep, amount=1000, expected_close_date=dt.date(2024, 3, 31),
                       path=[("Lead", msk(2024, 1, 20, 10)), ("Negotiation", msk(2024, 2, 1))]),
        "D7": add_deal(pipeline, org.manager, amount=700, expected_close_date=dt.date(2024, 4, 15),
                       path=[("Lead", msk(2024, 3, 5, 10))]),
        "D8": add_deal(pipeline, org.admin, amount=1500,
                       path=[("Lead", msk(2023, 12, 31, 23)), ("Won", msk(2024, 1, 15, 12))]),
        "D9": add_deal(pipeline, org.rep_south, amount=800,
                       path=[("Lead", msk(2024, 1, 25, 10)), ("Lost", msk(2024, 3, 31, 23, 59))]),
    }
    add_line(deals["D4"], product_a, "2", "500", discount="10", cost="100")
    add_line(deals["D4"], product_b, "1", "1100", cost="300")
    add_line(deals["D5"], product_a, "1", "2000")
    add_line(deals["D5"], product_a, "1", "2000")

    c1 = make_contact(ws, owner=org.rep, created_at=msk(2024, 1, 31, 23, 30))
    make_contact(ws, owner=org.rep_south, created_at=msk(2024, 2, 1, 0, 30))
    c3 = make_contact(ws, owner=org.rep, created_at=msk(2024, 3, 10), lead_source="ads")
    make_contact(ws, owner=org.admin, created_at=msk(2023, 12, 15))
    deals["D1"].contacts.add(c1)
    deals["D5"].contacts.add(c3)

    make_activity(ws, owner=org.rep, kind="call", done_at=msk(2024, 1, 31, 23, 30), deal=deals["D1"])
    make_activity(ws, owner=org.rep, kind="meeting", done_at=msk(2024, 2, 1, 0, 30))
    make_activity(ws, owner=org.rep_south, kind="call", done_at=msk(2024, 3, 2))
    make_activity(ws, owner=org.rep, kind="task", due_at=msk(2024, 3, 3))
    make_activity(ws, owner=org.admin, kind="email", done_at=msk(2023, 12, 1))
    return World(org=org, pipeline=pipeline, stages=stages, deals=deals, market=market, direct=direct,
                 product_a=product_a, product_b=product_b, retail=retail)
