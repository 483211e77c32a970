"""The benchmark's steps that need Django on the measured site's own database.

Run with the site's environment (DJEMAA_DATA_DIR, DATABASE_URL):
    python -m bench.site pages              the URLs to measure, as JSON
    python -m bench.site members N PASSWORD bench members (not "new"), and the thread they reply to
    python -m bench.site thread-state PK    posts, numbers and tokens of a thread, as JSON
Everything is written through Djemaa's own services.
"""

import json
import os
import random
import sys
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.encoding import iri_to_uri  # noqa: E402

from djemaa.accounts.services import create_member, set_password  # noqa: E402
from djemaa.permissions.rules import visible_threads  # noqa: E402
from djemaa.posts.models import Post  # noqa: E402
from djemaa.threads.models import Thread  # noqa: E402
from djemaa.threads.querysets import page_of_number, post_location  # noqa: E402
from djemaa.threads.services import start_thread  # noqa: E402

MEMBER_PREFIX = "bench-member-"
POSTING_THREAD_TITLE = "Bench: replies under load"
# How deep in the big thread the permalink points (a fraction of its posts).
DEEP_POST_FRACTION = 0.9
# Threads whose first pages a rotating reader asks for, one after the other (bench/rotate.lua):
# more than a run's requests, so that none is asked for twice.
ROTATING_THREADS = 20_000


def big_thread() -> Thread:
    thread = (
        Thread.objects.filter(deleted_at=None, is_held=False)
        .exclude(title=POSTING_THREAD_TITLE)
        .order_by("-post_count")
        .first()
    )
    if thread is None:
        raise SystemExit("bench.site: the database holds no thread")
    return thread


def _with_page(url: str, page: int) -> str:
    return url if page == 1 else f"{url}?page={page}"


def pages() -> dict:
    thread = big_thread()
    url = iri_to_uri(thread.get_absolute_url())
    last_page = page_of_number(thread.last_number)
    deep = (
        Post.objects.filter(
            thread=thread,
            number__gte=max(int(thread.last_number * DEEP_POST_FRACTION), 1),
            deleted_at=None,
            held_at=None,
        )
        .order_by("number")
        .select_related("thread")
        .first()
    )
    return {
        "index": "/",
        "forum": iri_to_uri(thread.category.get_absolute_url()),
        "thread_first": url,
        "thread_middle": _with_page(url, (last_page + 1) // 2),
        "thread_last": _with_page(url, last_page),
        "permalink": iri_to_uri(deep.get_absolute_url()),
        "permalink_target": iri_to_uri(post_location(deep).split("#")[0]),
        "profile": iri_to_uri(thread.author.get_absolute_url()),
        "thread_rotating": rotating_thread_urls(),
        "big_thread_posts": thread.post_count,
        "posts_per_page": settings.DJEMAA_POSTS_PER_PAGE,
    }


def rotating_thread_urls() -> list[str]:
    """First pages of threads a guest may read, in a fixed shuffled order."""
    threads = list(
        visible_threads(AnonymousUser())
        .filter(post_count__gt=0)
        .order_by("pk")
        .only("pk", "slug")[:ROTATING_THREADS]
    )
    random.Random(1).shuffle(threads)
    return [iri_to_uri(thread.get_absolute_url()) for thread in threads]


def members(count: int, password: str) -> dict:
    """`count` members who joined long ago enough not to be "new", and a thread to reply to."""
    joined = timezone.now() - timedelta(days=settings.DJEMAA_NEW_MEMBER_DAYS + 30)
    User = get_user_model()
    names = []
    for number in range(1, count + 1):
        name = f"{MEMBER_PREFIX}{number}"
        member = User.objects.filter(username=name).first()
        if member is None:
            member = create_member(username=name, password=password, joined_at=joined)
        else:
            set_password(member, password)
        names.append(member.username)
    thread = Thread.objects.filter(title=POSTING_THREAD_TITLE).first()
    if thread is None:
        thread = start_thread(
            author=User.objects.get(username=names[0]),
            category=big_thread().category,
            title=POSTING_THREAD_TITLE,
            source="Replies written by the benchmark's posting clients.",
        )
    return {"members": names, "posting_thread": thread.pk}


def thread_state(pk: int) -> dict:
    thread = Thread.objects.get(pk=pk)
    posts = Post.objects.filter(thread=thread)
    numbers = list(posts.order_by("number").values_list("number", flat=True))
    tokens = posts.exclude(submission_token="").values_list("author_id", "submission_token")
    return {
        "posts": len(numbers),
        "distinct_numbers": len(set(numbers)),
        "numbers_are_1_to_n": numbers == list(range(1, len(numbers) + 1)),
        "last_number": thread.last_number,
        "post_count": thread.post_count,
        "distinct_tokens": len(set(tokens)),
        "tokens": tokens.count(),
    }


def main(argv: list[str]) -> None:
    match argv:
        case ["pages"]:
            result = pages()
        case ["members", count, password]:
            result = members(int(count), password)
        case ["thread-state", pk]:
            result = thread_state(int(pk))
        case _:
            raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
