"""Navigation entries for the reports pages."""

from voronka.core.navigation import NavEntry


def nav_entries() -> list[NavEntry]:
    return []
