from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    name = "djemaa.threads"
    label = "threads"
