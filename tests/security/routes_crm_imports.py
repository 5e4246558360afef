"""crm import and merge pages in the route matrix."""

from __future__ import annotations

from django.core.files.base import ContentFile

from conftest import Org
from voronka.core.scoping import workspace_scope
from voronka.crm.models import ImportJob

from .page_route import PageRoute

IMPORTERS = frozenset({"admin", "manager", "marketer"})
MERGERS = frozenset({"admin", "manager"})
OWNER_ONLY = frozenset({"admin"})  # the fixture job belongs to the admin; others' imports are not found


def _job(org: Org) -> dict[str, int]:
    """An uploaded job of the workspace's admin, with a stored file and an error report."""
    with workspace_scope(org.workspace):
        job = ImportJob(workspace=org.workspace, user=org.admin, kind="contacts", original_name="matrix.csv",
                        file_sha256="0" * 64, encoding="utf-8", delimiter=",", headers=["Name", "Email"],
                        mapping={"Name": "full_name", "Email": "email"})
        job.file.save("matrix.csv", ContentFile(b"Name,Email\nAnna,anna@example.com\n"), save=False)
        job.error_report.save("matrix-errors.csv", ContentFile(b"Name,Email,line,reason\n"), save=False)
        job.save()
    return {"job_id": job.pk}


PAGES: dict[str, PageRoute] = {
    "crm:imports": PageRoute(get_roles=IMPORTERS),
    "crm:import-detail": PageRoute(get_roles=OWNER_ONLY, kwargs=_job, foreign=_job),
    "crm:import-confirm": PageRoute(get_roles=OWNER_ONLY, kwargs=_job, foreign=_job),  # GET: back to the job
    "crm:import-progress": PageRoute(get_roles=OWNER_ONLY, kwargs=_job, foreign=_job),
    "crm:import-errors": PageRoute(get_roles=OWNER_ONLY, kwargs=_job, foreign=_job),
    "crm:duplicates": PageRoute(get_roles=MERGERS),
    "crm:merge": PageRoute(get_roles=MERGERS),
}
