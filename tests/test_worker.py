"""The real background worker (`voronka worker`, django-tasks-db's db_worker) runs an enqueued task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from voronka.core.tasks import ping

pytestmark = [pytest.mark.worker]

VORONKA = str(Path(sys.executable).with_name("voronka"))
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def _test_database_url() -> str:
    """A DATABASE_URL naming the very database this test uses."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(conf['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        auth = quote(conf["USER"] or "", safe="")
        if conf.get("PASSWORD"):
            auth += ":" + quote(conf["PASSWORD"], safe="")
        host = f"{auth}@" if auth else ""
        return f"postgres://{host}{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"
    pytest.skip(f"no worker recipe for {connection.vendor}")


def _start_worker(tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in {"TASKS_BACKEND"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.worker_test",
        DATABASE_URL=_test_database_url(),
        SECRET_KEY="worker-test-secret-key-not-used-anywhere-else-0123456789",
        VORONKA_VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(  # the console script, exactly as `make run` starts it
        [VORONKA, "worker", "--interval", "0.2", "--no-startup-delay", "--no-reload", "--max-tasks", "1"],
        env=env,
        stdout=open(tmp_path / "worker.out", "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


def test_worker_runs_an_enqueued_task(transactional_db, tmp_path):
    # given a task enqueued with the database backend and committed
    with override_settings(TASKS=DB_TASKS):
        result = ping.enqueue(value="pong from the worker")
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.task_path) == ("READY", "voronka.core.tasks.ping")
    # when a real worker process runs against the same database
    process = _start_worker(tmp_path)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = DBTaskResult.objects.get(pk=result.id)
            if row.status in ("SUCCESSFUL", "FAILED"):
                break
            if process.poll() is not None and row.status == "READY":
                break
            time.sleep(0.2)
        output = (tmp_path / "worker.out").read_text(errors="replace")
        # then within 30 s the task succeeded with its return value
        assert row.status == "SUCCESSFUL", output
        assert row.return_value == "pong from the worker"
        assert row.worker_ids and row.finished_at is not None
    finally:
        _stop(process)
