"""Navigation entries for the reports pages, and the weekly reports job.

AnalyticsConfig.ready() imports this module, so registering the periodic job at import time
registers it once per process, like the navigation entries.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from voronka.core.navigation import NavEntry, Part
from voronka.core.schedule import register_periodic

from .report_tasks import weekly_reports_send

# Each subscription is sent once a week on its weekday; the hourly job picks up whatever is due.
register_periodic("analytics.weekly_reports", weekly_reports_send, every=dt.timedelta(hours=1))


def nav_entries() -> list[NavEntry]:
    return [
        NavEntry("analytics:reports", _("Reports"), Part.TOOLS, "voronka.analytics", "analytics.view", order=40),
        NavEntry("analytics:channels", _("Sales channels"), Part.PLAN, "voronka.analytics", "analytics.view",
                 order=30),
    ]
