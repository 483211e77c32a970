"""The verbs on posts: write, edit, delete, restore. Each keeps every counter in step.

The plain verbs (`create_post`, `edit_post`, …) are what the loader, the demo and the other
services call. The `check_*` verbs are what a person's request calls: they ask
permissions.rules whether this person may, then call the plain verb (Zulip's check_*/do_*
split), so that permission is enforced in one layer and never switched off by a flag.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core.errors import ServiceError
from djemaa.forums import services as forum_services
from djemaa.forums.models import Category
from djemaa.markup.render import RENDERER_VERSION, Rendered
from djemaa.permissions import rules
from djemaa.search import services as search_services
from djemaa.threads.models import Thread

from .models import Draft, Post, PostRevision
from .rendering import render_post_source

MAX_POST_LENGTH = 100_000


def _clean_source(source: str, fmt: str) -> str:
    if fmt not in Post.Format.values:
        raise ServiceError(_("Unknown text format: %(format)s.") % {"format": fmt})
    source = source.replace("\r\n", "\n").strip()
    if not source:
        raise ServiceError(_("A post cannot be empty."))
    if len(source) > MAX_POST_LENGTH:
        raise ServiceError(
            ngettext(
                "A post can be at most %(limit)d character long.",
                "A post can be at most %(limit)d characters long.",
                MAX_POST_LENGTH,
            )
            % {"limit": MAX_POST_LENGTH}
        )
    return source


@dataclass(frozen=True)
class Prepared:
    """What create_post stores for a text, worked out by prerender before its transaction."""

    rendered: Rendered
    terms: search_services.Terms


def prerender(source: str, fmt: str = Post.Format.MARKDOWN, *, title: str = "") -> Prepared:
    """What create_post will store for this text, rendered and analysed for search before
    its transaction: that is the slow part of posting, and on SQLite the transaction holds
    the one write lock. `title` is the new thread's, for its opening post."""
    rendered = render_post_source(_clean_source(source, fmt), fmt)
    return Prepared(rendered, search_services.analyse_post(rendered.html, title))


def _index_after_commit(post: Post) -> None:
    # The search index takes the post in a short transaction of its own, once it is there.
    transaction.on_commit(partial(search_services.index_posts, [post.pk]))


def _apply_rendering(post: Post, rendered: Rendered | None = None) -> None:
    rendered = rendered or render_post_source(post.source, post.format)
    post.html = rendered.html
    post.has_links = rendered.has_links
    post.has_quotes = rendered.has_quotes
    post.renderer_version = RENDERER_VERSION


@transaction.atomic
def create_post(
    *,
    author,
    thread: Thread,
    source: str,
    fmt: str = Post.Format.MARKDOWN,
    created_at: datetime | None = None,
    reply_to: Post | None = None,
    edited_by=None,
    edited_at: datetime | None = None,
    submission_token: str | None = None,
    held: bool = False,
    prepared: Prepared | None = None,
) -> Post:
    """Add a post at the end of a thread, numbered under the thread's row lock.

    `edited_by`/`edited_at` carry the "last edited" note of a post brought from elsewhere;
    `submission_token` is the writing form's one-time token (see `submitted_post`). A `held`
    post takes its number now but counts nowhere until `approve_post`. `prepared` is
    `prerender(source, fmt, …)`, when the caller prepared the text before its transaction.
    """
    source = _clean_source(source, fmt)
    if reply_to is not None:
        check_reply_target(reply_to.thread_id, thread.pk)
    created_at = created_at or timezone.now()

    post = Post(
        thread=thread,
        author=author,
        number=_take_number(thread, counted=not held),
        source=source,
        format=fmt,
        created_at=created_at,
        reply_to=reply_to,
        edited_by=edited_by,
        edited_at=edited_at,
        submission_token=submission_token or "",
        held_at=created_at if held else None,
    )
    _apply_rendering(post, prepared and prepared.rendered)
    post.save()
    # Post numbers only grow and #1 stays (split keeps it, merge renumbers from 1): the
    # opening post, which carries the title in the index, is #1.
    search_services.index_new_post(
        post, thread.title if post.number == 1 else "", prepared and prepared.terms
    )
    _add_first_revisions([post])
    if held:
        _refresh_counters(thread, author)
        return post
    _offer_thread_last_post(post)
    get_user_model().objects.add_post_counts({author.pk: 1})
    forum_services.count_new_post(thread.category, post)
    _refresh_counters(thread, author)
    return post


