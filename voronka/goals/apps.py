import datetime as dt

from django.apps import AppConfig

EVALUATE_EVERY = dt.timedelta(hours=1)


class GoalsConfig(AppConfig):
    name = "voronka.goals"
    label = "goals"
    verbose_name = "Goals"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from voronka.accounts.roles import Capability
        from voronka.core.navigation import NavEntry, Part, register
        from voronka.core.schedule import register_periodic

        from .tasks import evaluate_alerts

        register(
            NavEntry("goals:goal-list", _("Goals"), Part.PLAN, self.name, Capability.GOALS_VIEW.value, order=40),
            NavEntry("goals:objective-list", _("Objectives"), Part.PLAN, self.name, Capability.GOALS_VIEW.value,
                     order=41),
            NavEntry("goals:alert-list", _("KPI alerts"), Part.IMPROVE, self.name, Capability.GOALS_VIEW.value,
                     order=20),
            NavEntry("goals:rule-list", _("Alert rules"), Part.IMPROVE, self.name, Capability.ALERTS_MANAGE.value,
                     order=21),
            NavEntry("goals:notification-list", _("Notifications"), Part.IMPROVE, self.name,
                     Capability.GOALS_VIEW.value, order=22),
        )
        register_periodic("goals.evaluate_alerts", evaluate_alerts, every=EVALUATE_EVERY)
