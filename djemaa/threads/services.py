"""The verbs on threads: open, delete, restore, and each member's reading position."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core.errors import ServiceError
from djemaa.forums import services as forum_services
from djemaa.forums.models import Category
from djemaa.posts import services as post_services
from djemaa.posts.models import Post

from .models import ReadPosition, Thread

MAX_TITLE_LENGTH = 200


@transaction.atomic
def create_thread(
    *,
    author,
    category: Category,
    title: str,
    created_at: datetime | None = None,
    is_pinned: bool = False,
    is_locked: bool = False,
) -> Thread:
    """Open an empty thread; its first `create_post` becomes #1."""
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
    created_at = created_at or timezone.now()
    thread = Thread.objects.create(
        author=author,
        category=category,
        title=title,
        created_at=created_at,
        last_activity_at=created_at,
        is_pinned=is_pinned,
        is_locked=is_locked,
    )
    forum_services.adjust_counters(category, threads=1)
    return thread


@transaction.atomic
def start_thread(
    *, author, category: Category, title: str, source: str, fmt: str = "markdown", **options
) -> Thread:
    """Open a thread with its first post, as a member starting a discussion does."""
    thread = create_thread(author=author, category=category, title=title, **options)
    post_services.create_post(
        author=author, thread=thread, source=source, fmt=fmt, created_at=thread.created_at
    )
    return thread


@transaction.atomic
def delete_thread(*, thread: Thread, actor) -> None:
    if thread.deleted_at is not None:
        return
    Thread.objects.filter(pk=thread.pk).update(deleted_at=timezone.now())
    thread.refresh_from_db(fields=["deleted_at"])
    forum_services.adjust_counters(thread.category, threads=-1, posts=-thread.post_count)
    _move_author_counts(thread, -1)
    forum_services.recompute_last_post(thread.category)


@transaction.atomic
def restore_thread(*, thread: Thread, actor) -> None:
    if thread.deleted_at is None:
        return
    Thread.objects.filter(pk=thread.pk).update(deleted_at=None)
    thread.refresh_from_db(fields=["deleted_at"])
    forum_services.adjust_counters(thread.category, threads=1, posts=thread.post_count)
    _move_author_counts(thread, +1)
    forum_services.recompute_last_post(thread.category)


def _move_author_counts(thread: Thread, sign: int) -> None:
    per_author = (
        Post.objects.filter(thread=thread, deleted_at__isnull=True)
        .values("author")
        .annotate(n=Count("pk"))
    )
    User = get_user_model()
    for row in per_author:
        User.objects.filter(pk=row["author"]).update(post_count=F("post_count") + sign * row["n"])


def mark_read(user, thread: Thread, number: int) -> None:
    """Move the member's reading position forward to `number` (never backward)."""
    if not user.is_authenticated or number <= 0:
        return
    moved = ReadPosition.objects.filter(
        user=user, thread=thread, last_read_number__lt=number
    ).update(last_read_number=number, updated_at=timezone.now())
    if not moved:
        # No row yet, or one already at or past `number`: the conflict clause keeps the latter.
        ReadPosition.objects.bulk_create(
            [ReadPosition(user=user, thread=thread, last_read_number=number)],
            ignore_conflicts=True,
        )


def record_view(thread: Thread) -> None:
    Thread.objects.filter(pk=thread.pk).update(view_count=F("view_count") + 1)
