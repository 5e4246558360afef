"""crm board, deal page, quick add and my tasks in the page route matrix."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from conftest import Org
from voronka.crm.models import Activity, Deal, Pipeline, Stage
from voronka.crm.tests.factories import make_deal, make_pipeline

from .page_route import PageRoute

EDITORS = frozenset({"admin", "manager", "rep"})


def _pipeline(org: Org) -> Pipeline:
    return Pipeline.unscoped.filter(workspace=org.workspace).first() or make_pipeline(org.workspace)


def _deal(org: Org) -> Deal:
    """A deal every role sees: owned by the rep (the manager sees North; admin and marketer all)."""
    found = Deal.unscoped.filter(workspace=org.workspace, owner=org.rep).first()
    return found or make_deal(_pipeline(org), owner=org.rep, title="Matrix deal")


def _any_deal_id(org: Org) -> int:
    """For POST-only routes: denied roles are refused before the id is resolved, and the matrix reads
    these kwargs after its snapshot of row counts, so they must not create anything."""
    return Deal.unscoped.filter(workspace=org.workspace).values_list("pk", flat=True).first() or 1


def _stage(org: Org) -> Stage:
    return Stage.unscoped.filter(pipeline=_pipeline(org)).order_by("order").first()


def _task(org: Org) -> Activity:
    return Activity.unscoped.create(
        workspace=org.workspace, owner=org.rep, team=org.north, kind="task", subject="Call back",
        due_at=timezone.now() - dt.timedelta(hours=1), deal=_deal(org),
    )


PAGES: dict[str, PageRoute] = {
    "crm:board": PageRoute(),
    "crm:board-column": PageRoute(kwargs=lambda org: {"stage_id": _stage(org).pk},
                                  foreign=lambda org: {"stage_id": _stage(org).pk}),
    "crm:deal-create": PageRoute(get_roles=EDITORS),
    "crm:deal-detail": PageRoute(kwargs=lambda org: {"deal_id": _deal(org).pk},
                                 foreign=lambda org: {"deal_id": _deal(org).pk}),
    "crm:deal-move": PageRoute(get_roles=EDITORS, post_only=True, kwargs=lambda org: {"deal_id": _any_deal_id(org)},
                               foreign=lambda org: {"deal_id": _deal(org).pk}),
    "crm:deal-won": PageRoute(get_roles=EDITORS, post_only=True, kwargs=lambda org: {"deal_id": _any_deal_id(org)},
                              foreign=lambda org: {"deal_id": _deal(org).pk}),
    "crm:deal-lost": PageRoute(get_roles=EDITORS, kwargs=lambda org: {"deal_id": _deal(org).pk},
                               foreign=lambda org: {"deal_id": _deal(org).pk}),
    "crm:deal-reopen": PageRoute(get_roles=EDITORS, post_only=True, kwargs=lambda org: {"deal_id": _any_deal_id(org)},
                                 foreign=lambda org: {"deal_id": _deal(org).pk}),
    "crm:deal-field": PageRoute(kwargs=lambda org: {"deal_id": _deal(org).pk, "field": "amount"},
                                foreign=lambda org: {"deal_id": _deal(org).pk, "field": "amount"}),
    "crm:activity-quick-add": PageRoute(get_roles=EDITORS, post_only=True),
    "crm:my-tasks": PageRoute(),
    "crm:task-done": PageRoute(get_roles=EDITORS, post_only=True, kwargs=lambda org: {"activity_id": 1},
                               foreign=lambda org: {"activity_id": _task(org).pk}),
}
