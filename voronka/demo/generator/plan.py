"""One chunk of the demo company as plain numpy arrays: no Django, no database, fully determined by the seed.

A chunk is a slice of the company at scale 1 × `fraction`: its own companies, contacts, deals, transitions and
activities, all over the same 18 months and the same 15 reps. `--scale N` loads N chunks; chunk 0 is the company
`make run` shows. Each aspect draws from its own random stream ([seed, chunk, stream]), so titles and amounts do
not depend on the day the demo is loaded, only on the seed and the chunk number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from . import catalog as cat

DAY = 86_400
WINDOW_DAYS = 548  # 18 months
SEED = 20_240_301
# Scale 1: 2,000 companies, 5,000 contacts, 6,000 deals, 50,000 activities.
COMPANIES, CONTACTS, DEALS, ACTIVITIES = 2_000, 5_000, 6_000, 50_000

Array = np.ndarray


@dataclass(frozen=True)
class Window:
    """The 18 months the demo covers, ending now; day boundaries in the workspace's time zone."""

    now: int  # unix seconds
    day_starts: Array  # local midnight of each day, unix seconds
    day_weights: Array  # relative inflow of each day (season × weekday × growth)
    today_start: int


def make_window(now: dt.datetime, time_zone: str) -> Window:
    tz = ZoneInfo(time_zone)
    today = now.astimezone(tz).date()
    days = [today - dt.timedelta(days=WINDOW_DAYS - 1 - i) for i in range(WINDOW_DAYS)]
    starts = np.array([int(dt.datetime.combine(d, dt.time(), tz).timestamp()) for d in days], dtype=np.int64)
    month = np.array([cat.MONTH_WEIGHTS[d.month - 1] for d in days])
    weekday = np.array([cat.WEEKDAY_WEIGHTS[d.weekday()] for d in days])
    growth = np.linspace(1.0, 1.3, WINDOW_DAYS)
    weights = month * weekday * growth
    return Window(now=int(now.timestamp()), day_starts=starts, day_weights=weights / weights.sum(),
                  today_start=int(starts[-1]))


@dataclass
class Companies:
    name: list[str]
    short: list[str]
    domain: list[str]
    industry: list[str]
    size: Array  # index into SIZE_BANDS
    city: Array  # index into CITIES
    revenue: Array  # whole roubles
    owner: Array  # rep index
    channel: Array  # index into CHANNEL_KINDS
    created: Array


@dataclass
class Contacts:
    first: list[str]
    last: list[str]
    email: list[str]
    phone: list[str]  # '' when none
    position: list[str]
    gender: Array  # 0 m, 1 f
    age: Array
    city: Array
    company: Array  # local company index, -1 for a private person
    owner: Array
    lead_source: list[str]
    created: Array


@dataclass
class Deals:
    title: list[str]
    pipeline: Array  # 0 B2B, 1 shop
    company: Array  # -1 none
    contact: Array  # -1 none
    second_contact: Array  # -1 none
    owner: Array
    channel: Array
    lead_source: list[str]
    created: Array
    expected_close_day: Array  # unix seconds of the local midnight
    stage: Array  # order of the current stage in its pipeline
    status: Array  # 0 open, 1 won, 2 lost
    stage_entered: Array
    closed: Array  # 0 when open
    lost_reason: Array  # -1 unless lost
    amount_kop: Array  # kopecks
    cost_kop: Array
    manual: Array  # bool


@dataclass
class Transitions:
    deal: Array
    from_stage: Array  # stage order, -1 for the creation
    to_stage: Array
    at: Array


@dataclass
class LineItems:
    deal: Array
    product: Array  # index into the flat product list
    quantity: Array
    discount: Array  # percent


@dataclass
class Activities:
    kind: Array  # index into ACTIVITY_KINDS
    subject: list[str]
    outcome: list[str]
    deal: Array  # -1 none
    contact: Array
    company: Array
    owner: Array
    created: Array
    due: Array  # -1 none
    done: Array  # -1 open


