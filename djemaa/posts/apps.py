from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _rerender_stale_posts(sender, **kwargs) -> None:
    # Stored HTML follows the renderer: after an upgrade changes RENDERER_VERSION,
    # `djemaa migrate` brings every post up to date once (then it finds nothing to do).
    from .services import rerender_stale_posts

    rerender_stale_posts()


class PostsConfig(AppConfig):
    name = "djemaa.posts"
    label = "posts"

    def ready(self) -> None:
        post_migrate.connect(_rerender_stale_posts, sender=self)
