"""services/deals.py: create, update, move, won/lost/reopen, delete — rules, history, audit, events, conflicts."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from conftest import Org
from voronka.channels.models import SalesChannel
from voronka.core import events as core_events
from voronka.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.core.scoping import workspace_scope
from voronka.crm.events import DealClosed, DealStageChanged
from voronka.crm.models import CustomField, Deal, StageTransition, TimelineEntry
from voronka.crm.services.deals import (
    deal_create,
    deal_delete,
    deal_mark_lost,
    deal_mark_won,
    deal_move_stage,
    deal_reopen,
    deal_update,
)
from voronka.crm.tests.deals_factories import make_deal, make_lost_reason, make_pipeline, stage, with_required
from voronka.crm.tests.factories import make_company, make_contact

pytestmark = pytest.mark.django_db

RECEIVED: list[Any] = []


def record_event(event: Any) -> None:
    RECEIVED.append(event)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Events delivered to a test subscriber (only once the transaction commits)."""
    RECEIVED.clear()
    path = f"{__name__}.record_event"
    for event_type in (DealStageChanged, DealClosed):
        monkeypatch.setitem(core_events._handlers, event_type.event_name(), [path])
    return RECEIVED


def snapshot(deal: Deal) -> tuple[Any, ...]:
    row = Deal.objects.values_list("stage_id", "status", "version", "amount", "title", "owner_id").get(pk=deal.pk)
    return (row, StageTransition.objects.filter(deal=deal).count(),
            TimelineEntry.objects.filter(deal=deal).count())


# --- create ----------------------------------------------------------------------------------


def test_create_defaults(org: Org, scoped: object, events: list[Any],
                         django_capture_on_commit_callbacks: Any) -> None:
    # Given a pipeline and a rep in North
    pipeline = make_pipeline(org.workspace)
    # When the rep creates a deal with only a title
    with django_capture_on_commit_callbacks(execute=True):
        deal = deal_create(actor=org.actor(org.rep), data={"title": "  Boiler  "})
    # Then it starts in the first open stage, owned by the rep, in North, with history
    assert (deal.title, deal.stage.name, deal.status, deal.owner_id, deal.team_id, deal.version) == (
        "Boiler", "Lead", "open", org.rep.pk, org.north.pk, 1)
    assert deal.pipeline_id == pipeline.pk
    assert list(StageTransition.objects.filter(deal=deal).values_list("from_stage_id", "to_stage_id", "actor_id")) \
        == [(None, deal.stage_id, org.rep.pk)]
    assert list(TimelineEntry.objects.filter(deal=deal).values_list("kind", flat=True)) == ["deal_created"]
    assert AuditEntry.objects.filter(action="deal.create", target_id=str(deal.pk)).count() == 1
    assert [type(e) for e in events] == [DealStageChanged]
    assert events[0].from_stage_id is None and events[0].to_stage_id == deal.stage_id


