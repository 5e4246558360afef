"""Navigation entries for the dashboards pages."""

from django.utils.translation import gettext_lazy as _

from voronka.core.navigation import NavEntry, Part


def nav_entries() -> list[NavEntry]:
    return [NavEntry("analytics:dashboards", _("Dashboards"), Part.TOOLS, "voronka.analytics", "analytics.view",
                     order=30)]
