"""`voronka ...`: manage.py under a friendlier name, with a few shortcuts.

voronka serve [addr]     run the web server (development server; use gunicorn in production)
voronka worker           run the background-task worker (django-tasks-db)
voronka scheduler        enqueue periodic jobs (KPI alerts, weekly reports) when due
voronka demo [--scale N] load the demo company
voronka token --email E  issue an API token
voronka <command>        any Django management command
"""

from __future__ import annotations

import os
import sys

ALIASES = {"serve": "runserver", "worker": "db_worker"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    if len(argv) == 1:
        print(__doc__)
        argv.append("help")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
