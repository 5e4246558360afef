from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "voronka.metrics"
    label = "metrics"
    verbose_name = "Metrics"
