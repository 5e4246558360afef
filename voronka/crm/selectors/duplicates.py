"""Possible duplicates among the contacts and companies an actor can see (issue 3 item 4).

A group is a key shared by two or more visible records: the same email or phone (contacts), the
same name at the same company (contacts), the same domain or name (companies). Finding the keys is
one aggregate query per rule; the records of the requested page of groups are one more query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability

from ..access import visible_companies, visible_contacts

DEFAULT_PAGE = 20


@dataclass(frozen=True)
class DuplicateGroup:
    reason: str  # "email", "phone", "name" (contacts: name + company), "domain"
    key: str
    records: list[Any]

    @property
    def ids(self) -> list[int]:
        return [record.pk for record in self.records]


@dataclass(frozen=True)
class DuplicatePage:
    groups: list[DuplicateGroup]
    total: int
    limit: int
    offset: int


def _keys(queryset: QuerySet, expression: Any, *extra: str, exclude_blank: str) -> list[tuple[Any, ...]]:
    rows = (
        queryset.exclude(**{exclude_blank: ""}).annotate(k=expression).values("k", *extra)
        .annotate(n=Count("id")).filter(n__gt=1).order_by("k", *extra).values_list("k", *extra)
    )
    return [tuple(row) for row in rows]


def _page(
    found: list[tuple[str, str, dict[str, Any]]], base: QuerySet, limit: int, offset: int
) -> DuplicatePage:
    """Load the records of one page of groups with a single query."""
    chosen = found[offset : offset + limit]
    if not chosen:
        return DuplicatePage([], len(found), limit, offset)
    from django.db.models import Q

    query = Q()
    for _reason, _key, lookup in chosen:
        query |= Q(**lookup)
    records = list(base.filter(query))
    groups = []
    for reason, key, lookup in chosen:
        members = [record for record in records if _matches(record, lookup)]
        if len(members) > 1:
            groups.append(DuplicateGroup(reason, key, sorted(members, key=lambda record: record.pk)))
    return DuplicatePage(groups, len(found), limit, offset)


def _matches(record: Any, lookup: dict[str, Any]) -> bool:
    for name, value in lookup.items():
        field, _, transform = name.partition("__")
        current = getattr(record, field if field != "company" else "company_id")
        if transform == "iexact":
            if (current or "").casefold() != (value or "").casefold():
                return False
        elif current != value:
            return False
    return True


def contact_duplicate_groups(*, actor: Actor, limit: int = DEFAULT_PAGE, offset: int = 0) -> DuplicatePage:
    """Visible contacts sharing an email, a phone, or a name at the same company."""
    actor.require(Capability.CRM_VIEW)
    visible = visible_contacts(actor)
    found: list[tuple[str, str, dict[str, Any]]] = []
    for (email,) in _keys(visible, Lower("email"), exclude_blank="email"):
        found.append(("email", email, {"email__iexact": email}))
    for (phone,) in _keys(visible, Lower("phone"), exclude_blank="phone"):
        found.append(("phone", phone, {"phone": phone}))
    for name, company_id in _keys(visible, Lower("full_name"), "company_id", exclude_blank="full_name"):
        found.append(("name", name, {"full_name__iexact": name, "company": company_id}))
    base = visible.select_related("company", "owner").order_by("id")
    return _page(found, base, max(1, limit), max(0, offset))


def company_duplicate_groups(*, actor: Actor, limit: int = DEFAULT_PAGE, offset: int = 0) -> DuplicatePage:
    """Visible companies sharing a domain or a name."""
    actor.require(Capability.CRM_VIEW)
    visible = visible_companies(actor)
    found: list[tuple[str, str, dict[str, Any]]] = []
    for (domain,) in _keys(visible, Lower("domain"), exclude_blank="domain"):
        found.append(("domain", domain, {"domain__iexact": domain}))
    for (key,) in _keys(visible, Lower("name_key"), exclude_blank="name_key"):
        found.append(("name", key, {"name_key__iexact": key}))
    base = visible.select_related("owner").order_by("id")
    return _page(found, base, max(1, limit), max(0, offset))
