import datetime as dt

from django.apps import AppConfig

# Days changed by the writes of the last minute are read from the rows until then (exact, just slower).
ROLLUP_REFRESH_EVERY = dt.timedelta(minutes=1)


class MetricsConfig(AppConfig):
    name = "voronka.metrics"
    label = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from voronka.core.navigation import register
        from voronka.core.schedule import register_periodic

        from .definitions import register_crm_catalogue
        from .tasks import refresh_rollups
        from .views import nav_entries

        register_crm_catalogue()
        register(*nav_entries())
        register_periodic("metrics.refresh_rollups", refresh_rollups, every=ROLLUP_REFRESH_EVERY)
