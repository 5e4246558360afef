from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "voronka.core"
    label = "core"
    verbose_name = "Voronka core"

    def ready(self) -> None:
        from . import db  # noqa: F401 — registers the SQLite case-folding function on new connections
