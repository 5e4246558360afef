import datetime as dt

from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "voronka.crm"
    label = "crm"
    verbose_name = "CRM"

    def ready(self) -> None:
        from voronka.core.navigation import register
        from voronka.core.schedule import register_periodic

        from . import handlers  # noqa: F401 — registers the event subscriptions
        from .tasks import purge_import_uploads
        from .views import board, imports, lists

        for module in (board, lists, imports):
            register(*module.nav_entries())
        register_periodic("crm.purge_import_uploads", purge_import_uploads, every=dt.timedelta(hours=6))
