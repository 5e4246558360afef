"""Fail-closed workspace scoping.

The active workspace lives in a context variable. The default manager of every
workspace-scoped model reads it and raises when nothing is active, so a query that forgot
its scope fails loudly instead of leaking another tenant's rows. Admin, migrations and
jobs that must cross workspaces say so explicitly with `Model.unscoped`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models

_active_workspace_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "voronka_active_workspace_id", default=None
)


class WorkspaceNotActive(RuntimeError):
    """A scoped query ran with no active workspace: a programming error, never user input."""


def active_workspace_id() -> int | None:
    return _active_workspace_id.get()


def require_workspace_id() -> int:
    workspace_id = _active_workspace_id.get()
    if workspace_id is None:
        raise WorkspaceNotActive("No workspace is active; use workspace_scope() or Model.unscoped.")
    return workspace_id


def activate_workspace(workspace_id: int | None) -> contextvars.Token[int | None]:
    return _active_workspace_id.set(workspace_id)


def deactivate_workspace(token: contextvars.Token[int | None]) -> None:
    _active_workspace_id.reset(token)


@contextmanager
def workspace_scope(workspace: Any) -> Iterator[None]:
    """Run the block with `workspace` (a Workspace or its id) active."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    token = activate_workspace(workspace_id)
    try:
        yield
    finally:
        deactivate_workspace(token)


class WorkspaceScopedQuerySet(models.QuerySet):
    pass


class WorkspaceScopedManager(models.Manager.from_queryset(WorkspaceScopedQuerySet)):  # type: ignore[misc]
    """Rows of the active workspace only; raises when none is active."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(workspace_id=require_workspace_id())
