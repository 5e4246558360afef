from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "voronka.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        from voronka.core.navigation import register

        from . import handlers  # noqa: F401 — registers the event subscriptions
        from .views import board, imports, lists

        for module in (board, lists, imports):
            register(*module.nav_entries())
