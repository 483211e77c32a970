"""The verbs on threads: open, delete, restore, and each member's reading position."""

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core.errors import ServiceError
from djemaa.forums import services as forum_services
from djemaa.forums.models import Category
from djemaa.permissions import rules
from djemaa.posts import services as post_services
from djemaa.posts.models import Post

from .models import ReadPosition, Thread

MAX_TITLE_LENGTH = 200
T = TypeVar("T")


@transaction.atomic
def create_thread(
    *,
    author,
    category: Category,
    title: str,
    created_at: datetime | None = None,
    is_pinned: bool = False,
    is_locked: bool = False,
    held: bool = False,
) -> Thread:
    """Open an empty thread; its first `create_post` becomes #1.

    A `held` thread (its opening post awaits approval) counts in no forum until approved.
    """
    title = check_new_thread(title=title, category=category)
    created_at = created_at or timezone.now()
    thread = Thread.objects.create(
        author=author,
        category=category,
        title=title,
        created_at=created_at,
        last_activity_at=created_at,
        is_pinned=is_pinned,
        is_locked=is_locked,
        is_held=held,
    )
    if not held:
        forum_services.adjust_counters(category, threads=1)
    return thread


def check_new_thread(*, title: str, category: Category) -> str:
    """The title as create_thread stores it; ServiceError says why it would refuse."""
    title = " ".join(title.split())
    if not title:
        raise ServiceError(_("A thread needs a title."))
    if len(title) > MAX_TITLE_LENGTH:
        raise ServiceError(
            ngettext(
                "A title can be at most %(limit)d character long.",
                "A title can be at most %(limit)d characters long.",
                MAX_TITLE_LENGTH,
            )
            % {"limit": MAX_TITLE_LENGTH}
        )
    if category.depth == 0:
        raise ServiceError(_("Threads go in a forum, not directly in a top-level category."))
    return title


@transaction.atomic
def start_thread(
    *,
    author,
    category: Category,
    title: str,
    source: str,
    fmt: str = "markdown",
    submission_token: str | None = None,
    held: bool = False,
    prepared: post_services.Prepared | None = None,
    **options,
) -> Thread:
    """Open a thread with its first post, as a member starting a discussion does."""
    thread = create_thread(author=author, category=category, title=title, held=held, **options)
    post_services.create_post(
        author=author,
        thread=thread,
        source=source,
        fmt=fmt,
        created_at=thread.created_at,
        submission_token=submission_token,
        held=held,
        prepared=prepared,
    )
    return thread


# ---- What a member's request calls: permission first, then the plain verb ----


def refuse_reply_unless_allowed(user, thread: Thread) -> None:
    """Raise the reason, in words, why this person may not reply to this thread."""
    if rules.can_reply(user, thread):
        return
    if not user.is_authenticated:
        raise ServiceError(_("Log in to reply."))
    if thread.is_locked:
        raise ServiceError(_("This thread is locked: no new replies can be posted."))
    if thread.is_held:
        raise ServiceError(_("This thread can take replies once a moderator approves it."))
    raise ServiceError(_("You cannot reply in this forum."))


def refuse_thread_unless_allowed(user, category: Category) -> None:
    if rules.can_start_thread(user, category):
        return
    if not user.is_authenticated:
        raise ServiceError(_("Log in to start a thread."))
    if category.depth == 0:
        raise ServiceError(_("Threads go in a forum, not directly in a top-level category."))
    raise ServiceError(_("You cannot start a thread in this forum."))


# SQLite has one writer at a time. This process's posting threads wait for it here, each
# woken as soon as the one before is done, instead of in SQLite's busy handler, which
# sleeps in growing steps (up to 100 ms) and leaves the database idle while they all
# sleep; only the server's other processes still meet on the busy timeout. Measured with
# bench/run.py's posting part (8 members, 2 workers, readers on), with and without this
# lock in 6 alternated runs: more replies in each, 25 against 21 replies/s (medians).
# PostgreSQL locks the thread's row: nothing to queue for.
_sqlite_posting_lock = threading.Lock()


