from django.apps import AppConfig


class PermissionsConfig(AppConfig):
    name = "djemaa.permissions"
    label = "permissions"
