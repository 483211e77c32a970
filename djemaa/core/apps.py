from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "djemaa.core"
    label = "core"

    def ready(self) -> None:
        from .pagecache import install_triggers

        post_migrate.connect(install_triggers, sender=self)
