"""Helpers to load and dump files the way `djemaa load` and `djemaa dump` do."""

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from djemaa.forums.models import Announcement, Category
from djemaa.interchange.models import LoadedObject

# The permission fixtures, for `dump --as`.
from djemaa.permissions.tests.conftest import admin, private_forum, set_rights  # noqa: F401
from djemaa.posts.models import Post, PostRevision
from djemaa.threads.models import Thread


@pytest.fixture
def forum_file() -> Path:
    """A small forum with every type of object and every optional field."""
    return Path(__file__).parent / "fixtures" / "forum.jsonl"


def as_line(item: dict | str | bytes) -> bytes:
    if isinstance(item, dict):
        return json.dumps(item, ensure_ascii=False).encode()
    return item.encode() if isinstance(item, str) else item


@pytest.fixture
def write_file(tmp_path):
    """Write objects (dicts), raw text or raw bytes as the lines of a file; returns its path."""

    def write(*lines, name: str = "forum.jsonl") -> Path:
        path = tmp_path / name
        path.write_bytes(b"".join(as_line(line) + b"\n" for line in lines))
        return path

    return write


@pytest.fixture
def load(db):
    def run(path: Path) -> str:
        out = io.StringIO()
        call_command("load", str(path), stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def dump(db, tmp_path):
    def run(name: str = "dump.jsonl") -> bytes:
        path = tmp_path / name
        call_command("dump", str(path), stdout=io.StringIO())
        return path.read_bytes()

    return run


@pytest.fixture
def row_counts(db):
    def count() -> dict[str, int]:
        models = [get_user_model(), Category, Thread, Post, PostRevision, Announcement]
        return {model.__name__: model.objects.count() for model in [*models, LoadedObject]}

    return count


@pytest.fixture
def empty_the_site(db):
    """Remove everything, for a second load into an empty site within one test database."""
    return _empty_the_site


def _empty_the_site() -> None:
    Announcement.objects.all().delete()
    LoadedObject.objects.all().delete()
    Category.objects.update(last_post=None)
    Thread.objects.update(last_post=None)
    Post.objects.all().delete()
    Thread.objects.all().delete()
    for depth in (2, 1, 0):
        Category.objects.filter(depth=depth).delete()
    get_user_model().objects.all().delete()
