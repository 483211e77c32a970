from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "djemaa.forums"
    label = "forums"
