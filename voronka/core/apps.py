from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "voronka.core"
    label = "core"
    verbose_name = "Voronka core"
