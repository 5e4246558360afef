from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "voronka.goals"
    label = "goals"
    verbose_name = "Goals"
