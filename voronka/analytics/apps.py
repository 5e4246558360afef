from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "voronka.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from voronka.core.navigation import register

        from . import dashboards_nav, reports_nav

        for module in (dashboards_nav, reports_nav):
            register(*module.nav_entries())
