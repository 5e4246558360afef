"""Domain events: published after commit, handled as tasks inside the event's workspace scope."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import transaction

from voronka.accounts.models import Team
from voronka.core.events import (
    DomainEvent,
    domain_event,
    event_from_payload,
    handlers_for,
    publish_on_commit,
    subscribe,
)
from voronka.core.scoping import active_workspace_id
from voronka.core.tasks import dispatch_domain_event, run_event_handler

CALLS: list[tuple[str, int, int | None]] = []


@domain_event
@dataclasses.dataclass(frozen=True, kw_only=True)
class SomethingHappened(DomainEvent):
    number: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class NeverRegistered(DomainEvent):
    pass


@subscribe(SomethingHappened)
def record_call(event: SomethingHappened) -> None:
    CALLS.append(("record", event.number, active_workspace_id()))


@subscribe(SomethingHappened)
def fail_loudly(event: SomethingHappened) -> None:
    raise RuntimeError("a broken subscriber")


@subscribe(SomethingHappened)
def ensure_team(event: SomethingHappened) -> None:
    """Idempotent: uses the scoped manager, so it also proves the scope is active."""
    Team.objects.get_or_create(workspace_id=event.workspace_id, name=f"From event {event.number}")
    CALLS.append(("team", event.number, active_workspace_id()))


HANDLERS = [
    f"{__name__}.record_call",
    f"{__name__}.fail_loudly",
    f"{__name__}.ensure_team",
]


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()
    yield
    CALLS.clear()


def test_subscriptions_are_registered_once_in_order():
    subscribe(SomethingHappened)(record_call)  # subscribing again does not duplicate
    assert handlers_for(SomethingHappened.event_name()) == HANDLERS
    assert SomethingHappened.event_name() == f"{__name__}.SomethingHappened"


def test_payload_round_trips():
    event = SomethingHappened(workspace_id=3, number=9)
    assert event.payload() == {"workspace_id": 3, "number": 9}
    assert event_from_payload(event.event_name(), event.payload()) == event


def test_handlers_run_after_commit_in_the_workspace_scope(org, django_capture_on_commit_callbacks):
    # given an event published inside a transaction
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            publish_on_commit(SomethingHappened(workspace_id=org.workspace.pk, number=1))
            # then nothing ran before the commit
            assert CALLS == []
        assert CALLS == []
    # when it commits, every handler ran with the event's workspace active, and a failing one
    # did not stop the others
    assert len(callbacks) == 1
    assert [("record", 1, org.workspace.pk), ("team", 1, org.workspace.pk)] == CALLS
    assert Team.unscoped.filter(workspace=org.workspace, name="From event 1").count() == 1
    assert active_workspace_id() is None


def test_rolled_back_transaction_runs_nothing(org, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        publish_on_commit(SomethingHappened(workspace_id=org.workspace.pk, number=2))
        _ = 1 / 0
    assert callbacks == []
    assert CALLS == []
    assert not Team.unscoped.filter(name="From event 2").exists()


def test_nothing_runs_while_the_transaction_is_open(org):
    # pytest-django's test transaction never commits, so no handler may run at all
    publish_on_commit(SomethingHappened(workspace_id=org.workspace.pk, number=3))
    assert CALLS == []


def test_running_an_idempotent_handler_twice_leaves_the_same_state(org):
    event = SomethingHappened(workspace_id=org.workspace.pk, number=4)
    kwargs = {"handler_path": f"{__name__}.ensure_team", "event_name": event.event_name(), "payload": event.payload()}
    run_event_handler.call(**kwargs)
    run_event_handler.call(**kwargs)
    assert Team.unscoped.filter(workspace=org.workspace, name="From event 4").count() == 1
    assert [("team", 4, org.workspace.pk), ("team", 4, org.workspace.pk)] == CALLS


def test_publishing_the_same_event_twice_creates_one_row(org, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            publish_on_commit(SomethingHappened(workspace_id=org.workspace.pk, number=5))
    assert Team.unscoped.filter(workspace=org.workspace, name="From event 5").count() == 1


def test_dispatch_returns_the_number_of_handlers(org):
    assert dispatch_domain_event.call(event_name=NeverRegistered.event_name(), payload={"workspace_id": 1}) == 0
    result = dispatch_domain_event.enqueue(
        event_name=SomethingHappened.event_name(), payload={"workspace_id": org.workspace.pk, "number": 6}
    )
    assert result.return_value == 3
    assert [call[:2] for call in CALLS] == [("record", 6), ("team", 6)]


def test_unregistered_event_is_refused_at_publish_time(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(LookupError, match="not registered"),
    ):
        publish_on_commit(NeverRegistered(workspace_id=1))
    assert callbacks == []
    with pytest.raises(KeyError):
        event_from_payload(NeverRegistered.event_name(), {"workspace_id": 1})
