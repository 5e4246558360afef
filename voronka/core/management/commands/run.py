"""`voronka run`: the web server, a background worker and the scheduler together; Ctrl-C stops all.

A small supervisor rather than a shell `&`: background jobs of a non-interactive shell ignore
SIGINT, so Ctrl-C could leave one of the two running.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the site, a background-task worker and the scheduler until Ctrl-C."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: object, addrport: str, **options: object) -> None:
        cli = [sys.executable, "-m", "voronka.cli"]
        children = [
            subprocess.Popen([*cli, "worker", "--interval", "1"]),  # noqa: S603 — our own interpreter and module
            subprocess.Popen([*cli, "scheduler", "--interval", "30"]),  # noqa: S603
            subprocess.Popen([*cli, "serve", addrport, "--noreload"]),  # noqa: S603
        ]
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.2)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.args for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            self.stderr.write(f"stopped because a process exited: {failed}")
            raise SystemExit(1)
