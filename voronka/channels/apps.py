from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "voronka.channels"
    label = "channels"
    verbose_name = "Sales channels"
