"""Fixtures shared by every app's tests: factories that build data through the real services."""

import itertools

import pytest
from django.conf import settings


def pytest_configure(config):
    # Tests read static files from the apps' folders; production serves collected, hashed ones.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Tests read in English unless they ask for another language (the site default is French).
    settings.LANGUAGE_CODE = "en"
    # Argon2 is deliberately slow; the tests make many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Views are written at once, so that a test sees the view it made.
    settings.DJEMAA_VIEW_COUNT_SECONDS = 0


_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_post_blocks():
    # Kept blocks outlive a test's rolled-back rows, whose ids the next test may reuse.
    from djemaa.threads.blocks import forget_blocks

    forget_blocks()


@pytest.fixture(autouse=True)
def _fresh_rights_classes():
    # Kept rights outlive a flushed database (transactional tests), whose generation may return.
    from djemaa.permissions.rules import rights_classes

    rights_classes.clear()


@pytest.fixture
def make_member(db):
    from djemaa.accounts.services import create_member

    def make(username=None, **fields):
        return create_member(username=username or f"member{next(_sequence)}", **fields)

    return make


@pytest.fixture
def make_forum(db):
    """A forum inside a fresh top-level category (or inside `parent` when given)."""
    from djemaa.forums.services import create_category

    def make(title=None, parent=None, **fields):
        if parent is None:
            parent = create_category(title=f"Catégorie {next(_sequence)}")
        return create_category(title=title or f"Forum {next(_sequence)}", parent=parent, **fields)

    return make


@pytest.fixture
def make_thread(db, make_member, make_forum):
    from djemaa.threads.services import start_thread

    def make(title=None, author=None, category=None, source="Premier message.", **options):
        return start_thread(
            author=author or make_member(),
            category=category or make_forum(),
            title=title or f"Sujet {next(_sequence)}",
            source=source,
            **options,
        )

    return make


@pytest.fixture
def make_post(db, make_member):
    from djemaa.posts.services import create_post

    def make(thread, source="Une réponse.", author=None, **options):
        return create_post(thread=thread, author=author or make_member(), source=source, **options)

    return make