def test_create_with_everything(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    company = make_company(org.workspace, owner=org.rep)
    contact = make_contact(org.workspace, owner=org.rep)
    channel = SalesChannel.objects.create(workspace=org.workspace, name="Web")
    CustomField.objects.create(workspace=org.workspace, entity="deal", key="budget", label="Budget", kind="number")
    deal = deal_create(actor=org.actor(org.rep), data={
        "title": "Pump", "pipeline_id": pipeline.pk, "stage_id": stage(pipeline, "Proposal").pk,
        "company_id": company.pk, "contact_ids": [contact.pk], "amount": "1500.50", "cost": 300,
        "expected_close_date": "2025-05-01", "probability_override": 60, "channel_id": channel.pk,
        "lead_source": "web", "custom": {"budget": "2000"}, "tags": ["vip", "q2"],
    })
    assert (deal.stage.name, deal.company_id, deal.amount, deal.cost, deal.expected_close_date,
            deal.probability, deal.channel_id, deal.lead_source) == (
        "Proposal", company.pk, Decimal("1500.50"), Decimal("300.00"), dt.date(2025, 5, 1), 60, channel.pk, "web")
    assert list(deal.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert sorted(deal.tags.values_list("name", flat=True)) == ["q2", "vip"]
    assert deal.custom == {"budget": "2000"}


@pytest.mark.parametrize(("data", "field"), [
    ({}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "A", "amount": -1}, "amount"),
    ({"title": "A", "amount": "abc"}, "amount"),
    ({"title": "A", "amount": "NaN"}, "amount"),
    ({"title": "A", "cost": "-0.01"}, "cost"),
    ({"title": "A", "probability_override": 101}, "probability_override"),
    ({"title": "A", "expected_close_date": "31.12.2025"}, "expected_close_date"),
    ({"title": "A", "company_id": 987654}, "company"),
    ({"title": "A", "contact_ids": [987654]}, "contacts"),
    ({"title": "A", "channel_id": 987654}, "channel"),
    ({"title": "A", "pipeline_id": 987654}, "pipeline"),
    ({"title": "A", "stage_id": 987654}, "stage"),
    ({"title": "A", "custom": {"nope": 1}}, "custom.nope"),
])
def test_create_refuses_bad_input(org: Org, scoped: object, data: dict[str, Any], field: str) -> None:
    make_pipeline(org.workspace)
    with pytest.raises(ApplicationError) as error:
        deal_create(actor=org.actor(org.rep), data=data)
    assert field in error.value.fields
    assert Deal.objects.count() == 0


def test_create_refuses_invisible_company_and_pipeline(org: Org, scoped: object) -> None:
    # Given the southern rep's company and a South pipeline
    make_pipeline(org.workspace)
    south_pipeline = make_pipeline(org.workspace, name="South only", team=org.south)
    theirs = make_company(org.workspace, owner=org.rep_south)
    actor = org.actor(org.rep)
    for data, field in [({"company_id": theirs.pk}, "company"), ({"pipeline_id": south_pipeline.pk}, "pipeline")]:
        with pytest.raises(ApplicationError) as error:
            deal_create(actor=actor, data={"title": "Sneaky", **data})
        assert field in error.value.fields
    assert Deal.objects.count() == 0


def test_create_mass_assignment_ignored(org: Org, scoped: object, other_org: Org) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = deal_create(actor=org.actor(org.rep), data={
        "title": "A", "status": "won", "version": 99, "workspace_id": other_org.workspace.pk,
        "team_id": org.south.pk, "closed_at": "2020-01-01T00:00:00Z", "stage_entered_at": "2020-01-01",
        "amount_is_manual": False, "id": 5000,
    })
    assert (deal.status, deal.version, deal.workspace_id, deal.team_id, deal.closed_at, deal.amount_is_manual) == (
        "open", 1, org.workspace.pk, org.north.pk, None, True)
    assert deal.pipeline_id == pipeline.pk and deal.pk != 5000


def test_create_for_another_owner_needs_assign(org: Org, scoped: object) -> None:
    make_pipeline(org.workspace)
    with pytest.raises(PermissionDeniedError):
        deal_create(actor=org.actor(org.rep), data={"title": "A", "owner_id": org.rep_south.pk})
    assert Deal.objects.count() == 0
    deal = deal_create(actor=org.actor(org.manager), data={"title": "A", "owner_id": org.rep_south.pk})
    assert (deal.owner_id, deal.team_id) == (org.rep_south.pk, org.south.pk)
    with pytest.raises(ApplicationError) as error:
        deal_create(actor=org.actor(org.manager), data={"title": "B", "owner_id": 987654})
    assert "owner" in error.value.fields


def test_marketer_cannot_create(org: Org, scoped: object) -> None:
    make_pipeline(org.workspace)
    with pytest.raises(PermissionDeniedError):
        deal_create(actor=org.actor(org.marketer), data={"title": "A"})
    assert Deal.objects.count() == 0


def test_create_into_gated_stage_needs_fields(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    with_required(stage(pipeline, "Proposal"), "amount", "expected_close_date")
    with pytest.raises(ApplicationError) as error:
        deal_create(actor=org.actor(org.rep), data={"title": "A", "stage_id": stage(pipeline, "Proposal").pk})
    assert error.value.code == "stage_gate"
    assert set(error.value.fields) == {"amount", "expected_close_date"}
    assert Deal.objects.count() == 0


# --- update ----------------------------------------------------------------------------------


def test_update_fields_and_audit_amount(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep, amount=100)
    actor = org.actor(org.rep)
    updated = deal_update(actor=actor, deal=deal, version=1, data={
        "title": "Renamed", "amount": "250", "stage_id": stage(pipeline, "Won").pk, "status": "won",
        "version": 50, "owner": None,
    })
    assert (updated.title, updated.amount, updated.version, updated.stage.name, updated.status,
            updated.owner_id) == ("Renamed", Decimal("250.00"), 2, "Lead", "open", org.rep.pk)
    amount_rows = AuditEntry.objects.filter(action="deal.amount", target_id=str(deal.pk))
    assert [row.diff for row in amount_rows] == [{"amount": ["100.00", "250.00"]}]
    assert StageTransition.objects.filter(deal=deal).count() == 1


def test_update_stale_version_conflict_carries_who_and_when(org: Org, scoped: object) -> None:
    # Given a deal the manager changed first
    pipeline = make_pipeline(org.workspace)
    org.manager.full_name = "Anna Manager"
    org.manager.save()
    deal = make_deal(pipeline, owner=org.rep, amount=100)
    deal_update(actor=org.actor(org.manager), deal=deal, version=1, data={"amount": 200})
    before = snapshot(deal)
    # When the rep writes with the version they read before
    with pytest.raises(ConflictError) as error:
        deal_update(actor=org.actor(org.rep), deal=deal, version=1, data={"amount": 300})
    # Then 409 with the current state, who changed it last and when; the first change stays
    current = error.value.extra["current"]
    assert (current["amount"], current["version"], current["changed_by"], current["changed_by_id"]) == (
        "200.00", 2, "Anna Manager", org.manager.pk)
    assert current["changed_at"] is not None
    assert error.value.status == 409
    assert snapshot(deal) == before


def test_update_amount_refused_while_line_items_set_it(org: Org, scoped: object) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep, amount_is_manual=False)
    with pytest.raises(ApplicationError) as error:
        deal_update(actor=org.actor(org.rep), deal=deal, version=1, data={"amount": 5})
    assert "amount" in error.value.fields


def test_update_owner_needs_assign_and_moves_team(org: Org, scoped: object) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    with pytest.raises(PermissionDeniedError):
        deal_update(actor=org.actor(org.rep), deal=deal, version=1, data={"owner_id": org.rep_south.pk})
    updated = deal_update(actor=org.actor(org.manager), deal=deal, version=1, data={"owner_id": org.rep_south.pk})
    assert (updated.owner_id, updated.team_id) == (org.rep_south.pk, org.south.pk)
    assert AuditEntry.objects.filter(action="deal.owner", target_id=str(deal.pk)).count() == 1


def test_update_nothing_changed_writes_nothing(org: Org, scoped: object) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    before = snapshot(deal)
    deal_update(actor=org.actor(org.rep), deal=deal, version=1, data={"title": deal.title})
    assert snapshot(deal) == before


# --- moves -----------------------------------------------------------------------------------


def test_move_writes_transition_timeline_audit_and_event_once(
    org: Org, scoped: object, events: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    target = stage(pipeline, "Qualified")
    with django_capture_on_commit_callbacks(execute=True):
        moved = deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=target, version=1)
    assert (moved.stage_id, moved.version, moved.status) == (target.pk, 2, "open")
    transitions = list(StageTransition.objects.filter(deal=deal).order_by("id").values_list(
        "from_stage_id", "to_stage_id", "actor_id"))
    assert transitions == [(None, stage(pipeline, "Lead").pk, org.rep.pk),
                           (stage(pipeline, "Lead").pk, target.pk, org.rep.pk)]
    entry = TimelineEntry.objects.get(deal=deal, kind="stage_changed")
    assert entry.data == {"from_stage_id": stage(pipeline, "Lead").pk, "from": "Lead", "to_stage_id": target.pk,
                          "to": "Qualified"}
    assert [a.diff for a in AuditEntry.objects.filter(action="deal.stage", target_id=str(deal.pk))] == [
        {"stage": [stage(pipeline, "Lead").pk, target.pk]}]
    assert events == [DealStageChanged(workspace_id=org.workspace.pk, deal_id=deal.pk,
                                       from_stage_id=stage(pipeline, "Lead").pk, to_stage_id=target.pk,
                                       actor_id=org.rep.pk)]


def test_move_rolled_back_publishes_nothing(
    org: Org, scoped: object, events: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    before = snapshot(deal)
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=stage(pipeline, "Qualified"), version=1)
        raise RuntimeError("boom")
    assert callbacks == []
    assert events == []
    assert snapshot(deal) == before


def test_move_same_stage_is_a_no_op(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    before = snapshot(deal)
    result = deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=stage(pipeline, "Lead"), version=1)
    assert result.pk == deal.pk
    assert snapshot(deal) == before


def test_move_to_another_pipelines_stage_refused(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    other = make_pipeline(org.workspace, name="Other")
    deal = make_deal(pipeline, owner=org.rep)
    before = snapshot(deal)
    with pytest.raises(ApplicationError) as error:
        deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=stage(other, "Qualified"), version=1)
    assert error.value.code == "stage_mismatch"
    assert snapshot(deal) == before


def test_move_required_field_gate(org: Org, scoped: object) -> None:
    # Given Proposal requires a company, contacts, an amount and a custom field
    pipeline = make_pipeline(org.workspace)
    CustomField.objects.create(workspace=org.workspace, entity="deal", key="budget", label="Budget")
    proposal = with_required(stage(pipeline, "Proposal"), "company", "contacts", "amount", "custom.budget")
    deal = make_deal(pipeline, owner=org.rep, amount=0)
    before = snapshot(deal)
    # When the deal is moved without them
    with pytest.raises(ApplicationError) as error:
        deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=proposal, version=1)
    # Then the gate names each missing field, and nothing moved
    assert error.value.code == "stage_gate"
    assert error.value.extra["missing_fields"] == ["company", "contacts", "amount", "custom.budget"]
    assert snapshot(deal) == before
    # When they are filled, the move passes
    Deal.objects.filter(pk=deal.pk).update(company=make_company(org.workspace, owner=org.rep), amount=10,
                                           custom={"budget": "x"})
    deal.contacts.add(make_contact(org.workspace, owner=org.rep))
    moved = deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=proposal, version=1)
    assert moved.stage_id == proposal.pk


