from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "voronka.crm"
    label = "crm"
    verbose_name = "CRM"
