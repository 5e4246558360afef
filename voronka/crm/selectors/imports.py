"""Reads of import jobs: a user's own (administrators: everyone's)."""

from __future__ import annotations

from django.db.models import QuerySet

from voronka.accounts.actor import Actor

from ..models import ImportJob


def import_job_list(*, actor: Actor) -> QuerySet[ImportJob]:
    queryset = ImportJob.objects.filter(workspace_id=actor.workspace.pk).select_related("user")
    if not actor.is_admin:
        queryset = queryset.filter(user=actor.user)
    return queryset.order_by("-created_at", "-id")


def import_job_same_file(*, actor: Actor, job: ImportJob) -> ImportJob | None:
    """An earlier finished import of the same file (same SHA-256) by this user, if any."""
    return (
        import_job_list(actor=actor).filter(file_sha256=job.file_sha256, kind=job.kind, status="done")
        .exclude(pk=job.pk).first()
    )
