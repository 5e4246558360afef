"""Imports at scale through the real task path, and two imports of one file at once (R14, R22)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Company, Contact, ContactPoint, ImportJob
from voronka.crm.services.imports import import_confirm, import_run

from .import_factories import media, start

__all__ = ["media"]


def _contacts_csv(count: int) -> bytes:
    lines = ["ФИО;Телефон;E-mail;Компания;Сумма"]
    for n in range(count):
        lines.append(f"Контакт {n};+7 916 {n // 10000:03d}-{n % 10000 // 100:02d}-{n % 100:02d};c{n}@example.ru;"
                     f"Компания {n % 50};{n},50")
    return ("\n".join(lines) + "\n").encode("cp1251")


def test_fifty_thousand_rows_through_the_task(org: Org, media, django_capture_on_commit_callbacks) -> None:
    # Given a 50,000-row Windows-1251 file, uploaded and confirmed like the page does
    content = _contacts_csv(50_000)
    with workspace_scope(org.workspace):
        actor = org.actor(org.admin)
        job = start(actor, "contacts", content)
        assert (job.encoding, job.delimiter) == ("cp1251", ";")
        # When the confirmation commits, the task runs (immediate backend) inside its workspace scope
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            import_confirm(actor=actor, job=job, mapping=job.mapping)
        assert len(callbacks) == 1
        job.refresh_from_db()
        # Then every row is in, progress reached the end, and the points are unique
        assert (job.status, job.rows_total, job.rows_done, job.rows_created, job.rows_rejected) == (
            "done", 50_000, 50_000, 50_000, 0)
        assert Contact.objects.count() == 50_000
        assert ContactPoint.objects.count() == 100_000
        assert Company.objects.count() == 50
        assert Contact.objects.get(email="c49999@example.ru").phone == "+79160049999"


def _import_in_thread(org: Org, content: bytes, barrier: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        with workspace_scope(org.workspace):
            actor = org.actor(org.admin)
            job = start(actor, "contacts", content)
            job = import_confirm(actor=actor, job=job, mapping=job.mapping)
            barrier.wait(timeout=30)
            import_run(job_id=job.pk)
    except BaseException as error:
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.parametrize("serialised", [True, False], ids=["advisory-lock", "constraint-only"])
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_create_no_duplicates(
    serialised: bool, org: Org, media, monkeypatch: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every write)")
    if not serialised:
        # Without the per-workspace lock the unique constraint and the re-read must still hold (R22).
        monkeypatch.setattr("voronka.crm.services.imports.running.serialize_chunk", lambda: None)
    # Given one file and two imports of it that run at the same moment
    content = _contacts_csv(3_000)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_import_in_thread, args=(org, content, barrier, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Then both finished, and there is exactly one contact per email
    assert errors == []
    with workspace_scope(org.workspace):
        jobs = list(ImportJob.objects.values_list("status", "rows_created", "rows_updated", "rows_rejected"))
        assert [status for status, *_ in jobs] == ["done", "done"]
        assert sum(created for _s, created, _u, _r in jobs) == 3_000
        assert sum(created + updated for _s, created, updated, _r in jobs) == 6_000
        assert Contact.objects.count() == 3_000
        assert ContactPoint.objects.filter(kind="email").count() == 3_000
        assert ContactPoint.objects.filter(kind="phone").count() == 3_000
        assert Contact.objects.filter(points__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_statistics_after_a_large_import_make_counts_index_only(org: Org) -> None:
    """After a bulk load PostgreSQL's visibility map is set at once (VACUUM), not whenever autovacuum comes."""
    from voronka.core.db import refresh_planner_statistics
    from voronka.crm.tests.factories import make_contact

    for n in range(50):
        make_contact(org.workspace, email=f"v{n}@example.ru")
    refresh_planner_statistics(Contact, ContactPoint)  # outside any transaction, as import_run calls it
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = %s", [Contact._meta.db_table])
            assert cursor.fetchone()[0] > 0
        else:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [Contact._meta.db_table])
            assert cursor.fetchone()[0] > 0


def test_statistics_inside_a_transaction_analyze_only(org: Org) -> None:
    from voronka.core.db import refresh_planner_statistics

    refresh_planner_statistics(Contact)  # VACUUM would fail inside the test's transaction on PostgreSQL
    refresh_planner_statistics()
