"""Tags on companies, contacts and deals: one Tag row per name and workspace, reused case-insensitively."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError

from ..models import Company, Contact, Deal, Tag

TAG_MAX = 60
TAGS_PER_RECORD_MAX = 50
_SPACES = re.compile(r"\s+")


def tag_names_clean(names: Any) -> list[str]:
    """Trimmed, inner spaces collapsed, blanks dropped, case-insensitive duplicates dropped (first spelling wins)."""
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list | tuple | set | frozenset):
        raise ApplicationError(_("Check the tags."), fields={"tags": [_("Give a list of tags.")]})
    cleaned: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str):
            raise ApplicationError(_("Check the tags."), fields={"tags": [_("Each tag is text.")]})
        text = _SPACES.sub(" ", name).strip()
        if not text:
            continue
        if len(text) > TAG_MAX or "\x00" in text or not _encodable(text):
            raise ApplicationError(
                _("Check the tags."), fields={"tags": [_("A tag has at most %(n)d characters.") % {"n": TAG_MAX}]}
            )
        cleaned.setdefault(text.casefold(), text)
    if len(cleaned) > TAGS_PER_RECORD_MAX:
        raise ApplicationError(
            _("Check the tags."), fields={"tags": [_("At most %(n)d tags.") % {"n": TAGS_PER_RECORD_MAX}]}
        )
    return list(cleaned.values())


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def tags_matching(*, workspace_id: int, names: Iterable[str]) -> dict[str, Tag]:
    """Existing tags whose name equals one of `names` ignoring case, keyed by the casefolded name."""
    wanted = {name.casefold() for name in names}
    if not wanted:
        return {}
    queryset = Tag.objects.filter(workspace_id=workspace_id)
    if connection.vendor == "sqlite" and not all(name.isascii() for name in wanted):
        # SQLite compares case-insensitively for ASCII only; a workspace's tag list is short, so
        # compare in Python rather than miss "Важно" when asked for "важно".
        candidates = list(queryset)
    else:
        condition = Q()
        for name in wanted:
            condition |= Q(name__iexact=name)
        candidates = list(queryset.filter(condition))
    found: dict[str, Tag] = {}
    for tag in sorted(candidates, key=lambda tag: tag.pk):
        found.setdefault(tag.name.casefold(), tag)
    return {key: tag for key, tag in found.items() if key in wanted}


def tags_get_or_create(*, workspace_id: int, names: Sequence[str]) -> list[Tag]:
    """The tags for already cleaned `names`, created where missing (safe against a concurrent create)."""
    existing = tags_matching(workspace_id=workspace_id, names=names)
    tags: list[Tag] = []
    for name in names:
        tag = existing.get(name.casefold())
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(workspace_id=workspace_id, name=name)
            except IntegrityError:
                tag = Tag.objects.get(workspace_id=workspace_id, name=name)
            existing[name.casefold()] = tag
        tags.append(tag)
    return tags


@transaction.atomic
def tags_set(*, record: Company | Contact | Deal, names: list[str]) -> None:
    """Make the record's tags exactly `names` (cleaned; existing tags reused regardless of case)."""
    cleaned = tag_names_clean(names)
    tags = tags_get_or_create(workspace_id=record.workspace_id, names=cleaned)
    record.tags.set(tags)


def _edit_capability(record: Any) -> Capability:
    return Capability.CRM_EDIT_DEALS if isinstance(record, Deal) else Capability.CRM_EDIT_CONTACTS


@transaction.atomic
def tags_add(*, actor: Actor, records: Sequence[Company | Contact | Deal], names: list[str]) -> int:
    """Add tags to records the caller resolved as visible (bulk action); returns how many records were tagged.

    A record that gets a new tag is a changed record: its version goes up (an open edit form then gets a
    conflict instead of silently dropping the tag) and so does updated_at. One that had them all is untouched.
    """
    cleaned = tag_names_clean(names)
    if not cleaned or not records:
        return 0
    for capability in {_edit_capability(record) for record in records}:
        actor.require(capability)
    ensure_same_workspace(actor, *records)
    tags = tags_get_or_create(workspace_id=actor.workspace.pk, names=cleaned)
    tag_ids = {tag.pk for tag in tags}
    by_model: dict[type[Company | Contact | Deal], set[int]] = {}
    for record in records:
        by_model.setdefault(type(record), set()).add(record.pk)
    now = timezone.now()
    for model, ids in by_model.items():
        through: Any = model.tags.through
        column = f"{model._meta.model_name}_id"
        present = set(through.objects.filter(**{f"{column}__in": ids, "tag_id__in": tag_ids})
                      .values_list(column, "tag_id"))
        missing = [(record_id, tag_id) for record_id in sorted(ids) for tag_id in sorted(tag_ids)
                   if (record_id, tag_id) not in present]
        if not missing:
            continue
        through.objects.bulk_create([through(**{column: record_id, "tag_id": tag_id}) for record_id, tag_id in missing],
                                    ignore_conflicts=True)
        model.objects.filter(pk__in={record_id for record_id, _tag in missing}).update(
            version=F("version") + 1, updated_at=now
        )
    return len(records)
