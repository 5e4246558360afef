import datetime as dt

from django.apps import AppConfig


class FunnelConfig(AppConfig):
    name = "voronka.funnel"
    label = "funnel"
    verbose_name = "Funnel"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from voronka.core.navigation import register
        from voronka.core.panels import Panel, register_panel
        from voronka.core.schedule import register_periodic
        from voronka.core.sorting import NamedSort, register_sort

        from . import handlers  # noqa: F401 — registers the event subscriptions
        from .panels import PANEL_TEMPLATE, win_probability_expression, win_probability_panel
        from .tasks import retrain_all_workspaces, snapshot_all_workspaces
        from .views import nav_entries

        register(*nav_entries())
        register_panel(Panel(key="win-probability", entity="deal", template=PANEL_TEMPLATE,
                             context=win_probability_panel, order=20))
        register_sort(NamedSort(entity="deal", key="win_probability", label=_("Win probability"),
                                expression=win_probability_expression, module="voronka.funnel", order=10))
        register_periodic("funnel.retrain", retrain_all_workspaces, every=dt.timedelta(days=7))
        register_periodic("funnel.forecast_snapshot", snapshot_all_workspaces, every=dt.timedelta(days=7))