@dataclass
class ChunkPlan:
    chunk: int
    companies: Companies
    contacts: Contacts
    deals: Deals
    transitions: Transitions
    line_items: LineItems
    activities: Activities


def flat_products() -> list[tuple[str, str, int, str, int, int]]:
    """(sku, category, pipeline, name, price, unit cost) of every product, in catalogue order."""
    rows = []
    for prefix, category, pipeline, items in cat.PRODUCTS:
        for n, (name, price, margin) in enumerate(items, start=1):
            rows.append((f"{prefix}-{n:03d}", category, pipeline, name, price, round(price * (1 - margin))))
    return rows


def sizes(fraction: float) -> tuple[int, int, int, int]:
    return tuple(max(1, round(n * fraction)) for n in (COMPANIES, CONTACTS, DEALS, ACTIVITIES))  # type: ignore[return-value]


def _weights(pairs: list[tuple[str, int]]) -> tuple[list[str], Array]:
    names = [name for name, _ in pairs]
    w = np.array([weight for _, weight in pairs], dtype=float)
    return names, w / w.sum()


def _pick(rng: np.random.Generator, options: list[str], n: int, p: Array | None = None) -> list[str]:
    return [options[i] for i in rng.choice(len(options), size=n, p=p)]


def _sigmoid(x: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-x))


def _rows_choice(rng: np.random.Generator, probabilities: Array) -> Array:
    """One categorical draw per row of `probabilities` (rows sum to 1)."""
    cumulative = probabilities.cumsum(axis=1)
    u = rng.random(len(probabilities))[:, None] * cumulative[:, -1:]
    return (u > cumulative).sum(axis=1)


