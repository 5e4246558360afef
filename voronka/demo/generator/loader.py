"""Writes the demo company: reference data once, then chunk by chunk with bulk inserts (ADR 0002).

This is a data loader, not a use case: it bypasses the services on purpose (one service call per deal move
would take hours at --scale 100) and keeps the invariants the services keep by construction instead — the
amount is the sum of the line items, the team is the owner's team, version 1, stage_entered_at is the last
transition, the status matches the stage's kind, closed_at is set exactly when the deal is closed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from voronka.accounts.models import Membership, Team, User, Workspace
from voronka.accounts.roles import Role
from voronka.channels.models import SalesChannel
from voronka.channels.services import channel_seed_defaults
from voronka.core.audit import audit_record
from voronka.core.models import AuditEntry
from voronka.core.scoping import workspace_scope
from voronka.crm.models import (
    Activity,
    Company,
    Contact,
    ContactPoint,
    Deal,
    DealLineItem,
    LostReason,
    Pipeline,
    PointKind,
    Product,
    Stage,
    StageTransition,
    TimelineEntry,
)
from voronka.crm.normalize import name_key

from . import catalog as cat
from .plan import SEED, ChunkPlan, chunk_plan, flat_products, make_window

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 — printed on purpose; the demo workspace only
DEMO_LOGINS = [
    ("admin@voronka.test", "Анна Администраторова", Role.ADMIN, None),
    ("manager@voronka.test", "Михаил Руководов", Role.MANAGER, "Продажи"),
    ("rep@voronka.test", "Ольга Продажина", Role.REP, "Москва"),
    ("marketer@voronka.test", "Мария Маркетова", Role.MARKETER, None),
]
# The 15 reps (rep@voronka.test first); all log in with DEMO_PASSWORD too.
DEMO_REPS = [(email, name, Role.REP, team) for email, name, team, _skill in cat.REPS]
# Sales at the root; regional teams below it.
DEMO_TEAMS = [("Продажи", None), ("Москва", "Продажи"), ("Санкт-Петербург", "Продажи"), ("Онлайн", "Продажи")]
CHUNK_ACTION = "demo.chunk_loaded"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoResult:
    workspace: Workspace
    created: bool
    chunks_loaded: int = 0


@dataclass(frozen=True)
class Refs:
    """Ids of the reference rows a chunk points at."""

    workspace_id: int
    tz: ZoneInfo
    rep_user: list[int]
    rep_team: list[int]
    channel: list[int]  # by CHANNEL_KINDS
    stage: list[list[int]]  # [pipeline][order]
    stage_name: list[list[str]]
    pipeline: list[int]
    lost_reason: list[int]
    product: list[int]  # by flat_products() order


def demo_load(*, scale: int = 1, fraction: float = 1.0, seed: int = SEED, progress: Progress | None = None
              ) -> DemoResult:
    """Create the demo workspace and `scale` chunks of data once; a second call leaves existing data alone.

    `fraction` shrinks each chunk (tests); a larger `scale` later adds only the missing chunks.
    """
    with transaction.atomic():
        workspace, created = Workspace.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={"name": "Воронка Демо", "currency": "RUB", "time_zone": "Europe/Moscow", "language": "ru"},
        )
        with workspace_scope(workspace):
            refs = _reference_data(workspace)
    done = _chunks_done(workspace)
    todo = [k for k in range(scale) if k not in done]
    if not todo:
        return DemoResult(workspace=workspace, created=created)
    window = make_window(timezone.now().replace(microsecond=0), workspace.time_zone)
    started = time.monotonic()
    _large_cache()
    with workspace_scope(workspace):
        for n, k in enumerate(todo, start=1):
            t0 = time.monotonic()
            plan = chunk_plan(chunk=k, window=window, fraction=fraction, seed=seed)
            with transaction.atomic():
                rows = _write_chunk(plan, refs)
                audit_record(action=CHUNK_ACTION, workspace_id=workspace.pk,
                             diff={"chunk": k, "seed": seed, "fraction": fraction, **rows})
            if progress is not None:
                total = time.monotonic() - started
                progress(f"chunk {k + 1} ({n}/{len(todo)}): {rows['deals']} deals, {rows['transitions']} "
                         f"transitions, {rows['activities']} activities in {time.monotonic() - t0:.1f}s "
                         f"(total {total:.0f}s)")
    return DemoResult(workspace=workspace, created=created, chunks_loaded=len(todo))


def _large_cache() -> None:
    """SQLite's default 2 MB page cache makes every index insert a disk read once the tables outgrow it."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -524288")  # 512 MB, this connection only


def _chunks_done(workspace: Workspace) -> set[int]:
    diffs = AuditEntry.objects.filter(workspace_id=workspace.pk, action=CHUNK_ACTION).values_list("diff", flat=True)
    return {int(d["chunk"]) for d in diffs}


