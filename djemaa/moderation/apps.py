from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "djemaa.moderation"
    label = "moderation"