def chunk_plan(*, chunk: int, window: Window, fraction: float = 1.0, seed: int = SEED) -> ChunkPlan:
    """Everything of one chunk, as arrays indexed locally (company 0 is this chunk's first company)."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    n_co, n_ct, n_de, n_ac = sizes(fraction)

    def stream(k: int) -> np.random.Generator:
        return np.random.default_rng([seed, chunk, k])

    companies = _companies(stream(1), chunk * COMPANIES, n_co)  # global numbering: fraction-independent
    contacts = _contacts(stream(2), chunk * CONTACTS, n_ct, companies)
    deals, transitions, line_items = _deals(stream(3), stream(4), stream(5), chunk * DEALS, n_de, companies,
                                            contacts, window)
    _backdate(stream(6), companies, contacts, deals, window)
    activities = _activities(stream(7), n_ac, contacts, deals, window, rep_zero_tasks=(chunk == 0))
    return ChunkPlan(chunk=chunk, companies=companies, contacts=contacts, deals=deals, transitions=transitions,
                     line_items=line_items, activities=activities)


def _companies(rng: np.random.Generator, first: int, n: int) -> Companies:
    size = rng.choice(len(cat.SIZE_BANDS), size=n, p=cat.SIZE_WEIGHTS)
    industries, p_ind = _weights(cat.INDUSTRIES)
    industry = _pick(rng, industries, n, p_ind)
    city_w = np.array([w for *_, w in cat.CITIES], dtype=float)
    city = rng.choice(len(cat.CITIES), size=n, p=city_w / city_w.sum())
    forms, p_forms = _weights(cat.LEGAL_FORMS)
    form = _pick(rng, forms, n, p_forms)
    head = rng.integers(len(cat.NAME_HEADS), size=n)
    tail = rng.integers(len(cat.NAME_TAILS), size=n)
    short = [cat.NAME_HEADS[h] + cat.NAME_TAILS[t].lower() for h, t in zip(head, tail, strict=True)]
    name = [f"{f} «{s}»" for f, s in zip(form, short, strict=True)]
    domain = [f"{cat.translit(s)}{first + i}.ru" for i, s in enumerate(short)]
    revenue = np.round(np.array(cat.SIZE_REVENUE)[size] * rng.lognormal(0, 0.7, n) / 1000) * 1000
    # Regional teams work their cities; a fifth of the accounts came through the online team.
    north_west = np.array([cat.CITIES[c][0] in cat.NORTH_WEST for c in city])
    team = np.where(north_west | (rng.random(n) < 0.35), 1, 0)
    team = np.where(rng.random(n) < 0.20, 2, team)
    owner = team * 5 + rng.integers(5, size=n)
    offline = rng.choice([0, 1], size=n, p=[0.65, 0.35])  # direct, partner
    online = rng.choice([2, 3, 4], size=n, p=[0.5, 0.3, 0.2])  # online store, marketplace, social
    channel = np.where(team == 2, online, offline)
    return Companies(name=name, short=short, domain=domain, industry=industry, size=size, city=city,
                     revenue=revenue.astype(np.int64), owner=owner, channel=channel,
                     created=np.zeros(n, dtype=np.int64))


def _contacts(rng: np.random.Generator, first: int, n: int, companies: Companies) -> Contacts:
    n_co = len(companies.name)
    size_w = np.array([1.0, 1.5, 2.5, 3.5, 4.0])[companies.size]
    company = np.where(rng.random(n) < 0.8, rng.choice(n_co, size=n, p=size_w / size_w.sum()), -1)
    gender = (rng.random(n) < 0.48).astype(np.int64)
    first_m = rng.integers(len(cat.FIRST_NAMES_M), size=n)
    first_f = rng.integers(len(cat.FIRST_NAMES_F), size=n)
    last_i = rng.integers(len(cat.LAST_NAMES), size=n)
    firsts = [cat.FIRST_NAMES_F[f] if g else cat.FIRST_NAMES_M[m]
              for g, m, f in zip(gender, first_m, first_f, strict=True)]
    lasts = [cat.LAST_NAMES[i] + ("а" if g else "") for i, g in zip(last_i, gender, strict=True)]
    positions, p_pos = _weights(cat.POSITIONS)
    position = [p if c >= 0 else "" for p, c in zip(_pick(rng, positions, n, p_pos), company, strict=True)]
    age = rng.choice(len(cat.AGE_BANDS), size=n, p=cat.AGE_WEIGHTS)
    city_w = np.array([w for *_, w in cat.CITIES], dtype=float)
    own_city = rng.choice(len(cat.CITIES), size=n, p=city_w / city_w.sum())
    city = np.where(company >= 0, companies.city[np.maximum(company, 0)], own_city)
    # Private buyers are the online team's; a quarter of them called a regional office.
    private_owner = np.where(rng.random(n) < 0.75, 10 + rng.integers(5, size=n), rng.integers(10, size=n))
    owner = np.where(company >= 0, companies.owner[np.maximum(company, 0)], private_owner)
    sources, p_src = _weights(cat.LEAD_SOURCES)
    lead_source = _pick(rng, sources, n, p_src)
    free_mail = rng.integers(len(cat.FREE_MAIL), size=n)
    email, phone = [], []
    has_phone = rng.random(n) < 0.9
    for i in range(n):
        gid = first + i
        local = f"{cat.translit(firsts[i])}.{cat.translit(lasts[i])}{gid}"
        host = companies.domain[company[i]] if company[i] >= 0 else cat.FREE_MAIL[free_mail[i]]
        email.append(f"{local}@{host}")
        # A bijection of the global index onto nine digits: unique mobile numbers for up to 10⁹ contacts.
        phone.append(f"+79{(gid * 7919 + 104_729) % 1_000_000_000:09d}" if has_phone[i] else "")
    return Contacts(first=firsts, last=lasts, email=email, phone=phone, position=position, gender=gender, age=age,
                    city=city, company=company, owner=owner, lead_source=lead_source,
                    created=np.zeros(n, dtype=np.int64))


def _walk(rng: np.random.Generator, pipeline: int, shift: Array, cycle: Array, created: Array, now: int
          ) -> tuple[Array, Array, Array, Array, list[tuple[Array, Array, Array, Array]], Array]:
    """Move each deal through the open stages; returns final stage order, status, entered, closed, moves."""
    n = len(created)
    n_open = len(cat.ADVANCE[pipeline])
    won_order, lost_order = n_open, n_open + 1
    t = created.astype(np.float64).copy()
    stage = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    entered = created.copy()
    closed = np.zeros(n, dtype=np.int64)
    lost_at = np.full(n, -1, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    moves: list[tuple[Array, Array, Array, Array]] = []
    for i in range(n_open):
        days = rng.lognormal(np.log(cat.STAGE_DAYS[pipeline][i]), 0.8, n) * cycle
        stuck = rng.random(n) < cat.STUCK[pipeline][i]
        days = np.where(stuck, days * rng.lognormal(np.log(cat.STUCK_FACTOR[pipeline]), 0.6, n), days)
        event = t + days * DAY
        p = _sigmoid(np.log(cat.ADVANCE[pipeline][i] / (1 - cat.ADVANCE[pipeline][i])) + shift)
        advance = rng.random(n) < p
        here = active & (stage == i)
        stays = here & (event > now)
        active &= ~stays
        moved = here & ~stays & advance
        lost = here & ~stays & ~advance
        ev = event.astype(np.int64)
        nxt = won_order if i == n_open - 1 else i + 1
        idx = np.flatnonzero(moved)
        moves.append((idx, np.full(len(idx), i), np.full(len(idx), nxt), ev[idx]))
        stage[moved] = nxt
        entered[moved] = ev[moved]
        t = np.where(moved, event, t)
        idx = np.flatnonzero(lost)
        moves.append((idx, np.full(len(idx), i), np.full(len(idx), lost_order), ev[idx]))
        stage[lost], status[lost], entered[lost], closed[lost], lost_at[lost] = lost_order, 2, ev[lost], ev[lost], i
        active &= ~lost
    won = active & (stage == won_order)
    status[won] = 1
    closed[won] = entered[won]
    return stage, status, entered, closed, moves, lost_at


def _deals(rng: np.random.Generator, walk_rng: np.random.Generator, money_rng: np.random.Generator, first: int,
           n: int, companies: Companies, contacts: Contacts, window: Window
           ) -> tuple[Deals, Transitions, LineItems]:
    n_co = len(companies.name)
    pipeline = (rng.random(n) < 0.32).astype(np.int64)
    size_w = np.array([1.0, 1.4, 2.0, 3.0, 4.0])[companies.size]
    b2b_company = rng.choice(n_co, size=n, p=size_w / size_w.sum())
    # Contacts grouped by company: a B2B deal talks to one or two people of its company.
    order = np.argsort(contacts.company, kind="stable")
    by_company = contacts.company[order]
    start = np.searchsorted(by_company, np.arange(n_co), side="left")
    count = np.searchsorted(by_company, np.arange(n_co), side="right") - start
    pick = (rng.random(n) * np.maximum(count[b2b_company], 1)).astype(np.int64)
    pick2 = (rng.random(n) * np.maximum(count[b2b_company], 1)).astype(np.int64)
    b2b_contact = np.where(count[b2b_company] > 0, order[np.minimum(start[b2b_company] + pick, len(order) - 1)], -1)
    b2b_second = np.where((count[b2b_company] > 1) & (pick2 != pick) & (rng.random(n) < 0.3),
                          order[np.minimum(start[b2b_company] + pick2, len(order) - 1)], -1)
    private = np.flatnonzero(contacts.company < 0)
    pool = private if len(private) else np.arange(len(contacts.email))
    shop_contact = pool[rng.integers(len(pool), size=n)]
    is_shop = pipeline == 1
    contact = np.where(is_shop, shop_contact, b2b_contact)
    company = np.where(is_shop, contacts.company[shop_contact], b2b_company)
    second = np.where(is_shop, -1, b2b_second)
    owner = np.where(is_shop, contacts.owner[shop_contact], companies.owner[b2b_company])
    shop_channel = rng.choice([2, 3, 4], size=n, p=[0.55, 0.30, 0.15])
    channel = np.where(is_shop, shop_channel, companies.channel[b2b_company])
    lead_source = [contacts.lead_source[c] if c >= 0 else "" for c in contact]
    day = rng.choice(len(window.day_starts), size=n, p=window.day_weights)
    created = window.day_starts[day] + (9 * 3600 + rng.random(n) * 10 * 3600).astype(np.int64)
    created = np.minimum(created, window.now - 600 - rng.integers(3600, size=n))
    size = companies.size[b2b_company]
    kinds = rng.integers(len(cat.B2B_DEAL_KINDS), size=n)
    title = [f"Заказ №{100_000 + first + i}" if is_shop[i]
             else f"{companies.short[b2b_company[i]]} — {cat.B2B_DEAL_KINDS[kinds[i]]}" for i in range(n)]

    # Conversion: the rep's skill, the channel and the segment shift every stage's odds; big clients are slower.
    skill = np.array([r[3] for r in cat.REPS])[owner]
    channel_effect = np.array([cat.CHANNEL_ECONOMICS[k][3] for k in cat.CHANNEL_KINDS])[channel]
    size_effect = np.where(is_shop, 0.0, np.array(cat.SIZE_EFFECT)[size])
    shift = skill + channel_effect + size_effect + walk_rng.normal(0, 0.3, n)
    cycle = np.where(is_shop, 1.0, np.array(cat.SIZE_CYCLE)[size])
    stage = np.zeros(n, dtype=np.int64)
    status = np.zeros(n, dtype=np.int64)
    entered = np.zeros(n, dtype=np.int64)
    closed = np.zeros(n, dtype=np.int64)
    lost_reason = np.full(n, -1, dtype=np.int64)
    moves: list[tuple[Array, Array, Array, Array]] = [
        (np.arange(n), np.full(n, -1), np.zeros(n, dtype=np.int64), created)
    ]
    for p in (0, 1):
        sel = np.flatnonzero(pipeline == p)
        st, stt, ent, clo, mv, lost_at = _walk(walk_rng, p, shift[sel], cycle[sel], created[sel], window.now)
        stage[sel], status[sel], entered[sel], closed[sel] = st, stt, ent, clo
        moves += [(sel[i], f, to, at) for i, f, to, at in mv]
        lost = np.flatnonzero(lost_at >= 0)
        weights = np.array(cat.LOST_WEIGHTS[p])[lost_at[lost]]
        lost_reason[sel[lost]] = _rows_choice(walk_rng, weights)
    # Close dates the rep promised: a typical cycle from creation, a little optimistic.
    promised = np.where(is_shop, 4.0, np.array(cat.SIZE_CYCLE)[size] * 30) * rng.lognormal(0, 0.35, n)
    close_ts = created + (promised * DAY).astype(np.int64)
    close_day = window.day_starts[0] + ((close_ts - window.day_starts[0]) // DAY) * DAY

    # Amounts: log-normal by segment, rounded to 100 roubles; some deals are priced from products instead.
    median = np.where(is_shop, cat.SHOP_AMOUNT, np.array(cat.SIZE_AMOUNT)[size])
    target = median * money_rng.lognormal(0, np.where(is_shop, 0.7, 0.6), n)
    amount_kop = np.maximum(np.round(target / 100), 1).astype(np.int64) * 100 * 100
    margin = money_rng.uniform(0.2, 0.6, n)
    cost_kop = (np.round(amount_kop * (1 - margin) / 100) * 100).astype(np.int64)
    manual = money_rng.random(n) >= np.where(is_shop, 0.6, 0.4)
    items = _line_items(money_rng, np.flatnonzero(~manual), pipeline, target)
    products = flat_products()
    price = np.array([p[4] for p in products], dtype=np.int64)
    unit_cost = np.array([p[5] for p in products], dtype=np.int64)
    totals = items.quantity * price[items.product] * (100 - items.discount)  # kopecks, exact
    costs = items.quantity * unit_cost[items.product] * 100
    amount_kop = np.where(manual, amount_kop, np.bincount(items.deal, totals, minlength=n).astype(np.int64))
    cost_kop = np.where(manual, cost_kop, np.bincount(items.deal, costs, minlength=n).astype(np.int64))

    deal_idx, from_stage, to_stage, at = (np.concatenate(parts) for parts in zip(*moves, strict=True))
    ordering = np.lexsort((to_stage, at, deal_idx))
    transitions = Transitions(deal=deal_idx[ordering], from_stage=from_stage[ordering].astype(np.int64),
                              to_stage=to_stage[ordering].astype(np.int64), at=at[ordering].astype(np.int64))
    deals = Deals(title=title, pipeline=pipeline, company=company, contact=contact, second_contact=second,
                  owner=owner, channel=channel, lead_source=lead_source, created=created,
                  expected_close_day=close_day, stage=stage, status=status, stage_entered=entered, closed=closed,
                  lost_reason=lost_reason, amount_kop=amount_kop, cost_kop=cost_kop, manual=manual)
    return deals, transitions, items


def _line_items(rng: np.random.Generator, deals: Array, pipeline: Array, target: Array) -> LineItems:
    products = flat_products()
    per_pipeline = [np.array([i for i, p in enumerate(products) if p[2] == k]) for k in (0, 1)]
    price = np.array([p[4] for p in products], dtype=float)
    n_items = rng.integers(1, 4, size=len(deals))
    deal = np.repeat(deals, n_items)
    u = rng.random(len(deal))
    choice = np.where(pipeline[deal] == 1,
                      per_pipeline[1][(u * len(per_pipeline[1])).astype(np.int64)],
                      per_pipeline[0][(u * len(per_pipeline[0])).astype(np.int64)])
    quantity = np.clip(np.round(target[deal] / np.repeat(n_items, n_items) / price[choice]), 1, 500).astype(np.int64)
    discount = rng.choice([0, 0, 0, 5, 10, 15], size=len(deal))
    return LineItems(deal=deal, product=choice, quantity=quantity, discount=discount)


def _backdate(rng: np.random.Generator, companies: Companies, contacts: Contacts, deals: Deals, window: Window
              ) -> None:
    """Contacts and companies appear shortly before their first deal; the rest at random in the window."""
    start, now = int(window.day_starts[0]), window.now
    first_deal = np.full(len(contacts.email), now, dtype=np.int64)
    for column in (deals.contact, deals.second_contact):
        has = column >= 0
        np.minimum.at(first_deal, column[has], deals.created[has])
    random_ct = start + (rng.random(len(first_deal)) * (now - start)).astype(np.int64)
    lead = (rng.random(len(first_deal)) * 14 * DAY).astype(np.int64)
    contacts.created[:] = np.where(first_deal < now, np.maximum(first_deal - lead, start - 30 * DAY), random_ct)
    first_seen = np.full(len(companies.name), now, dtype=np.int64)
    has = deals.company >= 0
    np.minimum.at(first_seen, deals.company[has], deals.created[has])
    has = contacts.company >= 0
    np.minimum.at(first_seen, contacts.company[has], contacts.created[has])
    random_co = start + (rng.random(len(first_seen)) * (now - start)).astype(np.int64)
    lead = (rng.random(len(first_seen)) * 7 * DAY).astype(np.int64)
    companies.created[:] = np.where(first_seen < now, np.maximum(first_seen - lead, start - 60 * DAY), random_co)


def _activities(rng: np.random.Generator, n: int, contacts: Contacts, deals: Deals, window: Window, *,
                rep_zero_tasks: bool) -> Activities:
    now = window.now
    open_deals = np.flatnonzero(deals.status == 0)
    # Open deals carry a next step: a task due between a week ago (overdue) and ten days ahead.
    has_task = open_deals[rng.random(len(open_deals)) < 0.7][: n // 2]
    n_open = len(has_task)
    open_due = now + ((rng.random(n_open) * 17 - 7) * DAY).astype(np.int64)
    open_due = (open_due - window.today_start) // DAY * DAY + window.today_start + rng.integers(9, 19, n_open) * 3600
    if rep_zero_tasks:
        # rep@voronka.test always finds tasks for today and overdue ones in "my tasks".
        mine = np.flatnonzero(deals.owner[has_task] == 0)
        for k, j in enumerate(mine[:6]):
            open_due[j] = window.today_start + (10 + 3 * k) * 3600 if k < 3 else \
                window.today_start - (k - 2) * DAY + 11 * 3600
    rest = n - n_open
    n_deal = int(rest * 0.85)
    n_contact = rest - n_deal
    end = np.where(deals.closed > 0, deals.closed, now)
    life = (end - deals.created + DAY).astype(float)
    deal = rng.choice(len(deals.title), size=n_deal, p=life / life.sum())
    at = deals.created[deal] + (rng.random(n_deal) * (end[deal] - deals.created[deal])).astype(np.int64)
    contact = rng.integers(len(contacts.email), size=n_contact)
    at_c = contacts.created[contact] + (rng.random(n_contact) * (now - contacts.created[contact])).astype(np.int64)
    kind_done = rng.choice(len(cat.ACTIVITY_KINDS), size=rest, p=cat.ACTIVITY_WEIGHTS)
    kind = np.concatenate([np.full(n_open, cat.ACTIVITY_KINDS.index("task")), kind_done])
    act_deal = np.concatenate([has_task, deal, np.full(n_contact, -1)])
    act_contact = np.concatenate([deals.contact[has_task], deals.contact[deal], contact])
    act_company = np.concatenate([deals.company[has_task], deals.company[deal], contacts.company[contact]])
    owner = np.concatenate([deals.owner[has_task], deals.owner[deal], contacts.owner[contact]])
    when = np.concatenate([at, at_c])
    is_note = kind_done == cat.ACTIVITY_KINDS.index("note")
    lag = (rng.random(rest) * 2 * 3600).astype(np.int64)
    done = np.concatenate([np.full(n_open, -1), np.minimum(when + lag, now)])
    due = np.concatenate([open_due, np.where(is_note, -1, when)])
    opened = np.concatenate([
        np.maximum(deals.stage_entered[has_task], now - (rng.random(n_open) * 5 * DAY).astype(np.int64)),
        np.maximum(when - (rng.random(rest) * 3 * DAY).astype(np.int64),
                   np.concatenate([deals.created[deal], contacts.created[contact]])),
    ])
    created = np.minimum(opened, np.where(due >= 0, due, opened))
    created = np.where(done >= 0, np.minimum(created, done), created)
    subject_pick = rng.integers(1000, size=n)
    subjects = [cat.NEXT_STEPS[s % len(cat.NEXT_STEPS)] for s in subject_pick[:n_open]]
    for k, s in zip(kind_done, subject_pick[n_open:], strict=True):
        options = cat.ACTIVITY_SUBJECTS[cat.ACTIVITY_KINDS[k]]
        subjects.append(options[s % len(options)])
    outcome_pick = rng.integers(len(cat.CALL_OUTCOMES), size=n)
    call = cat.ACTIVITY_KINDS.index("call")
    outcome = [cat.CALL_OUTCOMES[o] if k == call and d >= 0 else ""
               for k, o, d in zip(kind, outcome_pick, done, strict=True)]
    return Activities(kind=kind, subject=subjects, outcome=outcome, deal=act_deal, contact=act_contact,
                      company=act_company, owner=owner, created=created, due=due, done=done)
