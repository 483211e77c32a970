from django.apps import AppConfig


class MarkupConfig(AppConfig):
    name = "djemaa.markup"
    label = "markup"
