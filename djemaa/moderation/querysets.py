"""The lists moderators read: the reports and held-posts queues, the moderation log, the
announcements."""

from django.db.models import F, QuerySet

from djemaa.forums.models import Announcement
from djemaa.permissions import rules
from djemaa.posts.models import Post

from .models import ModerationAction, Report


def moderated_category_ids(user) -> list[int]:
    """The forums whose threads and reports this person looks after."""
    if not user.is_authenticated:
        return []
    return [
        category.pk
        for category in rules.visible_categories(user)
        if rules.can_moderate(user, category)
    ]


def open_reports(user) -> QuerySet[Report]:
    """Open reports of posts in the forums this person moderates, oldest first (a queue)."""
    return (
        Report.objects.filter(
            closed_at__isnull=True,
            post__thread__category_id__in=moderated_category_ids(user),
        )
        .select_related("reporter", "post__author", "post__thread")
        .order_by("created_at", "pk")
    )


def held_posts(user) -> QuerySet[Post]:
    """Posts awaiting approval in the forums this person moderates, oldest first (a queue)."""
    return (
        Post.objects.filter(
            held_at__isnull=False,
            deleted_at__isnull=True,
            thread__category_id__in=moderated_category_ids(user),
        )
        .select_related("author", "thread")
        .order_by("held_at", "pk")
    )


def moderation_log() -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related("actor", "thread", "post").order_by(
        "-created_at", "-pk"
    )


def all_announcements() -> QuerySet[Announcement]:
    """Every announcement, shown, scheduled or ended; undated and latest-starting first."""
    return Announcement.objects.select_related("category").order_by(
        F("starts_at").desc(nulls_first=True), "-pk"
    )
