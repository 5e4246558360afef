from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "voronka.metrics"
    label = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from voronka.core.navigation import register

        from .definitions import register_crm_catalogue
        from .views import nav_entries

        register_crm_catalogue()
        register(*nav_entries())
