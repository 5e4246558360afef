from django.core.management.base import BaseCommand, CommandParser

from voronka.core.db import refresh_planner_statistics
from voronka.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, DEMO_REPS, demo_load
from voronka.goals.services.demo import goals_seed_demo
from voronka.metrics.rollups.build import rollups_refresh


class Command(BaseCommand):
    help = "Load the deterministic demo company (idempotent) and print its logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1,
                            help="Multiply companies, contacts, deals and activities (benchmarks); reps stay 15.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: object, scale: int, quiet_logins: bool, **options: object) -> None:
        if scale < 1:
            self.stderr.write("--scale must be at least 1")
            raise SystemExit(2)
        result = demo_load(scale=scale, progress=self.stdout.write)
        if result.created or result.chunks_loaded:
            refresh_planner_statistics()
        # A goal split to the teams and two alert rules, so the goals pages have something to show.
        goals_seed_demo(result.workspace)
        # Daily totals for the dashboards (a bulk load marks every day it touched: a full build is cheaper).
        rollups_refresh(workspace_id=result.workspace.pk, time_zone=result.workspace.time_zone,
                        rebuild=bool(result.created or result.chunks_loaded))
        if result.created:
            state = "created"
        elif result.chunks_loaded:
            state = f"extended by {result.chunks_loaded} chunk(s)"
        else:
            state = "already present"
        self.stdout.write(f"Demo workspace '{result.workspace.name}' {state}.")
        if not quiet_logins:
            self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
            for email, _name, role, _team in DEMO_LOGINS:
                self.stdout.write(f"  {role:<9} {email}")
            self.stdout.write(f"  {'rep':<9} {DEMO_REPS[1][0]} … {DEMO_REPS[-1][0]} (more reps)")
