"""Navigation entries for the dashboards pages."""

from voronka.core.navigation import NavEntry


def nav_entries() -> list[NavEntry]:
    return []
