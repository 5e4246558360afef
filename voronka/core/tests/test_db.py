"""Case-insensitive search works for Cyrillic on SQLite as on PostgreSQL."""

import pytest

from voronka.accounts.models import Team
from voronka.core.db import casefold_q


@pytest.mark.parametrize(("term", "expected"), [
    ("мАрИя", ["Мария Иванова"]), ("ИВАН", ["Мария Иванова"]), ("ёж", ["Ёжик"]), ("north", ["North"]),
    ("нет такого", []),
])
def test_casefold_contains(org, scoped, term, expected):
    for name in ("Мария Иванова", "Ёжик"):
        Team.objects.create(workspace=org.workspace, name=name)
    found = sorted(Team.objects.filter(casefold_q("name", term)).values_list("name", flat=True))
    assert found == expected


def test_casefold_exact_and_startswith(org, scoped):
    Team.objects.create(workspace=org.workspace, name="Москва")
    assert Team.objects.filter(casefold_q("name", "москва", lookup="exact")).count() == 1
    assert Team.objects.filter(casefold_q("name", "МОС", lookup="startswith")).count() == 1


def test_refresh_planner_statistics_runs_on_this_database(org):
    from django.db import connection

    from voronka.core.db import refresh_planner_statistics

    refresh_planner_statistics()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
