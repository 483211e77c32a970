"""Helpers for reading thread pages the way a reader does."""

import pytest
from django.test import Client


@pytest.fixture
def reader():
    """A guest reading in English, the language of the msgids (no catalogue needed)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def member_reader(make_member):
    """A signed-in member reading in English; the member is `client.member`."""

    def make(**fields):
        member = make_member(language="en", **fields)
        client = Client()
        client.force_login(member)
        client.member = member
        return client

    return make


@pytest.fixture
def long_thread(make_thread, make_post, make_member):
    """A thread of `count` posts by two people taking turns (post creation is the slow part)."""

    def make(count: int, **options):
        starter, other = make_member(), make_member()
        thread = make_thread(author=starter, **options)
        for index in range(2, count + 1):
            make_post(thread, source=f"Message {index}", author=other if index % 2 else starter)
        return thread

    return make
