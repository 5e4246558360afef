"""`voronka scheduler`: enqueue periodic jobs when they fall due (see voronka/core/schedule.py)."""

from __future__ import annotations

import signal
import time
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser

from voronka.core.schedule import schedule_tick


class Command(BaseCommand):
    help = "Enqueue periodic background jobs (KPI alerts, weekly reports, retraining) when due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args: object, interval: float, once: bool, **options: object) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        if not once:
            signal.signal(signal.SIGINT, stop)
            signal.signal(signal.SIGTERM, stop)
        while True:
            for name in schedule_tick():
                self.stdout.write(f"enqueued {name}")
            if once or stopping:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
