from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "djemaa.accounts"
    label = "accounts"
