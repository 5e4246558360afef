"""Importing companies: rows matched by domain, then by name, updated or created in bulk."""

from __future__ import annotations

from django.db.models import F, Q

from ...importing.records import Record
from ...models import Company
from .matching import Group, Key, Outcome, RunContext, group_records, merge_into, set_tags


def company_keys(record: Record) -> list[Key]:
    keys = [("name", str(record.values["name_key"]))]
    if record.values["domain"]:
        keys.insert(0, ("domain", str(record.values["domain"])))
    return keys


COMPANY_FIELDS = ("name", "industry", "size_band", "country", "region", "city", "annual_revenue", "domain")


def apply_companies(ctx: RunContext, records: list[Record]) -> Outcome:
    outcome = Outcome()
    groups = group_records(records, company_keys)
    domains = {v for g in groups for k, v in g.keys if k == "domain"}
    names = {v for g in groups for k, v in g.keys if k == "name"}
    by_domain: dict[str, tuple[int, bool]] = {}
    by_name: dict[str, tuple[int, bool, str]] = {}
    for pk, name_key_value, domain, owner_id, team_id in (
        Company.objects.filter(Q(domain__in=domains) | Q(name_key__in=names)).order_by("id")
        .values_list("id", "name_key", "domain", "owner_id", "team_id")
    ):
        visible = ctx.visible(owner_id, team_id)
        if domain:
            by_domain.setdefault(domain, (pk, visible))
        by_name.setdefault(name_key_value, (pk, visible, domain))
    to_update: dict[int, Group] = {}
    to_create: list[Group] = []
    for group in groups:
        values = group.record.values
        match: tuple[int, bool] | None = by_domain.get(str(values["domain"])) if values["domain"] else None
        if match is None and str(values["name_key"]) in by_name:
            pk, visible, domain = by_name[str(values["name_key"])]
            if not values["domain"] or not domain:
                match = (pk, visible)
        if match is None:
            to_create.append(group)
        elif not match[1]:
            outcome.reject_not_visible(group.lines)
        elif match[0] in to_update:
            merge_into(to_update[match[0]].record, group.record)
            to_update[match[0]].lines += group.lines
        else:
            to_update[match[0]] = group
    tag_links: list[tuple[int, list[str]]] = []
    if to_update:
        companies = list(Company.objects.filter(pk__in=to_update.keys()))
        changed: set[str] = set()
        for company in companies:
            group = to_update[company.pk]
            for name in COMPANY_FIELDS:
                value = group.record.values.get(name)
                if value not in (None, ""):
                    setattr(company, name, value)
                    changed.add(name)
            company.name_key = str(group.record.values["name_key"])
            company.version = F("version") + 1  # type: ignore[assignment]
            company.updated_at = ctx.now
            if group.record.tags:
                tag_links.append((company.pk, group.record.tags))
            outcome.updated += len(group.lines)
        Company.objects.bulk_update(companies, [*sorted(changed), "name_key", "version", "updated_at"])
    if to_create:
        created: list[tuple[Company, Group]] = []
        for group in to_create:
            owner_id, team_id = ctx.owner(group.record.owner)
            values = group.record.values
            created.append((Company(
                workspace=ctx.actor.workspace, owner_id=owner_id, team_id=team_id, name_key=str(values["name_key"]),
                **{name: values.get(name) if name == "annual_revenue" else values.get(name) or ""
                   for name in COMPANY_FIELDS},
            ), group))
        Company.objects.bulk_create([company for company, _group in created])
        for company, group in created:
            outcome.created += 1
            outcome.updated += len(group.lines) - 1
            ctx.companies[(company.name_key, company.domain)] = company.pk
            if group.record.tags:
                tag_links.append((company.pk, group.record.tags))
    if tag_links:
        set_tags(ctx, Company.tags.through, "company_id", tag_links)
    return outcome
