"""Rows for the list, page and export tests: each rep, the manager and the admin own some records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from conftest import Org
from voronka.crm.models import Activity, Company, Contact, CustomField, Deal, Pipeline
from voronka.crm.tests.factories import make_company, make_contact, make_deal, make_pipeline

OWNERS = ("admin", "manager", "rep", "rep_south")


@dataclass
class Seeded:
    pipeline: Pipeline
    deals: dict[str, list[Deal]] = field(default_factory=dict)
    companies: dict[str, list[Company]] = field(default_factory=dict)
    contacts: dict[str, list[Contact]] = field(default_factory=dict)
    activities: dict[str, list[Activity]] = field(default_factory=dict)

    def ids(self, kind: str, *owners: str) -> set[int]:
        rows: dict[str, list[Any]] = getattr(self, kind)
        return {row.pk for owner in owners for row in rows.get(owner, [])}


def make_activity(org: Org, owner: Any, **kwargs: Any) -> Activity:
    from voronka.crm.tests.factories import _team_of

    kwargs.setdefault("subject", "Call back")
    return Activity.unscoped.create(workspace=org.workspace, owner=owner, team=_team_of(org.workspace, owner),
                                    **kwargs)


def seed(org: Org, per_owner: int = 2, batch: str = "") -> Seeded:
    pipeline = Pipeline.unscoped.filter(workspace=org.workspace, name="Sales").first() or make_pipeline(org.workspace)
    seeded = Seeded(pipeline=pipeline)
    for key in OWNERS:
        user = getattr(org, key)
        seeded.companies[key] = [make_company(org.workspace, user, name=f"{key} company {batch}{n}")
                                 for n in range(per_owner)]
        seeded.contacts[key] = [make_contact(org.workspace, user, full_name=f"{key} contact {batch}{n}",
                                             email=f"{key}{batch}{n}@people.test") for n in range(per_owner)]
        seeded.deals[key] = [make_deal(pipeline, user, title=f"{key} deal {batch}{n}", amount=100 * (n + 1))
                             for n in range(per_owner)]
        seeded.activities[key] = [make_activity(org, user, subject=f"{key} task {batch}{n}",
                                                due_at=timezone.now() + dt.timedelta(days=n - 1))
                                  for n in range(per_owner)]
    return seeded


def custom_field(org: Org, entity: str, key: str, kind: str = "text", **kwargs: Any) -> CustomField:
    return CustomField.unscoped.create(workspace=org.workspace, entity=entity, key=key, label=key.title(),
                                      kind=kind, **kwargs)
