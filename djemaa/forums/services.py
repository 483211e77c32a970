"""The forum tree: its nodes, announcements, and the counters each node keeps for its subtree."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from djemaa.core import pagecache
from djemaa.core.errors import ServiceError
from djemaa.posts.models import Post
from djemaa.posts.rendering import render_post_source
from djemaa.threads.models import Thread

from .models import Announcement, Category

MAX_DEPTH = 2  # category (0) -> forum (1) -> sub-forum (2)


def create_category(
    *, title: str, parent: Category | None = None, description: str = "", position: int = 0
) -> Category:
    title = title.strip()
    if not title:
        raise ServiceError(_("A forum needs a title."))
    if parent is not None and parent.depth >= MAX_DEPTH:
        raise ServiceError(_("Forums can be nested at most three levels deep."))
    category = Category.objects.create(
        title=title, parent=parent, description=description.strip(), position=position
    )
    pagecache.site_changed()  # listed on the index and its parent's page from now on
    return category


def create_announcement(
    *,
    title: str,
    body: str,
    category: Category | None = None,
    author=None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Announcement:
    title, body = _clean_announcement(title, body, starts_at, ends_at)
    announcement = Announcement.objects.create(
        title=title,
        body=body,
        body_html=render_post_source(body, "markdown").html,
        category=category,
        author=author,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    pagecache.site_changed()  # shown above the threads of its forums
    return announcement


def update_announcement(
    announcement: Announcement,
    *,
    title: str,
    body: str,
    category: Category | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> Announcement:
    title, body = _clean_announcement(title, body, starts_at, ends_at)
    announcement.title, announcement.body = title, body
    announcement.body_html = render_post_source(body, "markdown").html
    announcement.category = category
    announcement.starts_at, announcement.ends_at = starts_at, ends_at
    announcement.save()
    pagecache.site_changed()
    return announcement


def delete_announcement(announcement: Announcement) -> None:
    announcement.delete()
    pagecache.site_changed()


def _clean_announcement(
    title: str, body: str, starts_at: datetime | None, ends_at: datetime | None
) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ServiceError(_("An announcement needs a title and a text."))
    if starts_at and ends_at and ends_at <= starts_at:
        raise ServiceError(_("An announcement must end after it starts."))
    return title, body


def active_announcements(category: Category | None, now: datetime | None = None):
    """Site-wide announcements and those of this category or any forum above it."""
    now = now or timezone.now()
    where = Q(category__isnull=True)
    if category is not None:
        where |= Q(category_id__in=category.ancestor_ids())
    return (
        Announcement.objects.filter(where)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by("-starts_at", "-id")
    )


def adjust_counters(category: Category, *, threads: int = 0, posts: int = 0) -> None:
    """Move the thread and post counters of a category and every node above it."""
    Category.objects.filter(pk__in=category.ancestor_ids()).update(
        thread_count=F("thread_count") + threads, post_count=F("post_count") + posts
    )


def offer_last_post(category: Category, post) -> None:
    """Make `post` the last post of the category and its ancestors where it is newer."""
    Category.objects.filter(pk__in=category.ancestor_ids()).filter(
        Q(last_post__isnull=True) | Q(last_post__created_at__lte=post.created_at)
    ).update(last_post=post)


def count_new_post(category: Category, post) -> None:
    """adjust_counters(category, posts=1) and offer_last_post(category, post) in one UPDATE,
    which posting runs while it holds SQLite's one write lock.

    Plain SQL: Django took 0.9 ms of CPU to build this UPDATE (as for the two it replaces),
    the database 0.03 ms to run it (measured on the 1M-post forum)."""
    ancestors = category.ancestor_ids()
    table = connection.ops.quote_name(Category._meta.db_table)
    posts = connection.ops.quote_name(Post._meta.db_table)
    marks = ", ".join(["%s"] * len(ancestors))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET post_count = post_count + 1, last_post_id = CASE"  # noqa: S608
            " WHEN last_post_id IS NULL"
            f" OR (SELECT created_at FROM {posts} WHERE id = {table}.last_post_id) <= %s"
            f" THEN %s ELSE last_post_id END WHERE id IN ({marks})",
            [connection.ops.adapt_datetimefield_value(post.created_at), post.pk, *ancestors],
        )


def subtree_ids(category: Category) -> list[int]:
    """The ids of a category and everything below it (the tree is small and shallow)."""
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        children = Category.objects.filter(parent_id__in=frontier)
        frontier = list(children.values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def recompute_last_post(category: Category) -> None:
    """Find again the newest visible post under each node from this one up (after a deletion)."""
    for pk in category.ancestor_ids():
        newest = (
            Thread.objects.filter(
                category_id__in=subtree_ids(Category(pk=pk)),
                deleted_at__isnull=True,
                last_post__isnull=False,
            )
            .order_by("-last_activity_at", "-pk")
            .values_list("last_post_id", flat=True)
            .first()
        )
        Category.objects.filter(pk=pk).update(last_post_id=newest)


def _count_or_zero(rows, group_by: str):
    counted = rows.values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@transaction.atomic
def repair_counters() -> None:
    """Rebuild all counters and "last post" links from the posts (`djemaa repair-counters`)."""
    # A deleted thread keeps its own counts (restoring it needs them); the totals above skip it.
    # Held posts and threads (awaiting approval) count nowhere.
    thread_posts = Post.objects.filter(
        deleted_at__isnull=True, held_at__isnull=True, thread=OuterRef("pk")
    )
    newest_in_thread = thread_posts.order_by("-created_at", "-number")
    Thread.objects.update(
        post_count=_count_or_zero(thread_posts, "thread"),
        last_post=Subquery(newest_in_thread.values("pk")[:1]),
        # Never lower: numbers that posts moved elsewhere (a split) once had must not return.
        last_number=Greatest(
            F("last_number"),
            Coalesce(
                Subquery(
                    Post.objects.filter(thread=OuterRef("pk"))
                    .values("thread")
                    .annotate(m=Max("number"))
                    .values("m"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        ),
    )
    Thread.objects.filter(last_post__isnull=False).update(
        last_activity_at=Subquery(
            Post.objects.filter(pk=OuterRef("last_post")).values("created_at")
        )
    )
    live_posts = Post.objects.filter(
        deleted_at__isnull=True, held_at__isnull=True, thread__deleted_at__isnull=True
    )
    User = get_user_model()
    User.objects.update(
        post_count=_count_or_zero(live_posts.filter(author=OuterRef("pk")), "author")
    )
    for category in Category.objects.all():
        under = subtree_ids(category)
        threads = Thread.objects.filter(
            category_id__in=under, deleted_at__isnull=True, is_held=False
        )
        category.thread_count = threads.count()
        category.post_count = sum(threads.values_list("post_count", flat=True))
        category.last_post_id = (
            threads.filter(last_post__isnull=False)
            .order_by("-last_activity_at", "-pk")
            .values_list("last_post_id", flat=True)
            .first()
        )
        category.save(update_fields=["thread_count", "post_count", "last_post"])