@transaction.atomic
def approve_post(*, post: Post) -> None:
    """Let a held post count, as if posted now: it keeps its number, the thread (and, for a
    held thread's opening post, the forum) takes it as its newest activity."""
    post.refresh_from_db(fields=["held_at", "deleted_at"])
    if not post.is_held:
        return
    if post.is_deleted:
        raise ServiceError(_("A deleted post cannot be approved."))
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(held_at=None, created_at=now)
    post.held_at, post.created_at = None, now
    thread = post.thread
    if thread.is_held:
        Thread.objects.filter(pk=thread.pk).update(is_held=False, created_at=now)
        thread.is_held, thread.created_at = False, now
        if thread.deleted_at is None:
            forum_services.adjust_counters(thread.category, threads=1)
    _move_counters_for(post, +1)


# Posting's statements on the thread are plain SQL, run while SQLite's one write lock is
# held: Django spent 0.7 ms of CPU on the numbering UPDATE and its re-read, 0.25 ms on the
# last post's UPDATE; the plain statements take 0.03 ms (60k-post SQLite copy).


def _take_number(thread: Thread, *, counted: bool) -> int:
    """The next number of the thread, taken with its row (PostgreSQL) or the database
    (SQLite, whose posting transactions begin IMMEDIATE) locked until commit, so that
    concurrent writers take numbers one by one. RETURNING: SQLite 3.35+, PostgreSQL."""
    table = connection.ops.quote_name(Thread._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1,"  # noqa: S608
            " post_count = post_count + %s WHERE id = %s RETURNING last_number",
            [1 if counted else 0, thread.pk],
        )
        return cursor.fetchone()[0]


def _offer_thread_last_post(post: Post) -> None:
    """Make `post` its thread's last post and activity, unless a newer one is there."""
    table = connection.ops.quote_name(Thread._meta.db_table)
    created_at = connection.ops.adapt_datetimefield_value(post.created_at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_post_id = %s, last_activity_at = %s"  # noqa: S608
            " WHERE id = %s AND (last_post_id IS NULL OR last_activity_at <= %s)",
            [post.pk, created_at, post.thread_id, created_at],
        )


def _refresh_counters(thread: Thread, *users) -> None:
    """Keep the caller's in-memory objects in step with the counters just moved in SQL.

    The fields are dropped rather than read again: Django reads a dropped (deferred) field
    from the database when it is next used, so the posting request, which never looks at
    them, makes no query for them inside its write transaction."""
    _forget_fields(thread, ["last_number", "post_count", "last_post", "last_activity_at"])
    for user in users:
        if user is not None and user.pk:
            _forget_fields(user, ["post_count"])


def _forget_fields(instance, names: list[str]) -> None:
    for name in names:
        field = instance._meta.get_field(name)
        instance.__dict__.pop(field.attname, None)
        if field.is_relation and field.is_cached(instance):
            field.delete_cached_value(instance)


@transaction.atomic
def edit_post(*, post: Post, editor, source: str, edited_at: datetime | None = None) -> Post:
    """Store a new revision. Edits by the author within the grace period leave no note."""
    source = _clean_source(source, post.format)
    edited_at = edited_at or timezone.now()
    if source == post.source:
        return post
    last = post.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    PostRevision.objects.create(
        post=post,
        number=last + 1,
        source=source,
        format=post.format,
        author=editor,
        created_at=edited_at,
    )
    post.source = source
    _apply_rendering(post)
    grace = timedelta(seconds=settings.DJEMAA_EDIT_GRACE_SECONDS)
    if editor.pk != post.author_id or edited_at - post.created_at > grace:
        post.edited_at, post.edited_by = edited_at, editor
    post.save()
    _index_after_commit(post)
    return post


