"""The kept pages' wrapper (core.pagecache) around the real Django application."""

import pytest

from config.asgi import django_application
from djemaa.core import pagecache


class CountingApp:
    """Django, counting the requests that reach it."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await django_application(scope, receive, send)


@pytest.fixture
def django_app():
    return CountingApp()


@pytest.fixture
def cache(transactional_db, django_app):
    wrapper = pagecache.PageCache(django_app, pagecache.BoundedStore(8 * 1024 * 1024))
    yield wrapper
    wrapper.reader.close()
