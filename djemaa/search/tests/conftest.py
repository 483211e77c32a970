import pytest
from django.utils.translation import override

from djemaa.permissions.tests.conftest import admin, private_forum, set_rights  # noqa: F401
from djemaa.search import services


@pytest.fixture(autouse=True)
def in_english():
    with override("en"):
        yield


@pytest.fixture
def indexed_thread(make_thread):
    """A thread started through the real verb, then indexed as the wired verb will do."""

    def make(*args, **kwargs):
        thread = make_thread(*args, **kwargs)
        services.reindex_thread(thread.pk)
        return thread

    return make


@pytest.fixture
def indexed_post(make_post):
    def make(thread, source="Une réponse.", **kwargs):
        post = make_post(thread, source=source, **kwargs)
        services.index_posts([post.pk])
        return post

    return make


@pytest.fixture
def found(db):
    """found(user, "text", **options): the ids of the posts a search returns, in order."""

    def run(user, text, **options):
        results = services.run_search(user, text, limit=100, **options)
        return [post.pk for post in results.posts]

    return run
