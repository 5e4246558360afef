"""What every kind of import shares while it runs: the run's lookups, grouping rows that describe one
record, and finding or creating the companies rows name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership
from voronka.accounts.roles import Capability
from voronka.core.scoping import require_workspace_id

from ... import importing
from ...importing.records import Record
from ...models import Company, ImportJob, Pipeline, Stage, StageKind, Tag
from .messages import row_error_message

# Distinguishes our advisory locks from anyone else's on PostgreSQL.
_LOCK_CLASS = 0x56524B49  # "VRKI"

Key = tuple[str, str]


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def reject_not_visible(self, lines: list[int]) -> None:
        reason = row_error_message(importing.RowError("not_visible"))
        self.rejected += [(line, reason) for line in lines]


@dataclass
class Group:
    """Rows of one chunk that describe the same record: the first creates, later ones update it."""

    record: Record
    lines: list[int]
    keys: list[Key]


class RunContext:
    """What a run looks up once: members for the owner column, pipelines, companies and tags seen so far."""

    def __init__(self, actor: Actor, job: ImportJob) -> None:
        self.actor = actor
        self.job = job
        self.workspace_id: int = actor.workspace.pk
        self.now = timezone.now()
        self.can_assign = actor.can(Capability.CRM_ASSIGN)
        self.members: dict[str, tuple[int, int | None]] = {}
        own_team: int | None = actor.membership.team_id
        for user_id, team_id, email, full_name in Membership.objects.filter(is_active=True).values_list(
            "user_id", "team_id", "user__email", "user__full_name"
        ):
            self.members[email.casefold()] = (user_id, team_id)
            if full_name:
                self.members.setdefault(full_name.casefold().strip(), (user_id, team_id))
        self.default_owner = (actor.user.pk, own_team)
        self.companies: dict[Key, int] = {}
        self.tags: dict[str, int] = {}
        self._pipelines: list[Pipeline] | None = None
        self._stages: dict[int, list[Stage]] = {}

    def owner(self, typed: str) -> tuple[int, int | None]:
        if typed and self.can_assign:
            found = self.members.get(typed.casefold().strip())
            if found:
                return found
        return self.default_owner

    def visible(self, owner_id: int | None, team_id: int | None) -> bool:
        return self.actor.viewer.can_see(owner_id=owner_id, team_id=team_id)

    def pipelines(self) -> list[Pipeline]:
        if self._pipelines is None:
            self._pipelines = list(Pipeline.objects.order_by("-is_default", "order", "id"))
            for stage in Stage.objects.order_by("order", "id"):
                self._stages.setdefault(stage.pipeline_id, []).append(stage)
        return self._pipelines

    def stage_for(self, pipeline_name: str, stage_name: str) -> tuple[Pipeline, Stage]:
        pipelines = self.pipelines()
        if not pipelines:
            raise importing.RowError("unknown_pipeline", value=pipeline_name[:60])
        if pipeline_name:
            matches = [p for p in pipelines if p.name.casefold() == pipeline_name.casefold()]
            if not matches:
                raise importing.RowError("unknown_pipeline", value=pipeline_name[:60])
            pipeline = matches[0]
        else:
            pipeline = pipelines[0]
        stages = self._stages.get(pipeline.pk, [])
        if stage_name:
            found = [s for s in stages if s.name.casefold() == stage_name.casefold()]
            if not found:
                raise importing.RowError("unknown_stage", value=stage_name[:60])
            return pipeline, found[0]
        open_stages = [s for s in stages if s.kind == StageKind.OPEN] or stages
        if not open_stages:
            raise importing.RowError("unknown_stage", value="")
        return pipeline, open_stages[0]


def serialize_chunk() -> None:
    """One chunk writer per workspace at a time, so concurrent imports see each other's rows (R14)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, require_workspace_id()])


def merge_into(target: Record, later: Record) -> None:
    """A later row about the same record: its non-empty values win, emails/phones/tags add up."""
    for name, value in later.values.items():
        if value not in (None, ""):
            target.values[name] = value
    target.emails += [email for email in later.emails if email not in target.emails]
    target.phones += [phone for phone in later.phones if phone not in target.phones]
    target.tags += [tag for tag in later.tags if tag not in target.tags]
    if later.owner:
        target.owner = later.owner


def group_records(records: list[Record], keys_of: Callable[[Record], list[Key]]) -> list[Group]:
    """Rows sharing any key (an email, a phone, a domain…) become one group, in file order."""
    groups: list[Group] = []
    index: dict[Key, int] = {}
    for record in records:
        keys = keys_of(record)
        position = None
        for key in keys:
            position = index.get(key)
            if position is not None:
                break
        if position is None:
            position = len(groups)
            groups.append(Group(record, [record.line], list(keys)))
        else:
            group = groups[position]
            merge_into(group.record, record)
            group.lines.append(record.line)
            group.keys += [key for key in keys if key not in group.keys]
        for key in keys:
            index.setdefault(key, position)
    return groups


def set_tags(ctx: RunContext, through: Any, column: str, links: list[tuple[int, list[str]]]) -> None:
    names = {name for _pk, tags in links for name in tags}
    missing = names - ctx.tags.keys()
    if missing:
        Tag.objects.bulk_create([Tag(workspace=ctx.actor.workspace, name=name) for name in missing],
                                ignore_conflicts=True)
        ctx.tags.update(dict(Tag.objects.filter(name__in=missing).values_list("name", "id")))
    rows = [through(**{column: pk, "tag_id": ctx.tags[name]}) for pk, tags in links for name in tags
            if name in ctx.tags]
    if rows:
        through.objects.bulk_create(rows, ignore_conflicts=True)


def resolve_companies(ctx: RunContext, wanted: dict[Key, Key], owner: tuple[int, int | None]) -> None:
    """Company ids for (name_key, domain) pairs: visible matches by domain then name, else created."""
    todo = {key: value for key, value in wanted.items() if key not in ctx.companies}
    if not todo:
        return
    names = {key[0] for key in todo if key[0]}
    domains = {key[1] for key in todo if key[1]}
    found_by_domain: dict[str, int] = {}
    found_by_name: dict[str, int] = {}
    for pk, name_key_value, domain, owner_id, team_id in (
        Company.objects.filter(Q(name_key__in=names) | Q(domain__in=domains))
        .order_by("id").values_list("id", "name_key", "domain", "owner_id", "team_id")
    ):
        if not ctx.visible(owner_id, team_id):
            continue
        if domain:
            found_by_domain.setdefault(domain, pk)
        found_by_name.setdefault(name_key_value, pk)
    create: dict[Key, Company] = {}
    for key, (name, domain) in todo.items():
        pk = found_by_domain.get(key[1]) if key[1] else None
        pk = pk or (found_by_name.get(key[0]) if key[0] else None)
        if pk:
            ctx.companies[key] = pk
        elif name:
            create[key] = Company(
                workspace=ctx.actor.workspace, name=name[:200], name_key=key[0], domain=domain,
                owner_id=owner[0], team_id=owner[1],
            )
    if create:
        Company.objects.bulk_create(list(create.values()))
        for key, company in create.items():
            ctx.companies[key] = company.pk