def test_move_stale_version_is_409_and_no_transition(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=stage(pipeline, "Qualified"), version=1)
    before = snapshot(deal)
    with pytest.raises(ConflictError) as error:
        deal_move_stage(actor=org.actor(org.manager), deal=deal, stage=stage(pipeline, "Proposal"), version=1)
    assert error.value.extra["current"]["stage_name"] == "Qualified"
    assert snapshot(deal) == before
    for junk in (None, "2", True, 2.0):
        with pytest.raises(ConflictError):
            deal_move_stage(actor=org.actor(org.rep), deal=deal, stage=stage(pipeline, "Proposal"), version=junk)
    assert snapshot(deal) == before


def test_marketer_cannot_move(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    before = snapshot(deal)
    with pytest.raises(PermissionDeniedError):
        deal_move_stage(actor=org.actor(org.marketer), deal=deal, stage=stage(pipeline, "Qualified"), version=1)
    assert snapshot(deal) == before


def test_move_into_won_and_lost_stages(org: Org, scoped: object, events: list[Any],
                                       django_capture_on_commit_callbacks: Any) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    actor = org.actor(org.rep)
    # lost without a reason is refused
    with pytest.raises(ApplicationError) as error:
        deal_move_stage(actor=actor, deal=deal, stage=stage(pipeline, "Lost"), version=1)
    assert "lost_reason" in error.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        won = deal_move_stage(actor=actor, deal=deal, stage=stage(pipeline, "Won"), version=1)
    assert (won.status, won.closed_at is not None) == ("won", True)
    assert [type(e) for e in events] == [DealStageChanged, DealClosed]
    assert events[1].status == "won"
    reason = make_lost_reason(org.workspace)
    lost = deal_move_stage(actor=actor, deal=deal, stage=stage(pipeline, "Lost"), version=2, lost_reason=reason,
                           note="too pricey")
    assert (lost.status, lost.lost_reason_id, lost.lost_note) == ("lost", reason.pk, "too pricey")
    reopened = deal_move_stage(actor=actor, deal=deal, stage=stage(pipeline, "Negotiation"), version=3)
    assert (reopened.status, reopened.closed_at, reopened.lost_reason_id) == ("open", None, None)


def test_mark_won_lost_reopen(org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    actor = org.actor(org.rep)
    reason = make_lost_reason(org.workspace)
    with pytest.raises(ApplicationError) as error:
        deal_mark_lost(actor=actor, deal=deal, version=1, lost_reason=None)
    assert "lost_reason" in error.value.fields
    lost = deal_mark_lost(actor=actor, deal=deal, version=1, lost_reason=reason, note="n")
    assert (lost.status, lost.stage.name, lost.lost_reason_id) == ("lost", "Lost", reason.pk)
    assert TimelineEntry.objects.filter(deal=deal, kind="deal_lost").count() == 1
    with pytest.raises(ApplicationError):
        deal_reopen(actor=actor, deal=lost, version=2, stage=stage(pipeline, "Won"))
    reopened = deal_reopen(actor=actor, deal=lost, version=2)
    assert (reopened.status, reopened.stage.name, reopened.closed_at) == ("open", "Lead", None)
    with pytest.raises(ApplicationError) as open_error:
        deal_reopen(actor=actor, deal=reopened, version=3)
    assert open_error.value.code == "deal_open"
    won = deal_mark_won(actor=actor, deal=reopened, version=3)
    assert (won.status, won.stage.name) == ("won", "Won")
    again = deal_mark_won(actor=actor, deal=won, version=4)  # already won: nothing new
    assert again.version == 4
    assert StageTransition.objects.filter(deal=deal).count() == 4
    assert AuditEntry.objects.filter(action="deal.stage", target_id=str(deal.pk)).count() == 3


def test_inactive_or_foreign_lost_reason_refused(org: Org, other_org: Org, scoped: object) -> None:
    pipeline = make_pipeline(org.workspace)
    deal = make_deal(pipeline, owner=org.rep)
    retired = make_lost_reason(org.workspace, "Old")
    retired.is_active = False
    retired.save()
    foreign = make_lost_reason(other_org.workspace, "Theirs")
    with pytest.raises(ApplicationError):
        deal_mark_lost(actor=org.actor(org.rep), deal=deal, version=1, lost_reason=retired)
    with pytest.raises(NotFoundError):
        deal_mark_lost(actor=org.actor(org.rep), deal=deal, version=1, lost_reason=foreign)
    assert Deal.objects.get(pk=deal.pk).status == "open"


# --- delete ----------------------------------------------------------------------------------


def test_delete_needs_capability_and_is_audited(org: Org, scoped: object) -> None:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep)
    with pytest.raises(PermissionDeniedError):
        deal_delete(actor=org.actor(org.rep), deal=deal)
    assert Deal.objects.filter(pk=deal.pk).exists()
    deal_id = deal.pk
    deal_delete(actor=org.actor(org.manager), deal=deal)
    assert not Deal.objects.filter(pk=deal_id).exists()
    assert AuditEntry.objects.get(action="deal.delete", target_id=str(deal_id)).actor_id == org.manager.pk


def test_foreign_deal_refused_by_service(org: Org, other_org: Org, scoped: object) -> None:
    deal = make_deal(make_pipeline(other_org.workspace), owner=other_org.admin)
    with pytest.raises(NotFoundError):
        deal_delete(actor=org.actor(org.admin), deal=deal)
    assert Deal.unscoped.filter(pk=deal.pk).exists()


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_moves_one_wins(org: Org) -> None:
    # Given one deal and two people moving it at once with the same version
    with workspace_scope(org.workspace):
        pipeline = make_pipeline(org.workspace)
        deal = make_deal(pipeline, owner=org.rep)
        targets = [stage(pipeline, "Qualified"), stage(pipeline, "Proposal")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def move(user: Any, target: Any) -> None:
        try:
            with workspace_scope(org.workspace):
                actor = org.actor(user)
                barrier.wait()
                with transaction.atomic():
                    locked = Deal.objects.select_for_update().get(pk=deal.pk)
                    deal_move_stage(actor=actor, deal=locked, stage=target, version=1)
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(user, target))
               for user, target in zip((org.rep, org.manager), targets, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then exactly one wins, and the history has one move
    assert sorted(outcomes) == ["409", "ok"]
    with workspace_scope(org.workspace):
        assert StageTransition.objects.filter(deal=deal).count() == 2
        assert Deal.objects.get(pk=deal.pk).version == 2
