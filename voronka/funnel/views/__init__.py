"""funnel's pages: the funnel, bottlenecks, stalled deals, the forecast and the win-probability model."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from voronka.accounts.roles import Capability
from voronka.core.navigation import NavEntry, Part


def nav_entries() -> list[NavEntry]:
    view = Capability.FUNNEL_VIEW.value
    return [
        NavEntry("funnel:funnel", _("Funnel"), Part.IMPROVE, "voronka.funnel", view, order=10),
        NavEntry("funnel:bottlenecks", _("Bottlenecks"), Part.IMPROVE, "voronka.funnel", view, order=11),
        NavEntry("funnel:stalled", _("Stalled deals"), Part.IMPROVE, "voronka.funnel", view, order=12),
        NavEntry("funnel:forecast", _("Revenue forecast"), Part.IMPROVE, "voronka.funnel", view, order=13),
        NavEntry("funnel:model", _("Win-probability model"), Part.IMPROVE, "voronka.funnel", view, order=14),
    ]