@contextmanager
def _posting_transaction() -> Iterator[None]:
    # Inside a caller's transaction the write lock is taken already: waiting here could
    # only hold it longer.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with _sqlite_posting_lock, transaction.atomic():
        yield


def _once(
    user,
    submission_token: str | None,
    prepare: Callable[[], post_services.Prepared],
    write: Callable[[post_services.Prepared], T],
    found: Callable[[Post], T],
) -> T:
    """`write` what `prepare` made, unless this form was sent before; then `found` of the
    post it wrote.

    A double click or a resent form carries the same token: the second submission gets the
    first one's result instead of a second post. `prepare` checks, renders and analyses
    for search before the write transaction, which on SQLite holds the one write lock;
    `write` checks again inside.
    """
    if earlier := post_services.submitted_post(user, submission_token):
        return found(earlier)
    prepared = prepare()
    try:
        with _posting_transaction():
            return write(prepared)
    except IntegrityError:
        # Two submissions of one form raced past the first check: the other one won.
        if earlier := post_services.submitted_post(user, submission_token):
            return found(earlier)
        raise


def check_reply(
    *,
    user,
    thread: Thread,
    source: str,
    reply_to: Post | None = None,
    submission_token: str | None = None,
) -> Post:
    """A member's reply: the member's draft for the thread goes, and their post counts as read."""

    def check() -> None:
        refuse_reply_unless_allowed(user, thread)
        post_services.check_posting_rate(user)

    def prepare() -> post_services.Prepared:
        check()
        # The forums above, which create_post counts the reply in: read now, not under the
        # write lock (the category keeps its parents once read).
        thread.category.ancestor_ids()
        return post_services.prerender(source)

    def write(prepared: post_services.Prepared) -> Post:
        check()
        post = post_services.create_post(
            author=user,
            thread=thread,
            source=source,
            reply_to=reply_to,
            submission_token=submission_token,
            held=rules.posts_are_held(user, thread.category),
            prepared=prepared,
        )
        post_services.discard_draft(user, thread=thread)
        mark_read(user, thread, post.number)
        return post

    return _once(user, submission_token, prepare, write, found=lambda post: post)


def check_start_thread(
    *, user, category: Category, title: str, source: str, submission_token: str | None = None
) -> Thread:
    """A member's new thread; the same double-submission and draft rules as check_reply."""

    def check() -> None:
        refuse_thread_unless_allowed(user, category)
        post_services.check_posting_rate(user)

    def prepare() -> post_services.Prepared:
        check()
        # Its refusals come before the text's; the opening post is indexed with the title.
        checked_title = check_new_thread(title=title, category=category)
        category.ancestor_ids()  # read now, not under the write lock (as in check_reply)
        return post_services.prerender(source, title=checked_title)

    def write(prepared: post_services.Prepared) -> Thread:
        check()
        thread = start_thread(
            author=user,
            category=category,
            title=title,
            source=source,
            submission_token=submission_token,
            held=rules.posts_are_held(user, category),
            prepared=prepared,
        )
        post_services.discard_draft(user, category=category)
        mark_read(user, thread, 1)
        return thread

    return _once(user, submission_token, prepare, write, found=lambda post: post.thread)


@transaction.atomic
def delete_thread(*, thread: Thread, actor) -> None:
    if thread.deleted_at is not None:
        return
    Thread.objects.filter(pk=thread.pk).update(deleted_at=timezone.now())
    thread.refresh_from_db(fields=["deleted_at"])
    if not thread.is_held:  # a held thread was never counted in its forum
        forum_services.adjust_counters(thread.category, threads=-1, posts=-thread.post_count)
    _move_author_counts(thread, -1)
    forum_services.recompute_last_post(thread.category)


@transaction.atomic
def restore_thread(*, thread: Thread, actor) -> None:
    if thread.deleted_at is None:
        return
    Thread.objects.filter(pk=thread.pk).update(deleted_at=None)
    thread.refresh_from_db(fields=["deleted_at"])
    if not thread.is_held:
        forum_services.adjust_counters(thread.category, threads=1, posts=thread.post_count)
    _move_author_counts(thread, +1)
    forum_services.recompute_last_post(thread.category)


