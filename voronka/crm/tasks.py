"""crm's background tasks: ids in, enter the workspace, call one service; safe to run twice (R24)."""

from __future__ import annotations

from django_tasks import task

from voronka.core.scoping import workspace_scope


@task()
def run_import(*, job_id: int) -> None:
    """Run a confirmed import; a job that is not queued any more is left alone."""
    from .models import ImportJob
    from .services.imports import import_run

    workspace_id = ImportJob.unscoped.filter(pk=job_id).values_list("workspace_id", flat=True).first()
    if workspace_id is None:
        return
    with workspace_scope(workspace_id):
        import_run(job_id=job_id)


@task()
def purge_import_uploads() -> None:
    """Delete uploaded import files past CRM_IMPORT_RETENTION_DAYS (periodic; every workspace)."""
    from .services.imports import import_uploads_purge

    import_uploads_purge()
