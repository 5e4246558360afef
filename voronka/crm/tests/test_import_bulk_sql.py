"""services.imports.bulk_sql and the run's garbage-collector pause: the import's hot path."""

from __future__ import annotations

import datetime as dt
import gc
import threading

import pytest
from django.db.utils import IntegrityError

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Contact, ContactPoint
from voronka.crm.services.imports import bulk_sql
from voronka.crm.services.imports.bulk_sql import BulkInsert, points_with_owners
from voronka.crm.services.imports.running import gc_paused
from voronka.crm.tests.factories import make_contact

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def test_bulk_insert_returns_ids_in_row_order_and_fills_the_other_columns(org: Org, scoped, monkeypatch) -> None:
    # Given three contact rows and statements of two rows each (so the rows span two INSERTs on SQLite)
    monkeypatch.setattr(bulk_sql, "_SQLITE_ROWS_PER_STATEMENT", 2)
    writer = BulkInsert(Contact, ("owner_id", "full_name", "email"), fixed={"created_at": NOW, "updated_at": NOW})
    # When they are inserted
    returned = writer.run([(org.rep.pk, "Анна", "anna@example.ru"), (None, "Борис", ""),
                           (org.admin.pk, "Вера", "vera@example.ru")])
    # Then the ids come back in the rows' order, and every other column has its default or the fixed value
    ids = [pk for (pk,) in returned]
    assert [Contact.objects.get(pk=pk).full_name for pk in ids] == ["Анна", "Борис", "Вера"]
    assert list(Contact.objects.order_by("id").values_list(
        "workspace_id", "owner_id", "team_id", "email", "phone", "custom", "version", "created_at", "updated_at"
    )) == [
        (org.workspace.pk, org.rep.pk, None, "anna@example.ru", "", {}, 1, NOW, NOW),
        (org.workspace.pk, None, None, "", "", {}, 1, NOW, NOW),
        (org.workspace.pk, org.admin.pk, None, "vera@example.ru", "", {}, 1, NOW, NOW),
    ]


def test_bulk_insert_with_ignore_conflicts_returns_only_the_rows_it_inserted(org: Org, scoped) -> None:
    # Given a stored contact with an email
    taken = make_contact(org.workspace, email="taken@example.ru", full_name="Taken")
    fresh = make_contact(org.workspace, full_name="Fresh")
    writer = BulkInsert(ContactPoint, ("contact_id", "kind", "value", "is_primary"), fixed={"created_at": NOW},
                        returning=("contact_id", "kind", "value"), ignore_conflicts=True)
    # When points are inserted, one of them with the taken email
    returned = writer.run([(fresh.pk, "email", "taken@example.ru", True), (fresh.pk, "phone", "+79161234567", True)])
    # Then the taken one is skipped, not returned, and the stored one is unchanged
    assert returned == [(fresh.pk, "phone", "+79161234567")]
    assert ContactPoint.objects.get(kind="email", value="taken@example.ru").contact_id == taken.pk
    assert ContactPoint.objects.filter(contact=fresh).count() == 1


def test_bulk_insert_without_ignore_conflicts_raises_on_a_duplicate(org: Org, scoped) -> None:
    contact = make_contact(org.workspace, email="taken@example.ru", full_name="Taken")
    writer = BulkInsert(ContactPoint, ("contact_id", "kind", "value"), fixed={"created_at": NOW})
    with pytest.raises(IntegrityError):
        writer.run([(contact.pk, "email", "taken@example.ru")])


def test_bulk_insert_refuses_an_unknown_column(org: Org, scoped) -> None:
    with pytest.raises(ValueError, match="no column"):
        BulkInsert(Contact, ("owner_id", "password"))


def test_bulk_insert_of_nothing_runs_no_query(org: Org, scoped, django_assert_num_queries) -> None:
    writer = BulkInsert(Contact, ("full_name",))
    with django_assert_num_queries(0):
        assert writer.run([]) == []


def test_points_with_owners_is_scoped_to_the_active_workspace(org: Org, other_org: Org) -> None:
    # Given the same email in two workspaces
    with workspace_scope(other_org.workspace):
        make_contact(other_org.workspace, email="same@example.ru", full_name="Theirs")
    with workspace_scope(org.workspace):
        mine = make_contact(org.workspace, org.rep, email="same@example.ru", phone="+79161234567", full_name="Mine")
        # When the import looks the values up
        found = points_with_owners({"email": {"same@example.ru", "none@example.ru"}, "phone": {"+79161234567"}})
    # Then only this workspace's points come back, with the contact's owner and team
    assert sorted(found) == [
        ("email", "same@example.ru", mine.pk, org.rep.pk, mine.team_id),
        ("phone", "+79161234567", mine.pk, org.rep.pk, mine.team_id),
    ]


def test_points_with_owners_splits_long_lists_under_the_parameter_limit(org: Org, scoped, monkeypatch) -> None:
    # Given more values than one statement may bind
    monkeypatch.setattr(bulk_sql, "_parameter_limit", lambda: 13)
    contacts = [make_contact(org.workspace, email=f"p{n}@example.ru") for n in range(7)]
    values = {f"p{n}@example.ru" for n in range(7)} | {f"absent{n}@example.ru" for n in range(20)}
    # When they are looked up
    found = points_with_owners({"email": values})
    # Then every stored one is found once
    assert sorted(contact_id for _kind, _value, contact_id, _owner, _team in found) == [c.pk for c in contacts]


def test_gc_paused_restores_the_collector_across_nested_and_threaded_use() -> None:
    assert gc.isenabled()
    entered = threading.Barrier(2)
    leave_first = threading.Event()

    def first() -> None:
        with gc_paused():
            entered.wait(timeout=5)
            leave_first.wait(timeout=5)  # leaves while the other thread is still inside

    thread = threading.Thread(target=first)
    thread.start()
    with gc_paused():
        entered.wait(timeout=5)
        assert not gc.isenabled()
        leave_first.set()
        thread.join(timeout=5)
        assert not gc.isenabled()  # the other import left, this one is still running
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_gc_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
