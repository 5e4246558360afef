from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "voronka.accounts"
    label = "accounts"
    verbose_name = "Accounts"
