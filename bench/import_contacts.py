"""Importing 100,000 contacts from CSV (issue 3, item 7): rows/s, and the ratio to a plain bulk insert.

    VORONKA_VAR_DIR=/tmp/bench-import DJANGO_SETTINGS_MODULE=config.settings.dev \\
        .venv/bin/python bench/import_contacts.py [--rows 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voronka_bench ... (the same on PostgreSQL)

It migrates the database it is pointed at (use a throwaway one: VORONKA_VAR_DIR names where the SQLite
file goes), generates a deterministic CSV (seeded: names, unique emails and phones, 500 companies, Windows-1251
like a Russian Excel export), and then, in the same run:

1. the real import path: import_start (checks, detection, mapping guess) → import_confirm → import_run,
   the task body, with normalisation, duplicate matching, companies, ContactPoints and the error report;
2. the reference: a plain bulk_create of the same rows as Contact + ContactPoint (already-normalised
   values, no matching) in chunks of the same size, each in a transaction, into a second workspace.

It prints rows/s of both and the ratio. Goals: ratio >= 0.3 and >= 10,000 rows/s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# The bench calls the task body itself; confirming must not queue a task for a worker.
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.dummy.DummyBackend")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from voronka.accounts.actor import actor_for  # noqa: E402
from voronka.accounts.models import Membership, User, Workspace  # noqa: E402
from voronka.core.scoping import workspace_scope  # noqa: E402
from voronka.crm.models import Contact, ContactPoint, ImportJob  # noqa: E402
from voronka.crm.services.imports import CHUNK_ROWS, import_confirm, import_run, import_start  # noqa: E402

FIRST = ["Иван", "Пётр", "Анна", "Мария", "Сергей", "Ольга", "Дмитрий", "Елена", "Алексей", "Наталья", "Андрей",
         "Татьяна", "Михаил", "Ирина", "Николай", "Светлана"]
LAST = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков",
        "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров"]
CITIES = ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Самара", "Тверь", "Омск"]
POSITIONS = ["Директор", "Менеджер", "Инженер", "Бухгалтер", "Закупщик", ""]


def generate(rows: int, seed: int = 20240601) -> list[list[str]]:
    rng = random.Random(seed)
    companies = [f"ООО «Компания {n:03d}»" for n in range(500)]
    data = [["ФИО", "Моб. телефон", "E-mail", "Компания", "Должность", "Город"]]
    for n in range(rows):
        name = f"{rng.choice(LAST)} {rng.choice(FIRST)}"
        phone = f"+7 9{n // 10_000_000 % 10}{n // 1_000_000 % 10} {n // 1000 % 1000:03d}-{n // 10 % 100:02d}-{n % 10}0"
        data.append([name, phone, f"user{n}@example{n % 97}.ru", rng.choice(companies), rng.choice(POSITIONS),
                     rng.choice(CITIES)])
    return data


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("cp1251")


def workspace_with_admin(slug: str) -> tuple[Workspace, User]:
    workspace = Workspace.objects.create(name=slug, slug=slug)
    user = User.objects.create_user(email=f"{slug}@bench.test", password=None, full_name="Bench Admin")
    Membership.unscoped.create(workspace=workspace, user=user, role="admin")
    return workspace, user


def run_import(content: bytes, workspace: Workspace, user: User) -> tuple[float, float, ImportJob]:
    with workspace_scope(workspace):
        actor = actor_for(user=user, workspace_id=workspace.pk)
        assert actor is not None
        started = time.perf_counter()
        job = import_start(actor=actor, kind="contacts",
                           uploaded_file=SimpleUploadedFile("bench.csv", content, content_type="text/csv"))
        job = import_confirm(actor=actor, job=job, mapping=job.mapping)
        run_started = time.perf_counter()
        import_run(job_id=job.pk)
        finished = time.perf_counter()
        job.refresh_from_db()
    return finished - started, finished - run_started, job


def run_reference(rows: list[list[str]], workspace: Workspace, user: User) -> float:
    """Plain bulk_create of the same rows: no detection, normalisation or matching."""
    from voronka.crm.importing.records import fast_phone
    from voronka.crm.normalize import normalize_email

    prepared = [(row[0], fast_phone(row[1]), normalize_email(row[2]), row[4], row[5]) for row in rows[1:]]
    started = time.perf_counter()
    with workspace_scope(workspace):
        for offset in range(0, len(prepared), CHUNK_ROWS):
            chunk = prepared[offset : offset + CHUNK_ROWS]
            with transaction.atomic():
                contacts = Contact.objects.bulk_create([
                    Contact(workspace=workspace, owner=user, full_name=name, email=email, phone=phone,
                            position=position, city=city)
                    for name, phone, email, position, city in chunk
                ])
                ContactPoint.objects.bulk_create([
                    point for contact in contacts for point in (
                        ContactPoint(workspace=workspace, contact=contact, kind="email", value=contact.email,
                                     is_primary=True),
                        ContactPoint(workspace=workspace, contact=contact, kind="phone", value=contact.phone,
                                     is_primary=True),
                    )
                ])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    # DEBUG keeps every query's SQL (and on SQLite quotes each parameter with an extra query): measure
    # what production runs.
    settings.DEBUG = False
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    content = to_csv(generate(args.rows))
    # A worker holds only the file while it imports: the generated rows are not kept alive meanwhile (every
    # garbage-collector pass would walk them), and they are generated again, identically, for the reference.
    gc.collect()
    print(f"file: {args.rows:,} rows, {len(content) / 1e6:.1f} MB, cp1251, ';'")
    stamp = time.strftime("%Y%m%d%H%M%S")
    workspace, user = workspace_with_admin(f"bench-import-{stamp}")
    cpu_started = time.process_time()
    total, run_only, job = run_import(content, workspace, user)
    import_cpu = time.process_time() - cpu_started
    rows = generate(args.rows)
    assert job.status == "done", job.message
    assert (job.rows_created, job.rows_rejected) == (args.rows, 0), (job.rows_created, job.rows_rejected)
    ref_workspace, ref_user = workspace_with_admin(f"bench-reference-{stamp}")
    cpu_started = time.process_time()
    reference = run_reference(rows, ref_workspace, ref_user)
    reference_cpu = time.process_time() - cpu_started
    with workspace_scope(workspace):
        assert Contact.objects.count() == args.rows
        assert ContactPoint.objects.count() == 2 * args.rows
    import_rate = args.rows / total
    reference_rate = args.rows / reference
    print(f"import (start + confirm + run): {total:8.2f} s  {import_rate:10,.0f} rows/s"
          f"   (run alone {args.rows / run_only:,.0f} rows/s)")
    print(f"plain bulk_create reference:    {reference:8.2f} s  {reference_rate:10,.0f} rows/s")
    # CPU time of this process (on SQLite the database engine runs in it; PostgreSQL's work is not included):
    # on a machine shared with other jobs the wall-clock figures above stretch, these much less.
    print(f"CPU of this process: import {import_cpu:.2f} s, reference {reference_cpu:.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    ratio = import_rate / reference_rate
    verdict_ratio = "ok" if ratio >= 0.3 else "below 0.3"
    print(f"ratio import / reference: {ratio:.2f} ({verdict_ratio})")
    if connection.vendor == "sqlite":
        print(f"goal >= 10,000 rows/s on SQLite: {'ok' if import_rate >= 10_000 else 'missed'}")


if __name__ == "__main__":
    main()
