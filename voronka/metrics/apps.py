from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "voronka.metrics"
    label = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from .definitions import register_crm_catalogue

        register_crm_catalogue()