def _reference_data(workspace: Workspace) -> Refs:
    """Teams, people, channels, pipelines, lost reasons, products: created when missing, never changed."""
    teams: dict[str, Team] = {}
    for name, parent in DEMO_TEAMS:
        teams[name], _ = Team.objects.get_or_create(
            workspace=workspace, name=name, defaults={"parent": teams.get(parent) if parent else None}
        )
    users = {u.email: u for u in User.objects.filter(email__in=[e for e, *_ in DEMO_LOGINS + DEMO_REPS])}
    password: str | None = None
    for email, full_name, role, team_name in DEMO_LOGINS + DEMO_REPS[1:]:
        user = users.get(email)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hash once: 18 logins, one password
            user = users[email] = User.objects.create(email=email, full_name=full_name, password=password)
        Membership.objects.get_or_create(
            workspace=workspace, user=user,
            defaults={"role": role, "team": teams.get(team_name) if team_name else None},
        )
    seeded = channel_seed_defaults(workspace=workspace)
    for kind, (fee, fixed, acquisition, _effect) in cat.CHANNEL_ECONOMICS.items():
        # Fill the economics of channels nobody has priced yet; a figure someone typed stays.
        SalesChannel.objects.filter(kind=kind, fee_percent=0, fixed_cost_per_month=0, acquisition_cost=0).update(
            fee_percent=Decimal(fee), fixed_cost_per_month=Decimal(fixed), acquisition_cost=Decimal(acquisition)
        )
    channels = {c.kind: c.pk for c in seeded}
    pipelines, stage_ids, stage_names = [], [], []
    for order, (name, stages) in enumerate(cat.PIPELINES):
        pipeline, made = Pipeline.objects.get_or_create(
            workspace=workspace, name=name, defaults={"is_default": order == 0, "order": order}
        )
        if made:
            Stage.objects.bulk_create([
                Stage(workspace=workspace, pipeline=pipeline, name=s, order=i, kind=kind, probability=p,
                      stalled_after_days=stalled)
                for i, (s, kind, p, stalled) in enumerate(stages)
            ])
        by_name = {s.name: s.pk for s in Stage.objects.filter(pipeline=pipeline)}
        pipelines.append(pipeline.pk)
        stage_ids.append([by_name[s] for s, *_ in stages])
        stage_names.append([s for s, *_ in stages])
    for name in cat.LOST_REASONS:
        LostReason.objects.get_or_create(workspace=workspace, name=name)
    reasons = dict(LostReason.objects.values_list("name", "pk"))
    products = flat_products()
    if not Product.objects.exists():
        Product.objects.bulk_create([
            Product(workspace=workspace, sku=sku, name=name, category=category, price=Decimal(price),
                    unit_cost=Decimal(cost))
            for sku, category, _pipeline, name, price, cost in products
        ])
    product_ids = dict(Product.objects.values_list("sku", "pk"))
    membership = {m.user_id: m.team_id for m in Membership.objects.all()}
    rep_user = [users[email].pk for email, *_ in DEMO_REPS]
    return Refs(
        workspace_id=workspace.pk, tz=ZoneInfo(workspace.time_zone), rep_user=rep_user,
        rep_team=[membership[u] for u in rep_user],
        channel=[channels[k] for k in cat.CHANNEL_KINDS], stage=stage_ids, stage_name=stage_names,
        pipeline=pipelines, lost_reason=[reasons[r] for r in cat.LOST_REASONS],
        product=[product_ids[p[0]] for p in products],
    )