@transaction.atomic
def replace_source(*, post: Post, source: str) -> Post:
    """Correct a post's current text in place: no new revision and no "edited" note.

    For references only known later (the loader's quotes of posts further down its file);
    what members change goes through edit_post.
    """
    source = _clean_source(source, post.format)
    post.source = source
    _apply_rendering(post)
    post.save(update_fields=["source", "html", "has_links", "has_quotes", "renderer_version"])
    current = post.revisions.order_by("-number").first()
    PostRevision.objects.filter(pk=current.pk).update(source=source)
    _index_after_commit(post)
    return post


@transaction.atomic
def delete_post(*, post: Post, actor) -> None:
    """Soft-delete a post. The opening post goes only with its whole thread."""
    if post.is_deleted:
        return
    check_deletable(post.number)
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now(), deleted_by=actor)
    if not post.is_held:  # a held post was never counted
        _move_counters_for(post, -1)
    post.refresh_from_db(fields=["deleted_at", "deleted_by"])


@transaction.atomic
def restore_post(*, post: Post, actor) -> None:
    if not post.is_deleted:
        return
    Post.objects.filter(pk=post.pk).update(deleted_at=None, deleted_by=None)
    if not post.is_held:
        _move_counters_for(post, +1)
    post.refresh_from_db(fields=["deleted_at", "deleted_by"])


def _move_counters_for(post: Post, delta: int) -> None:
    thread = post.thread
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + delta)
    get_user_model().objects.add_post_counts({post.author_id: delta})
    if thread.deleted_at is None:
        forum_services.adjust_counters(thread.category, posts=delta)
    recompute_thread_last_post(thread)
    forum_services.recompute_last_post(thread.category)


def recompute_thread_last_post(thread: Thread) -> None:
    newest = (
        Post.objects.filter(thread=thread, deleted_at__isnull=True, held_at__isnull=True)
        .order_by("-created_at", "-number")
        .only("pk", "created_at")
        .first()
    )
    if newest is not None:
        Thread.objects.filter(pk=thread.pk).update(
            last_post=newest, last_activity_at=newest.created_at
        )
    thread.refresh_from_db(fields=["post_count", "last_post", "last_activity_at"])


@transaction.atomic
def renumber_thread_by_time(thread: Thread) -> None:
    """Number a thread's posts 1..N by creation time, then by arrival (the id).

    For posts gathered from elsewhere (a loaded file, a merge): ordinary posting never needs it.
    """
    order = list(
        Post.objects.filter(thread=thread).order_by("created_at", "pk").values_list("pk", flat=True)
    )
    opening = (
        Post.objects.filter(thread=thread).order_by("number").values_list("pk", flat=True).first()
    )
    if order and opening != order[0]:
        # The opening post carries the thread's title in the search index.
        transaction.on_commit(partial(search_services.index_posts, [opening, order[0]]))
    # Move every number out of the way first: (thread, number) stays unique at each step.
    offset = thread.last_number + len(order) + 1
    Post.objects.filter(thread=thread).update(number=F("number") + offset)
    Post.objects.bulk_update(
        [Post(pk=pk, number=position) for position, pk in enumerate(order, start=1)],
        ["number"],
        batch_size=500,
    )
    Thread.objects.filter(pk=thread.pk).update(last_number=len(order))
    recompute_thread_last_post(thread)
    thread.refresh_from_db(fields=["last_number"])


@transaction.atomic
def rerender_stale_posts(batch_size: int = 500) -> int:
    """Re-render posts stored by an older renderer; returns how many changed."""
    changed = 0
    stale = Post.objects.exclude(renderer_version=RENDERER_VERSION).order_by("pk")
    for post in stale.iterator(chunk_size=batch_size):
        _apply_rendering(post)
        post.save(update_fields=["html", "has_links", "has_quotes", "renderer_version"])
        changed += 1
    return changed


# ---- What a member's request calls: permission first, then the plain verb ----


