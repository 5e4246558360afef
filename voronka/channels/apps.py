from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "voronka.channels"
    label = "channels"
    verbose_name = "Sales channels"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from voronka.core.navigation import NavEntry, Part, register

        # Shown once config/urls.py mounts voronka.channels.urls (navigation hides unreversible entries).
        register(NavEntry("channels:list", _("Channel catalogue"), Part.PLAN, "voronka.channels", "crm.view",
                          order=31))
