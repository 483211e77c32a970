"""The ASGI handler (core.asgi): a request's middleware and view run as one synchronous call."""

import inspect

import pytest
from asgiref.sync import SyncToAsync
from django.core.handlers.asgi import ASGIHandler

from config.asgi import django_application
from djemaa.core.tests.test_pagecache import fetch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crossings(monkeypatch):
    """The synchronous calls the event loop hands to a thread, by name."""
    made = []
    start = SyncToAsync.__init__

    def counted(self, func, *args, **kwargs):
        made.append(getattr(func, "__qualname__", repr(func)))
        start(self, func, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__init__", counted)
    return made


def test_the_middleware_chain_is_synchronous():
    assert not inspect.iscoroutinefunction(django_application._middleware_chain)


def test_a_page_crosses_into_its_thread_once_for_its_middleware_and_view(crossings):
    status, headers, _ = fetch(django_application, "/", (b"accept-language", b"ar"))

    assert status == 200
    assert headers["content-language"] == "ar"  # our middleware ran
    # request_started's receivers, then the middleware with the view, then closing the response.
    assert len(crossings) == 3, crossings


def test_django_s_own_handler_crossed_more_often(crossings):
    # What the test above guards against: in Django's async chain, MessageMiddleware's and
    # XFrameOptionsMiddleware's steps and the view each crossed on their own (6 in all).
    status, _, _ = fetch(ASGIHandler(), "/")

    assert status == 200
    assert len(crossings) > 3, crossings
