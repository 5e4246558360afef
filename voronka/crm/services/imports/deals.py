"""Importing deals: rows matched by external id, or title and company; new deals enter their stage."""

from __future__ import annotations

from django.db.models import F, Q

from ... import importing
from ...importing.records import Record
from ...models import Deal, Pipeline, Stage, StageTransition
from .bulk_sql import points_with_owners
from .matching import Group, Key, Outcome, RunContext, group_records, merge_into, resolve_companies, set_tags
from .messages import row_error_message


def deal_keys(record: Record) -> list[Key]:
    if record.values["external_id"]:
        return [("external_id", str(record.values["external_id"]))]
    return [("title", f"{record.values['title']}|{record.values['company_key']}")]


def apply_deals(ctx: RunContext, records: list[Record]) -> Outcome:
    outcome = Outcome()
    groups = group_records(records, deal_keys)
    placed: list[tuple[Group, Pipeline, Stage]] = []
    for group in groups:
        try:
            pipeline, stage = ctx.stage_for(str(group.record.values["pipeline"]), str(group.record.values["stage"]))
        except importing.RowError as error:
            outcome.rejected += [(line, row_error_message(error)) for line in group.lines]
            continue
        placed.append((group, pipeline, stage))
    external = {g.keys[0][1] for g, _p, _s in placed if g.keys[0][0] == "external_id"}
    titles = {str(g.record.values["title"]) for g, _p, _s in placed if g.keys[0][0] == "title"}
    existing: dict[Key, tuple[int, bool]] = {}
    if external or titles:
        query = Q(title__in=titles) if titles else Q(pk__in=[])
        if external:
            query |= Q(custom__external_id__in=sorted(external))
        for pk, title, company_key, custom, owner_id, team_id in Deal.objects.filter(query).order_by("id").values_list(
            "id", "title", "company__name_key", "custom", "owner_id", "team_id"
        ):
            visible = ctx.visible(owner_id, team_id)
            external_id = (custom or {}).get("external_id") if isinstance(custom, dict) else None
            if external_id:
                existing.setdefault(("external_id", str(external_id)), (pk, visible))
            existing.setdefault(("title", f"{title}|{company_key or ''}"), (pk, visible))
    wanted = {
        (str(g.record.values["company_key"]), ""): (str(g.record.values["company"]), "")
        for g, _p, _s in placed if g.record.values["company"]
    }
    resolve_companies(ctx, wanted, ctx.default_owner)

    def company_id(record: Record) -> int | None:
        return ctx.companies.get((str(record.values["company_key"]), "")) if record.values["company"] else None

    to_update: dict[int, Group] = {}
    to_create: list[tuple[Group, Pipeline, Stage]] = []
    for group, pipeline, stage in placed:
        match = existing.get(group.keys[0])
        if match is None:
            to_create.append((group, pipeline, stage))
        elif not match[1]:
            outcome.reject_not_visible(group.lines)
        elif match[0] in to_update:
            merge_into(to_update[match[0]].record, group.record)
            to_update[match[0]].lines += group.lines
        else:
            to_update[match[0]] = group
    contact_links: list[tuple[int, Record]] = []
    tag_links: list[tuple[int, list[str]]] = []
    if to_update:
        deals = list(Deal.objects.filter(pk__in=to_update.keys()))
        changed: set[str] = set()
        for deal in deals:
            group = to_update[deal.pk]
            values = group.record.values
            for name, target in (("amount", "amount"), ("cost", "cost"), ("lead_source", "lead_source"),
                                 ("expected_close_date", "expected_close_date"),
                                 ("probability", "probability_override")):
                if values.get(name) not in (None, ""):
                    setattr(deal, target, values[name])
                    changed.add(target)
            if company_id(group.record):
                deal.company_id = company_id(group.record)
                changed.add("company")
            deal.version = F("version") + 1  # type: ignore[assignment]
            deal.updated_at = ctx.now
            contact_links.append((deal.pk, group.record))
            if group.record.tags:
                tag_links.append((deal.pk, group.record.tags))
            outcome.updated += len(group.lines)
        Deal.objects.bulk_update(deals, [*sorted(changed), "version", "updated_at"])
    if to_create:
        created: list[tuple[Deal, Group]] = []
        for group, pipeline, stage in to_create:
            values = group.record.values
            owner_id, team_id = ctx.owner(group.record.owner)
            status = {"won": "won", "lost": "lost"}.get(str(stage.kind), "open")
            custom = {"external_id": values["external_id"]} if values["external_id"] else {}
            created.append((Deal(
                workspace=ctx.actor.workspace, owner_id=owner_id, team_id=team_id, title=values["title"],
                company_id=company_id(group.record), pipeline=pipeline, stage=stage,
                amount=values["amount"] or 0, cost=values["cost"] or 0, amount_is_manual=True,
                expected_close_date=values["expected_close_date"], probability_override=values["probability"],
                lead_source=values["lead_source"] or "", status=status, stage_entered_at=ctx.now,
                closed_at=ctx.now if status != "open" else None, custom=custom,
            ), group))
        Deal.objects.bulk_create([deal for deal, _group in created])
        StageTransition.objects.bulk_create([
            StageTransition(workspace=ctx.actor.workspace, deal=deal, from_stage=None, to_stage_id=deal.stage_id,
                            at=ctx.now, actor_id=ctx.actor.user.pk)
            for deal, _group in created
        ])
        for deal, group in created:
            outcome.created += 1
            outcome.updated += len(group.lines) - 1
            contact_links.append((deal.pk, group.record))
            if group.record.tags:
                tag_links.append((deal.pk, group.record.tags))
    _link_deal_contacts(ctx, contact_links)
    if tag_links:
        set_tags(ctx, Deal.tags.through, "deal_id", tag_links)
    return outcome


def _link_deal_contacts(ctx: RunContext, links: list[tuple[int, Record]]) -> None:
    emails = {email for _pk, record in links for email in record.emails}
    phones = {phone for _pk, record in links for phone in record.phones}
    if not emails and not phones:
        return
    found: dict[Key, int] = {}
    for kind, value, contact_id, owner_id, team_id in points_with_owners({"email": emails, "phone": phones}):
        if ctx.visible(owner_id, team_id):
            found[(kind, value)] = contact_id
    through = Deal.contacts.through
    rows = {
        (deal_id, found[key]) for deal_id, record in links for key in record.point_keys() if key in found
    }
    through.objects.bulk_create([through(deal_id=deal_id, contact_id=contact_id) for deal_id, contact_id in rows],
                                ignore_conflicts=True)
