from django.apps import AppConfig


class FunnelConfig(AppConfig):
    name = "voronka.funnel"
    label = "funnel"
    verbose_name = "Funnel"