def new_submission_token() -> str:
    """The one-time token a writing form carries, so that sending it twice posts once."""
    return secrets.token_urlsafe(24)


def submitted_post(author, submission_token: str | None) -> Post | None:
    """The post an earlier submission of the same form already wrote, if any."""
    if not submission_token or not author.is_authenticated:
        return None
    # Every submission asks, and almost none finds one: a plain query for the id, whose
    # condition is the partial unique index's own (post_submitted_once), so that SQLite
    # uses it. Django spent 1.2 ms of CPU on the joined query, this takes 0.02 ms.
    table = connection.ops.quote_name(Post._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE author_id = %s AND submission_token = %s"  # noqa: S608
            " AND NOT (submission_token = '')",
            [author.pk, submission_token],
        )
        found = cursor.fetchone()
    return None if found is None else Post.objects.select_related("thread").get(pk=found[0])


def check_posting_rate(user, now: datetime | None = None) -> None:
    """New members write at most DJEMAA_NEW_MEMBER_POSTS_PER_HOUR posts an hour.

    Counted from the posts themselves, so the limit holds across processes and restarts.
    """
    limit = settings.DJEMAA_NEW_MEMBER_POSTS_PER_HOUR
    if not limit or rules.is_moderator(user):
        return
    now = now or timezone.now()
    new_member_days = settings.DJEMAA_NEW_MEMBER_DAYS
    if user.date_joined <= now - timedelta(days=new_member_days):
        return
    recent = list(
        Post.objects.filter(author=user, created_at__gt=now - timedelta(hours=1))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return
    free_at = timezone.localtime(recent[-1] + timedelta(hours=1))
    raise ServiceError(
        ngettext(
            "New members can write %(limit)d post an hour. You can post again at %(time)s.",
            "New members can write %(limit)d posts an hour. You can post again at %(time)s.",
            limit,
        )
        % {"limit": limit, "time": formats.time_format(free_at)}
    )


def check_edit_post(*, user, post: Post, source: str) -> Post:
    source = _clean_source(source, post.format)
    if not rules.can_edit_post(user, post):
        if post.thread.is_locked:
            raise ServiceError(_("This thread is locked: its posts can no longer be edited."))
        raise ServiceError(_("You cannot edit this post."))
    return edit_post(post=post, editor=user, source=source)


def check_delete_post(*, user, post: Post) -> None:
    if not rules.can_delete_post(user, post):
        raise ServiceError(_("You cannot delete this post."))
    delete_post(post=post, actor=user)


def check_restore_post(*, user, post: Post) -> None:
    if not rules.can_moderate(user, post.thread.category):
        raise ServiceError(_("Only moderators can restore a post."))
    restore_post(post=post, actor=user)


# ---- Drafts ----


def draft_for(author, *, thread: Thread | None = None, category: Category | None = None):
    """The member's draft of a reply to `thread`, or of a new thread in `category`."""
    if not author.is_authenticated:
        return None
    if thread is not None:
        return Draft.objects.filter(author=author, thread=thread).first()
    return Draft.objects.filter(author=author, category=category, thread__isnull=True).first()


def save_draft(
    *,
    author,
    category: Category,
    thread: Thread | None = None,
    title: str = "",
    source: str = "",
    reply_to: Post | None = None,
) -> Draft | None:
    """Keep what the member is writing; an empty form forgets the draft instead.

    Drafts are scratch space, not posts: they are cut to the limits rather than refused,
    so that autosaving never fails on what the posting itself will explain.
    """
    source = source.replace("\r\n", "\n")[:MAX_POST_LENGTH]
    title = title[:200]
    if not source.strip() and not title.strip():
        discard_draft(author, thread=thread, category=category)
        return None
    if thread is not None:
        lookup = {"author": author, "thread": thread}
        category = thread.category
    else:
        lookup = {"author": author, "category": category, "thread": None}
    draft, _created = Draft.objects.update_or_create(
        **lookup,
        defaults={
            "category": category,
            "title": title,
            "source": source,
            "reply_to": reply_to,
            "updated_at": timezone.now(),
        },
    )
    return draft


def discard_draft(author, *, thread: Thread | None = None, category: Category | None = None):
    """Forget the member's draft of a reply to `thread`, or of a new thread in `category`.

    Plain SQL: every reply and new thread runs it under SQLite's write lock, and Django's
    DELETE cost 0.2 ms of CPU to build against 0.02 ms to run."""
    table = connection.ops.quote_name(Draft._meta.db_table)
    if thread is not None:
        where, params = "thread_id = %s", [thread.pk]
    else:
        where, params = "category_id = %s AND thread_id IS NULL", [category.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE author_id = %s AND {where}",  # noqa: S608
            [author.pk, *params],
        )


# ---- Quotes ----


def quote_of(post: Post, selection: str | None = None) -> str:
    """The [quote] block that quotes `post` (or only `selection` of it) in a reply box."""
    text = (selection if selection is not None else post.source).replace("\r\n", "\n").strip()
    return f"[quote={post.author.username};{post.pk}]\n{text}\n[/quote]\n"


# ---- Many posts at once: what the loader writes, row for row what create_post writes ----


class MembersNeeded(Exception):
    """Rendering the text needs these @names looked up (rendering.members_named)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__(names)
        self.names = names


def render_without_database(
    source: str, fmt: str, members: dict[str, str] | None = None
) -> Rendered:
    """What create_post stores for this text, rendered without touching the database (so
    safe in a worker process). A text that names people raises MembersNeeded, unless
    `members` is members_named() of those names (or of more): a second try then renders it
    as create_post would with the members of the moment."""

    def resolve(names: set[str]) -> dict[str, str]:
        if members is None:
            raise MembersNeeded(names)
        return members

    return render_post_source(source, fmt, resolve_users=resolve)


def check_post_source(source: str, fmt: str) -> str:
    """The text as create_post would store it; ServiceError says why it would refuse it."""
    return _clean_source(source, fmt)


def check_reply_target(reply_to_thread_id: int, thread_id: int) -> None:
    """A reply answers a post of its own thread (create_post's rule, and the bulk path's)."""
    if reply_to_thread_id != thread_id:
        raise ServiceError(_("A reply must answer a post of the same thread."))


def add_posts_in_bulk(posts: Sequence[Post], renderings: Sequence[Rendered | None]) -> None:
    """Write posts that have their id and number, with revision #1 of each.

    `renderings` come from render_without_database; None ones are rendered here. Counters
    and "last post" links are not moved: the caller moves them once for the whole batch
    (threads.services.set_thread_counters, User.objects.add_post_counts, the forum
    counters), so that they end as create_post would have left them.
    """
    for post, rendered in zip(posts, renderings, strict=True):
        if rendered is None:
            _apply_rendering(post)
        else:
            post.html = rendered.html
            post.has_links, post.has_quotes = rendered.has_links, rendered.has_quotes
            post.renderer_version = RENDERER_VERSION
    fields = Post._meta.concrete_fields
    _insert_rows(
        Post,
        [field.column for field in fields],
        ([_db_value(getattr(post, field.attname)) for field in fields] for post in posts),
    )
    _add_first_revisions(posts)


def _add_first_revisions(posts: Iterable[Post]) -> None:
    """Revision #1 of each post: the text it was written with."""
    _insert_rows(
        PostRevision,
        ["post_id", "number", "source", "format", "author_id", "created_at"],
        (
            (post.pk, 1, post.source, post.format, post.author_id, _db_value(post.created_at))
            for post in posts
        ),
    )


def _db_value(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """What bulk_create writes, without its work on each value: one prepared INSERT run
    for every row. Values must be ready for the database (_db_value)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One COPY for the batch: PostgreSQL's fastest way in, and one statement, so the
            # statement triggers (core.pagecache) run once for the batch, not once a row.
            copy_sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, list(rows))


def check_deletable(number: int) -> None:
    """The opening post goes only with its thread (delete_post's rule, and the bulk path's,
    which knows a post's number once all are in)."""
    if number == 1:
        raise ServiceError(_("The first post of a thread can only be deleted with the thread."))