def _move_author_counts(thread: Thread, sign: int) -> None:
    per_author = (
        Post.objects.filter(thread=thread, deleted_at__isnull=True, held_at__isnull=True)
        .values("author")
        .annotate(n=Count("pk"))
    )
    counts = {row["author"]: sign * row["n"] for row in per_author}
    get_user_model().objects.add_post_counts(counts)


def mark_read(user, thread: Thread, number: int) -> None:
    """Move the member's reading position forward to `number` (never backward)."""
    if not user.is_authenticated or number <= 0:
        return
    # One upsert in plain SQL (SQLite 3.24+, PostgreSQL), where the ORM needed an UPDATE and,
    # for a first read, an INSERT: each reply runs it under SQLite's write lock, and Django
    # spent far longer building those statements than the database running them.
    table = connection.ops.quote_name(ReadPosition._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS position"  # noqa: S608
            " (user_id, thread_id, last_read_number, updated_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (user_id, thread_id) DO UPDATE"
            " SET last_read_number = excluded.last_read_number, updated_at = excluded.updated_at"
            " WHERE position.last_read_number < excluded.last_read_number",
            [
                user.pk,
                thread.pk,
                number,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )


# Views are counted in memory and written in batches every DJEMAA_VIEW_COUNT_SECONDS: a write
# for each page read would make readers queue behind SQLite's one writer (and guests' kept
# pages, core.pagecache, are sent without a query at all). A stopped process loses at most
# that many seconds of counting.
_unwritten_views: Counter[int] = Counter()
_views_lock = threading.Lock()
_views_written_at = time.monotonic()


def _count_view(thread_id: int) -> bool:
    """Count one view; whether the batch is due to be written."""
    with _views_lock:
        _unwritten_views[thread_id] += 1
        return time.monotonic() - _views_written_at >= settings.DJEMAA_VIEW_COUNT_SECONDS


def record_view(thread: Thread) -> None:
    if _count_view(thread.pk):
        write_views()


def record_view_soon(thread_id: int) -> None:
    """From the event loop, which may not query: the batch is written in a worker thread."""
    if _count_view(thread_id):
        asyncio.get_running_loop().run_in_executor(None, _write_views_and_disconnect)


def write_views() -> None:
    """Add the counted views to the threads' counters."""
    global _views_written_at
    with _views_lock:
        counted = dict(_unwritten_views)
        _unwritten_views.clear()
        _views_written_at = time.monotonic()
    for thread_id, views in sorted(counted.items()):
        Thread.objects.filter(pk=thread_id).update(view_count=F("view_count") + views)


def _write_views_and_disconnect() -> None:
    try:
        write_views()
    finally:
        connection.close()  # this pool thread may not come back for a long time


def add_threads_in_bulk(threads: Sequence[Thread]) -> None:
    """Write threads that have their id, checked title (check_new_thread), author,
    category and times, as create_thread writes each (never held), and count them in
    their forums."""
    for thread in threads:
        thread.slug = thread.slug or slugify(thread.title, allow_unicode=True)[:200]
    Thread.objects.bulk_create(threads)
    per_forum = Counter(thread.category for thread in threads)
    for category, count in per_forum.items():
        forum_services.adjust_counters(category, threads=count)


def set_thread_counters(threads: Sequence[Thread]) -> None:
    """Store the numbering, post count and last post its caller worked out for each thread,
    after writing many posts at once (posts.services.add_posts_in_bulk)."""
    # One prepared UPDATE run for every thread: bulk_update builds a CASE over every id of
    # each batch, in Python and in SQL (6% of the writing of 200,000 posts, profiled).
    table = connection.ops.quote_name(Thread._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET last_number = %s, post_count = %s, last_post_id = %s,"  # noqa: S608
            " last_activity_at = %s WHERE id = %s",
            [
                (
                    thread.last_number,
                    thread.post_count,
                    thread.last_post_id,
                    connection.ops.adapt_datetimefield_value(thread.last_activity_at),
                    thread.pk,
                )
                for thread in threads
            ],
        )
