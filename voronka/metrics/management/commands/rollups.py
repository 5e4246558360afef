from django.core.management.base import BaseCommand, CommandError, CommandParser

from voronka.accounts.models import Workspace
from voronka.metrics.rollups.build import rollups_refresh


class Command(BaseCommand):
    help = "Bring the metric rollups up to date now (the scheduler does it every minute); --rebuild starts over."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="A workspace slug (default: every workspace).")
        parser.add_argument("--rebuild", action="store_true", help="Compute every day again from the rows.")

    def handle(self, *args: object, workspace: str | None, rebuild: bool, **options: object) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if workspace is not None:
            workspaces = workspaces.filter(slug=workspace)
            if not workspaces.exists():
                raise CommandError(f"No workspace with the slug {workspace!r}.")
        for item in workspaces:
            for result in rollups_refresh(workspace_id=item.pk, time_zone=item.time_zone, rebuild=rebuild):
                state = "rebuilt" if result.rebuilt else "refreshed"
                self.stdout.write(f"{item.slug}: {result.rollup} {state}, {result.days} day(s)")
