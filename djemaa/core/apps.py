from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "djemaa.core"
    label = "core"
