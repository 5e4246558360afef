"""PostgreSQL: a change whose transaction is still open while the refresh reads and recomputes keeps its marker,
so its day is read from the rows until a later refresh (SQLite has one writer at a time: the refresh holds it).

Its own module: the test commits from two connections, which a module-wide rolled-back fixture would not allow.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from voronka.crm.models import Deal
from voronka.metrics.models import RollupMarker
from voronka.metrics.rollups.build import rollups_refresh
from voronka.metrics.selectors import metric_query_for
from voronka.metrics.spec import metric_query_build

from .world import build_world


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_a_change_still_in_flight_during_a_refresh_keeps_its_marker(org):
    """A writer's transaction is open while the refresh reads and recomputes; its day must stay marked."""
    world = build_world(org)
    ws = org.workspace
    rollups_refresh(workspace_id=ws.pk, time_zone=ws.time_zone, rebuild=True)
    d1 = world.deals["D1"]
    written, release = threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                Deal.unscoped.filter(pk=d1.pk).update(amount=Decimal("5000"))
                written.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    # the refresh runs while the writer's update (and its marker) are not committed
    Deal.unscoped.filter(pk=world.deals["D2"].pk).update(amount=Decimal("3100"))
    rollups_refresh(workspace_id=ws.pk, time_zone=ws.time_zone)
    release.set()
    thread.join(10)
    assert ("deals_closed", dt.date(2024, 1, 31)) in set(
        RollupMarker.unscoped.filter(workspace_id=ws.pk).values_list("rollup", "day"))
    actor = org.actor(org.admin)
    query = metric_query_build(metrics=["revenue"], granularity="month", date_from="2024-01-01", date_to="2024-03-31")
    revenue = {row.bucket: row.values["revenue"] for row in metric_query_for(actor=actor, query=query).rows}
    # D1 5000 + D8 1500 in January; D2 3100 in February; D4 2000 in March
    assert revenue == {"2024-01": Decimal("6500.00"), "2024-02": Decimal("3100.00"), "2024-03": Decimal("2000.00")}
    rollups_refresh(workspace_id=ws.pk, time_zone=ws.time_zone)
    assert not RollupMarker.unscoped.filter(workspace_id=ws.pk).exists()
    assert {row.bucket: row.values["revenue"] for row in metric_query_for(actor=actor, query=query).rows} == revenue
