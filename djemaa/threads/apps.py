from django.apps import AppConfig


class ThreadsConfig(AppConfig):
    name = "djemaa.threads"
    label = "threads"

    def ready(self) -> None:
        from djemaa.core import pagecache
        from djemaa.posts.services import new_submission_token

        # Each member's reply box under a kept page gets a token of its own.
        pagecache.register_slot("submission_token", lambda visit: new_submission_token())