class _Rows:
    """Reserves primary keys and appends rows to a table in one statement stream: COPY on PostgreSQL,
    executemany on SQLite. Values arrive already in the database's text forms (ADR 0002)."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    def ids(self, model: type[models.Model], n: int) -> list[int]:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                # nextval is concurrency-safe: a web process inserting at the same time gets other ids.
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, n])
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the chunk's transaction holds the write lock (IMMEDIATE), nobody else can insert meanwhile.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            first = int(cursor.fetchone()[0]) + 1
            return list(range(first, first + n))

    def insert(self, model: type[models.Model], fields: list[str], rows: list[tuple[Any, ...]]) -> int:
        if not rows:
            return 0
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        columns = ", ".join(qn(str(cast(models.Field, model._meta.get_field(f)).column)) for f in fields)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                for start in range(0, len(rows), 50_000):
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                                       rows[start:start + 50_000])
        return len(rows)


def _stamps(ts: Any, suffix: str) -> list[str]:
    """Unix seconds → 'YYYY-MM-DD HH:MM:SS' UTC (Django's SQLite form; '+00' added for PostgreSQL)."""
    text = np.char.replace(np.datetime_as_string(np.asarray(ts, dtype=np.int64).astype("datetime64[s]"),
                                                 unit="s"), "T", " ")
    return [t + suffix for t in text.tolist()]


def _money(kopecks: Any) -> list[str]:
    return [f"{k // 100}.{k % 100:02d}" for k in np.asarray(kopecks, dtype=np.int64).tolist()]


def _write_chunk(plan: ChunkPlan, refs: Refs) -> dict[str, int]:
    out = _Rows()
    sfx = "+00" if out.postgres else ""
    ws = refs.workspace_id
    user, team = refs.rep_user, refs.rep_team
    none: Any = None
    empty_json = "{}"

    co = plan.companies
    n_co = len(co.name)
    company_id = out.ids(Company, n_co)
    co_at = _stamps(co.created, sfx)
    co_owner, co_city = co.owner.tolist(), co.city.tolist()
    out.insert(Company, [
        "id", "workspace", "owner", "team", "custom", "version", "name", "name_key", "domain", "industry", "size_band",
        "country", "region", "city", "annual_revenue", "channel", "created_at", "updated_at",
    ], [
        (company_id[i], ws, user[co_owner[i]], team[co_owner[i]], empty_json, 1, co.name[i], name_key(co.name[i]),
         co.domain[i], co.industry[i], cat.SIZE_BANDS[co.size[i]], "Россия", cat.CITIES[co_city[i]][1],
         cat.CITIES[co_city[i]][0], f"{int(co.revenue[i])}.00", refs.channel[co.channel[i]], co_at[i], co_at[i])
        for i in range(n_co)
    ])

    ct = plan.contacts
    n_ct = len(ct.email)
    contact_id = out.ids(Contact, n_ct)
    ct_at = _stamps(ct.created, sfx)
    ct_owner, ct_company, ct_city = ct.owner.tolist(), ct.company.tolist(), ct.city.tolist()
    ct_age, ct_gender = ct.age.tolist(), ct.gender.tolist()
    out.insert(Contact, [
        "id", "workspace", "owner", "team", "custom", "version", "first_name", "last_name", "full_name", "email",
        "phone", "position", "company", "city", "age_band", "gender", "lead_source", "created_at", "updated_at",
    ], [
        (contact_id[i], ws, user[ct_owner[i]], team[ct_owner[i]], empty_json, 1, ct.first[i], ct.last[i],
         f"{ct.first[i]} {ct.last[i]}", ct.email[i], ct.phone[i], ct.position[i],
         company_id[ct_company[i]] if ct_company[i] >= 0 else none, cat.CITIES[ct_city[i]][0],
         cat.AGE_BANDS[ct_age[i]], "mf"[ct_gender[i]], ct.lead_source[i], ct_at[i], ct_at[i])
        for i in range(n_ct)
    ])
    point_rows = [(contact_id[i], PointKind.EMAIL.value, ct.email[i], ct_at[i]) for i in range(n_ct)]
    point_rows += [(contact_id[i], PointKind.PHONE.value, ct.phone[i], ct_at[i]) for i in range(n_ct) if ct.phone[i]]
    point_id = out.ids(ContactPoint, len(point_rows))
    out.insert(ContactPoint, ["id", "workspace", "contact", "kind", "value", "is_primary", "created_at", "updated_at"],
               [(point_id[j], ws, c, kind, value, True, at, at) for j, (c, kind, value, at) in enumerate(point_rows)])

    d = plan.deals
    n_de = len(d.title)
    deal_id = out.ids(Deal, n_de)
    de_created, de_entered = _stamps(d.created, sfx), _stamps(d.stage_entered, sfx)
    close_days = np.datetime_as_string(
        ((d.expected_close_day + 12 * 3600) // 86_400).astype("datetime64[D]"), unit="D").tolist()
    amount, cost = _money(d.amount_kop), _money(d.cost_kop)
    pipe, owner, stage, status = d.pipeline.tolist(), d.owner.tolist(), d.stage.tolist(), d.status.tolist()
    company, channel, reason, manual = d.company.tolist(), d.channel.tolist(), d.lost_reason.tolist(), d.manual.tolist()
    status_names = ["open", "won", "lost"]
    out.insert(Deal, [
        "id", "workspace", "owner", "team", "custom", "version", "title", "company", "pipeline", "stage", "amount",
        "amount_is_manual", "cost", "expected_close_date", "probability_override", "channel", "lead_source",
        "status", "lost_reason", "lost_note", "closed_at", "stage_entered_at", "created_at", "updated_at",
    ], [
        (deal_id[i], ws, user[owner[i]], team[owner[i]], empty_json, 1, d.title[i],
         company_id[company[i]] if company[i] >= 0 else none, refs.pipeline[pipe[i]], refs.stage[pipe[i]][stage[i]],
         amount[i], manual[i], cost[i], close_days[i], none, refs.channel[channel[i]], d.lead_source[i],
         status_names[status[i]], refs.lost_reason[reason[i]] if reason[i] >= 0 else none, "",
         de_entered[i] if status[i] else none, de_entered[i], de_created[i], de_entered[i])
        for i in range(n_de)
    ])
    through = Deal.contacts.through
    links = [(deal_id[i], contact_id[c]) for column in (d.contact.tolist(), d.second_contact.tolist())
             for i, c in enumerate(column) if c >= 0]
    link_id = out.ids(through, len(links))
    out.insert(through, ["id", "deal", "contact"], [(link_id[j], *link) for j, link in enumerate(links)])

    li = plan.line_items
    products = flat_products()
    item_id = out.ids(DealLineItem, len(li.deal))
    out.insert(DealLineItem, [
        "id", "workspace", "deal", "product", "quantity", "unit_price", "discount_percent", "unit_cost",
        "created_at", "updated_at",
    ], [
        (item_id[j], ws, deal_id[i], refs.product[p], f"{q}.000", f"{products[p][4]}.00", f"{disc}.00",
         f"{products[p][5]}.00", de_created[i], de_created[i])
        for j, (i, p, q, disc) in enumerate(zip(li.deal.tolist(), li.product.tolist(), li.quantity.tolist(),
                                                li.discount.tolist(), strict=True))
    ])

    tr = plan.transitions
    tr_deal, tr_from, tr_to = tr.deal.tolist(), tr.from_stage.tolist(), tr.to_stage.tolist()
    tr_at = _stamps(tr.at, sfx)
    move_id = out.ids(StageTransition, len(tr_deal))
    out.insert(StageTransition, [
        "id", "workspace", "deal", "from_stage", "to_stage", "at", "actor", "created_at", "updated_at",
    ], [
        (move_id[j], ws, deal_id[i], refs.stage[pipe[i]][tr_from[j]] if tr_from[j] >= 0 else none,
         refs.stage[pipe[i]][tr_to[j]], tr_at[j], user[owner[i]], tr_at[j], tr_at[j])
        for j, i in enumerate(tr_deal)
    ])
    moved = [j for j in range(len(tr_deal)) if tr_from[j] >= 0]
    entry_id = out.ids(TimelineEntry, len(moved))
    names = refs.stage_name
    out.insert(TimelineEntry, [
        "id", "workspace", "kind", "at", "actor", "deal", "contact", "company", "data", "created_at", "updated_at",
    ], [
        (entry_id[k], ws, "stage_changed", tr_at[j], user[owner[tr_deal[j]]], deal_id[tr_deal[j]], none, none,
         json.dumps({"from": names[pipe[tr_deal[j]]][tr_from[j]], "to": names[pipe[tr_deal[j]]][tr_to[j]]},
                    ensure_ascii=False),
         tr_at[j], tr_at[j])
        for k, j in enumerate(moved)
    ])

    ac = plan.activities
    n_ac = len(ac.kind)
    activity_id = out.ids(Activity, n_ac)
    ac_created = _stamps(ac.created, sfx)
    ac_due = _stamps(np.maximum(ac.due, 0), sfx)
    ac_done = _stamps(np.maximum(ac.done, 0), sfx)
    has_due, has_done = (ac.due >= 0).tolist(), (ac.done >= 0).tolist()
    a_owner, a_kind = ac.owner.tolist(), ac.kind.tolist()
    a_deal, a_contact, a_company = ac.deal.tolist(), ac.contact.tolist(), ac.company.tolist()
    out.insert(Activity, [
        "id", "workspace", "owner", "team", "custom", "version", "kind", "subject", "body", "due_at", "done_at",
        "outcome", "deal", "contact", "company", "created_at", "updated_at",
    ], [
        (activity_id[j], ws, user[a_owner[j]], team[a_owner[j]], empty_json, 1, cat.ACTIVITY_KINDS[a_kind[j]],
         ac.subject[j], "", ac_due[j] if has_due[j] else none, ac_done[j] if has_done[j] else none, ac.outcome[j],
         deal_id[a_deal[j]] if a_deal[j] >= 0 else none, contact_id[a_contact[j]] if a_contact[j] >= 0 else none,
         company_id[a_company[j]] if a_company[j] >= 0 else none, ac_created[j],
         ac_done[j] if has_done[j] else ac_created[j])
        for j in range(n_ac)
    ])
    return {"companies": n_co, "contacts": n_ct, "contact_points": len(point_rows), "deals": n_de,
            "deal_contacts": len(links), "line_items": len(li.deal), "transitions": len(tr_deal),
            "timeline": len(moved), "activities": n_ac}
