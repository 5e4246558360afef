"""Task helpers: enqueue only after commit; the ping task round-trips."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus, task

from voronka.core.tasks import enqueue_on_commit, ping

RUNS: list[str] = []


@task()
def remember(*, value: str) -> str:
    RUNS.append(value)
    return value


@pytest.fixture(autouse=True)
def _clear_runs():
    RUNS.clear()
    yield
    RUNS.clear()


def test_enqueue_on_commit_runs_the_task_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue_on_commit(remember, value="a")
            assert RUNS == []
        assert RUNS == []
    assert len(callbacks) == 1
    assert RUNS == ["a"]


def test_enqueue_on_commit_runs_nothing_on_rollback(db, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(remember, value="b")
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert RUNS == []


def test_inner_rollback_drops_only_its_own_tasks(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(remember, value="kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(remember, value="dropped")
            raise RuntimeError("savepoint rolled back")
    assert RUNS == ["kept"]


def test_ping_returns_its_value():
    result = ping.enqueue(value="pong")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "pong"
    assert ping.call(value="x") == "x"
