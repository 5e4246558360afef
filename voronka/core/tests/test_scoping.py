"""Fail-closed workspace scoping: scoped managers, unscoped, nesting and the context variable."""

from __future__ import annotations

import pytest

from voronka.accounts.models import Team
from voronka.core.scoping import (
    WorkspaceNotActive,
    activate_workspace,
    active_workspace_id,
    deactivate_workspace,
    require_workspace_id,
    workspace_scope,
)


def _names(queryset) -> set[str]:  # type: ignore[no-untyped-def]
    return set(queryset.values_list("name", flat=True))


def test_scoped_manager_raises_without_active_workspace(org, other_org):
    # given no active workspace
    assert active_workspace_id() is None
    # when / then a scoped query fails loudly instead of returning every tenant's rows
    with pytest.raises(WorkspaceNotActive):
        Team.objects.all()
    with pytest.raises(WorkspaceNotActive):
        Team.objects.filter(name="Sales").exists()
    with pytest.raises(WorkspaceNotActive):
        require_workspace_id()


def test_scope_shows_only_that_workspaces_rows(org, other_org):
    # given two workspaces with teams of the same names
    # when org's workspace is active
    with workspace_scope(org.workspace):
        ids = set(Team.objects.values_list("id", flat=True))
        count = Team.objects.count()
    # then only org's teams are seen
    assert ids == {org.sales.pk, org.north.pk, org.south.pk}
    assert count == 3


def test_scope_accepts_an_id(org, other_org):
    with workspace_scope(other_org.workspace.pk):
        ids = set(Team.objects.values_list("id", flat=True))
    assert ids == {other_org.sales.pk, other_org.north.pk, other_org.south.pk}


def test_get_of_another_workspaces_row_is_not_found(org, other_org):
    with workspace_scope(org.workspace), pytest.raises(Team.DoesNotExist):
        Team.objects.get(pk=other_org.sales.pk)


def test_unscoped_sees_every_workspace(org, other_org):
    # when no workspace is active, unscoped still works and sees all rows
    ids = set(Team.unscoped.values_list("id", flat=True))
    assert ids == {
        org.sales.pk, org.north.pk, org.south.pk,
        other_org.sales.pk, other_org.north.pk, other_org.south.pk,
    }
    # and it ignores an active scope too
    with workspace_scope(org.workspace):
        assert Team.unscoped.count() == 6


def test_nested_scopes_restore_the_outer_one(org, other_org):
    with workspace_scope(org.workspace):
        assert active_workspace_id() == org.workspace.pk
        with workspace_scope(other_org.workspace):
            assert active_workspace_id() == other_org.workspace.pk
            assert _names(Team.objects.filter(pk=other_org.sales.pk)) == {"Sales"}
            assert not Team.objects.filter(pk=org.sales.pk).exists()
        # then the outer scope is back
        assert active_workspace_id() == org.workspace.pk
        assert Team.objects.filter(pk=org.sales.pk).exists()
    assert active_workspace_id() is None


def test_scope_is_reset_when_the_block_raises(org):
    with pytest.raises(ZeroDivisionError), workspace_scope(org.workspace):
        _ = 1 / 0
    assert active_workspace_id() is None
    with pytest.raises(WorkspaceNotActive):
        Team.objects.count()


def test_activate_and_deactivate_reset_the_context_variable(org, other_org):
    outer = activate_workspace(org.workspace.pk)
    try:
        inner = activate_workspace(other_org.workspace.pk)
        assert active_workspace_id() == other_org.workspace.pk
        deactivate_workspace(inner)
        assert active_workspace_id() == org.workspace.pk
    finally:
        deactivate_workspace(outer)
    assert active_workspace_id() is None


def test_activating_none_fails_closed(org):
    with workspace_scope(org.workspace):
        token = activate_workspace(None)
        try:
            with pytest.raises(WorkspaceNotActive):
                Team.objects.count()
        finally:
            deactivate_workspace(token)
        assert Team.objects.count() == 3


def test_related_managers_are_scoped_too(org):
    # the reverse manager of a scoped model is built from its default (scoped) manager
    with pytest.raises(WorkspaceNotActive):
        list(org.sales.children.all())
    with workspace_scope(org.workspace):
        assert set(org.sales.children.values_list("id", flat=True)) == {org.north.pk, org.south.pk}
