"""The audit trail: audit_record writes one row; the table is append-only in Python and in SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from voronka.accounts.models import Team
from voronka.core.audit import audit_record
from voronka.core.models import AppendOnlyError, AuditEntry
from voronka.core.request_context import reset_current_ip, set_current_ip
from voronka.core.scoping import workspace_scope


@pytest.fixture
def entry(org) -> AuditEntry:  # type: ignore[no-untyped-def]
    return audit_record(action="team.update", actor=org.admin, target=org.sales, diff={"name": ["A", "Sales"]})


def _snapshot() -> list[tuple]:
    return list(AuditEntry.objects.order_by("id").values_list("id", "action", "target_id", "diff", "ip"))


def test_audit_record_writes_one_row_with_actor_target_diff_and_ip(org):
    # given a request's IP in the context
    token = set_current_ip("203.0.113.7")
    try:
        # when one change is recorded
        entry = audit_record(
            action="member.update", actor=org.admin, target=org.sales, diff={"role": ["rep", "manager"]}
        )
    finally:
        reset_current_ip(token)
    # then exactly one row holds every fact
    assert AuditEntry.objects.count() == 1
    row = AuditEntry.objects.get()
    assert row.pk == entry.pk
    assert row.action == "member.update"
    assert row.actor_id == org.admin.pk
    assert row.workspace_id == org.workspace.pk  # taken from the target
    assert row.target_type == "accounts.team"
    assert row.target_id == str(org.sales.pk)
    assert row.diff == {"role": ["rep", "manager"]}
    assert row.ip == "203.0.113.7"
    assert row.created_at is not None


def test_audit_record_defaults(org):
    # no actor, no target, no IP, workspace from the active scope
    with workspace_scope(org.workspace):
        entry = audit_record(action="system.ping")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.diff, entry.ip, entry.workspace_id) == (
        None, "", "", {}, None, org.workspace.pk
    )
    # an explicit workspace wins; an anonymous actor is stored as none
    from django.contrib.auth.models import AnonymousUser

    other = audit_record(action="x", actor=AnonymousUser(), target=org.admin, workspace_id=org.workspace.pk)
    assert (other.actor_id, other.workspace_id, other.target_type) == (None, org.workspace.pk, "accounts.user")


def test_save_on_an_existing_row_fails(entry):
    before = _snapshot()
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert _snapshot() == before


def test_queryset_update_fails(entry):
    before = _snapshot()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(diff={})
    assert _snapshot() == before


def test_raw_sql_update_fails(entry):
    before = _snapshot()
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["tampered", entry.pk])  # noqa: S608
    assert _snapshot() == before


def test_model_delete_fails(entry):
    before = _snapshot()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert _snapshot() == before


def test_queryset_delete_fails(entry):
    before = _snapshot()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert _snapshot() == before


def test_raw_sql_delete_fails_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no DELETE trigger on purpose: Django's test teardown empties SQLite tables with "
            "DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see), so only UPDATE is refused "
            "in SQL there (core migration 0002)."
        )
    before = _snapshot()
    table = AuditEntry._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
    assert _snapshot() == before


def test_deleting_the_workspace_keeps_its_trail(org, entry):
    # given the tree flattened (parent is PROTECT) so the workspace can be deleted
    workspace_id = org.workspace.pk
    Team.unscoped.filter(workspace_id=workspace_id).update(parent=None)
    # when the workspace goes
    org.workspace.delete()
    # then its trail stays: no database FK, DO_NOTHING
    assert AuditEntry.objects.filter(pk=entry.pk, workspace_id=workspace_id).count() == 1
