"""The moderators' verbs: thread actions, post deletion, held posts, reports, announcements.

Each checks `rules.can_moderate` (PermissionDenied: the views have already answered 404 to
anyone who may not moderate), validates, writes inside one transaction through the
threads/posts/forums services that keep the counters in step, and records itself in the log.
"""

from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core.errors import ServiceError
from djemaa.forums import services as forum_services
from djemaa.forums.models import Announcement, Category
from djemaa.permissions import rules
from djemaa.posts import services as post_services
from djemaa.posts.models import Draft, Post
from djemaa.search import services as search_services
from djemaa.threads import services as thread_services
from djemaa.threads.models import ReadPosition, Thread

from .models import ModerationAction, Report, ThreadRedirect

MAX_REASON_LENGTH = 1000
Kind = ModerationAction.Kind


def _require_moderator(actor, category: Category) -> None:
    if not rules.can_moderate(actor, category):
        raise PermissionDenied


def _require_admin(actor) -> None:
    # Announcements and the log belong to administrators.
    if not rules.is_administrator(actor):
        raise PermissionDenied


def _clean_reason(reason: str) -> str:
    reason = reason.replace("\r\n", "\n").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ServiceError(
            ngettext(
                "A reason can be at most %(limit)d character long.",
                "A reason can be at most %(limit)d characters long.",
                MAX_REASON_LENGTH,
            )
            % {"limit": MAX_REASON_LENGTH}
        )
    return reason


def record_action(
    actor,
    kind: str,
    *,
    thread: Thread | None = None,
    post: Post | None = None,
    reason: str = "",
    **details,
) -> ModerationAction:
    """Write one line of the moderation log; other apps' moderator verbs (bans) call it too.

    `details` keeps what the log must still say once the objects change or go.
    """
    if thread is not None:
        # The log keeps saying which thread it was after a rename, a merge or a deletion.
        details.setdefault("title", thread.title)
    return ModerationAction.objects.create(
        actor=actor, kind=kind, thread=thread, post=post, reason=reason, details=details
    )


def _fresh(thread: Thread) -> Thread:
    """The thread as stored now: counters may have moved since the caller fetched it."""
    thread.refresh_from_db()
    return thread


# Pin, lock, rename, move ---------------------------------------------------------------


@transaction.atomic
def set_pinned(*, thread: Thread, actor, pinned: bool, reason: str = "") -> None:
    _require_moderator(actor, thread.category)
    reason = _clean_reason(reason)
    if _fresh(thread).is_pinned == pinned:
        return  # a resent form: nothing happens, nothing is logged
    Thread.objects.filter(pk=thread.pk).update(is_pinned=pinned)
    thread.is_pinned = pinned
    record_action(actor, Kind.PIN if pinned else Kind.UNPIN, thread=thread, reason=reason)


@transaction.atomic
def set_locked(*, thread: Thread, actor, locked: bool, reason: str = "") -> None:
    _require_moderator(actor, thread.category)
    reason = _clean_reason(reason)
    if _fresh(thread).is_locked == locked:
        return
    Thread.objects.filter(pk=thread.pk).update(is_locked=locked)
    thread.is_locked = locked
    record_action(actor, Kind.LOCK if locked else Kind.UNLOCK, thread=thread, reason=reason)


def clean_title(title: str) -> str:
    """The rule of threads.services.create_thread: one line, not empty, not too long."""
    title = " ".join(title.split())
    if not title:
        raise ServiceError(_("A thread needs a title."))
    if len(title) > thread_services.MAX_TITLE_LENGTH:
        raise ServiceError(
            ngettext(
                "A title can be at most %(limit)d character long.",
                "A title can be at most %(limit)d characters long.",
                thread_services.MAX_TITLE_LENGTH,
            )
            % {"limit": thread_services.MAX_TITLE_LENGTH}
        )
    return title


@transaction.atomic
def rename_thread(*, thread: Thread, actor, title: str, reason: str = "") -> None:
    """A new title and the slug that follows it; the old address redirects to the new one
    (the thread page sends any other slug to the canonical one)."""
    _require_moderator(actor, thread.category)
    title, reason = clean_title(title), _clean_reason(reason)
    old_title = _fresh(thread).title
    if title == old_title:
        return
    thread.title, thread.slug = title, slugify(title, allow_unicode=True)[:200]
    Thread.objects.filter(pk=thread.pk).update(title=thread.title, slug=thread.slug)
    transaction.on_commit(partial(search_services.reindex_thread, thread.pk))  # the title
    record_action(actor, Kind.RENAME, thread=thread, reason=reason, old_title=old_title)


@transaction.atomic
def move_thread(*, thread: Thread, actor, category: Category, reason: str = "") -> None:
    _require_moderator(actor, thread.category)
    _require_moderator(actor, category)
    reason = _clean_reason(reason)
    _fresh(thread)
    if category.pk == thread.category_id:
        raise ServiceError(_("The thread is in this forum already."))
    if category.depth == 0:
        raise ServiceError(_("Threads go in a forum, not directly in a top-level category."))
    source = thread.category
    Thread.objects.filter(pk=thread.pk).update(category=category)
    thread.category = category
    # A deleted thread, or one awaiting approval, is in no forum's counters.
    if thread.deleted_at is None and not thread.is_held:
        forum_services.adjust_counters(source, threads=-1, posts=-thread.post_count)
        forum_services.adjust_counters(category, threads=1, posts=thread.post_count)
    forum_services.recompute_last_post(source)
    forum_services.recompute_last_post(category)
    record_action(
        actor,
        Kind.MOVE,
        thread=thread,
        reason=reason,
        from_forum=source.title,
        to_forum=category.title,
    )


# Merge and split ------------------------------------------------------------------------


def _read_marks(thread: Thread, among: set[int] | None = None) -> dict[int, int]:
    """For each reader of `thread`, the id of the furthest post (of `among`) they were shown.

    Positions are post numbers, which a merge or a split changes; the posts themselves stay,
    so positions are carried across as posts and turned back into numbers afterwards.
    """
    rows = Post.objects.filter(thread=thread).order_by("number").values_list("number", "pk")
    if among is not None:
        rows = rows.filter(pk__in=among)
    rows = list(rows)
    numbers = [number for number, _pk in rows]
    marks = {}
    positions = ReadPosition.objects.filter(thread=thread).values_list(
        "user_id", "last_read_number"
    )
    for user_id, read_up_to in positions:
        index = bisect_right(numbers, read_up_to)
        if index:
            marks[user_id] = rows[index - 1][1]
    return marks


def _place_read_positions(thread: Thread, marks: Iterable[dict[int, int]]) -> None:
    """Each reader's position in `thread`: the newest post they were shown, renumbered.

    A position is a high-water mark: in a merged thread, what is older than the newest post
    a member read counts as read, as it would have had the posts been together all along.
    """
    marks = list(marks)
    numbers = dict(
        Post.objects.filter(pk__in={pk for mark in marks for pk in mark.values()}).values_list(
            "pk", "number"
        )
    )
    reached: dict[int, int] = {}
    for mark in marks:
        for user_id, pk in mark.items():
            reached[user_id] = max(reached.get(user_id, 0), numbers[pk])
    ReadPosition.objects.filter(thread=thread).delete()
    ReadPosition.objects.bulk_create(
        [
            ReadPosition(user_id=user_id, thread=thread, last_read_number=number)
            for user_id, number in reached.items()
        ]
    )


def _carry_drafts(source: Thread, target: Thread) -> None:
    """Replies being written in the source go on in the target: what members typed is kept."""
    waiting = {draft.author_id: draft for draft in Draft.objects.filter(thread=target)}
    for draft in Draft.objects.filter(thread=source):
        kept = waiting.get(draft.author_id)
        if kept is None:
            draft.thread, draft.category_id = target, target.category_id
            draft.save(update_fields=["thread", "category"])
        else:  # one draft per member and thread: the two texts become one
            joined = "\n\n".join(part for part in [kept.source, draft.source] if part)
            kept.source = joined[: post_services.MAX_POST_LENGTH]  # drafts are cut, never refused
            kept.save(update_fields=["source"])


@transaction.atomic
def merge_threads(*, source: Thread, target: Thread, actor, reason: str = "") -> Thread:
    """Move every post of `source` into `target`, number the target's posts by time, and make
    the source's addresses lead to the target. Post ids, hence permalinks, do not change."""
    _require_moderator(actor, source.category)
    _require_moderator(actor, target.category)
    reason = _clean_reason(reason)
    if source.pk == target.pk:
        raise ServiceError(_("A thread cannot be merged into itself."))
    _fresh(source)
    _fresh(target)
    if source.deleted_at is not None or target.deleted_at is not None:
        raise ServiceError(_("Restore a deleted thread before merging it."))
    if source.is_held or target.is_held:
        raise ServiceError(_("Approve a thread awaiting approval before merging it."))
    marks = [_read_marks(source), _read_marks(target)]
    moved = Post.objects.filter(thread=source).count()
    # Numbers above the target's keep (thread, number) unique until the renumbering.
    Post.objects.filter(thread=source).update(
        thread=target, number=F("number") + target.last_number
    )
    Thread.objects.filter(pk=target.pk).update(
        last_number=F("last_number") + source.last_number,
        post_count=F("post_count") + source.post_count,
    )
    _fresh(target)
    post_services.renumber_thread_by_time(target)
    # The thread now opens with the oldest post of the two, and is started by its author.
    opening = Post.objects.only("author", "created_at").get(thread=target, number=1)
    Thread.objects.filter(pk=target.pk).update(
        author=opening.author_id, created_at=opening.created_at
    )
    _place_read_positions(target, marks)
    _carry_drafts(source, target)
    # Earlier merges into the source now lead to the target too: one hop, never a chain.
    ThreadRedirect.objects.filter(target=source).update(target=target)
    ThreadRedirect.objects.create(old_thread_id=source.pk, target=target)
    forum_services.adjust_counters(source.category, threads=-1, posts=-source.post_count)
    forum_services.adjust_counters(target.category, posts=source.post_count)
    # Through the queryset, so the caller's object keeps its id (its address now redirects).
    Thread.objects.filter(pk=source.pk).delete()
    forum_services.recompute_last_post(source.category)
    forum_services.recompute_last_post(target.category)
    _fresh(target)
    # The opening post, which carries the title in the index, may be another one now.
    transaction.on_commit(partial(search_services.reindex_thread, target.pk))
    record_action(
        actor,
        Kind.MERGE,
        thread=target,
        reason=reason,
        source_id=source.pk,
        source_title=source.title,
        posts=moved,
    )
    return target


@transaction.atomic
def split_thread(
    *,
    thread: Thread,
    actor,
    post_ids: Iterable[int],
    title: str,
    category: Category,
    reason: str = "",
) -> Thread:
    """Move the chosen posts into a new thread in `category`; the oldest of them opens it."""
    _require_moderator(actor, thread.category)
    _require_moderator(actor, category)
    title, reason = clean_title(title), _clean_reason(reason)
    post_ids = set(post_ids)
    posts = list(
        Post.objects.filter(thread=thread, pk__in=post_ids)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    if not posts:
        raise ServiceError(_("Choose the posts to move into the new thread."))
    if len(posts) != len(post_ids):
        raise ServiceError(_("Some of the chosen posts are not in this thread."))
    if any(post.number == 1 for post in posts):
        raise ServiceError(_("The first post stays with its thread: choose among the replies."))
    if posts[0].is_deleted:
        raise ServiceError(_("A new thread cannot open with a deleted post."))
    if posts[0].is_held:
        raise ServiceError(_("A new thread cannot open with a post awaiting approval."))
    if _fresh(thread).deleted_at is not None:
        raise ServiceError(_("Restore a deleted thread before splitting it."))
    # Deleted and held posts were not counted where they were; they are not counted here.
    live = sum(1 for post in posts if not post.is_deleted and not post.is_held)
    marks = _read_marks(thread, among=post_ids)
    new = thread_services.create_thread(
        author=posts[0].author, category=category, title=title, created_at=posts[0].created_at
    )
    Post.objects.filter(pk__in=post_ids).update(thread=new)
    # A reply keeps its link only to a post that is still in its own thread.
    Post.objects.filter(thread=new, reply_to__isnull=False).exclude(reply_to__thread=new).update(
        reply_to=None
    )
    Post.objects.filter(thread=thread, reply_to__thread=new).update(reply_to=None)
    # The moved posts keep their (distinct) numbers until the renumbering, which needs to
    # know the highest of them.
    Thread.objects.filter(pk=new.pk).update(last_number=thread.last_number, post_count=live)
    _fresh(new)
    post_services.renumber_thread_by_time(new)
    _place_read_positions(new, [marks])
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") - live)
    post_services.recompute_thread_last_post(thread)
    forum_services.adjust_counters(thread.category, posts=-live)
    forum_services.adjust_counters(category, posts=live)
    forum_services.recompute_last_post(thread.category)
    forum_services.recompute_last_post(category)
    _fresh(new)
    for changed in (thread.pk, new.pk):  # each may open with another post now
        transaction.on_commit(partial(search_services.reindex_thread, changed))
    record_action(
        actor,
        Kind.SPLIT,
        thread=new,
        reason=reason,
        source_id=thread.pk,
        source_title=thread.title,
        posts=len(posts),
    )
    return new


# Deleting and restoring -----------------------------------------------------------------


def _close_reports(reports, actor, outcome: str) -> None:
    reports.filter(closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=actor, outcome=outcome
    )


@transaction.atomic
def delete_thread(*, thread: Thread, actor, reason: str = "") -> None:
    _require_moderator(actor, thread.category)
    reason = _clean_reason(reason)
    if _fresh(thread).deleted_at is not None:
        return
    thread_services.delete_thread(thread=thread, actor=actor)
    _close_reports(Report.objects.filter(post__thread=thread), actor, Report.Outcome.RESOLVED)
    record_action(actor, Kind.DELETE_THREAD, thread=thread, reason=reason)


@transaction.atomic
def restore_thread(*, thread: Thread, actor, reason: str = "") -> None:
    _require_moderator(actor, thread.category)
    reason = _clean_reason(reason)
    if _fresh(thread).deleted_at is None:
        return
    thread_services.restore_thread(thread=thread, actor=actor)
    record_action(actor, Kind.RESTORE_THREAD, thread=thread, reason=reason)


@transaction.atomic
def delete_post(*, post: Post, actor, reason: str = "") -> None:
    """Soft-delete a post (the opening post goes only with its thread); its reports close."""
    _require_moderator(actor, post.thread.category)
    reason = _clean_reason(reason)
    post.refresh_from_db(fields=["deleted_at"])
    if post.is_deleted:
        return
    post_services.delete_post(post=post, actor=actor)
    _close_reports(post.reports.all(), actor, Report.Outcome.RESOLVED)
    record_action(actor, Kind.DELETE_POST, thread=post.thread, post=post, reason=reason)


@transaction.atomic
def restore_post(*, post: Post, actor, reason: str = "") -> None:
    _require_moderator(actor, post.thread.category)
    reason = _clean_reason(reason)
    post.refresh_from_db(fields=["deleted_at"])
    if not post.is_deleted:
        return
    post_services.restore_post(post=post, actor=actor)
    record_action(actor, Kind.RESTORE_POST, thread=post.thread, post=post, reason=reason)


# Posts held for approval ----------------------------------------------------------------


@transaction.atomic
def approve_post(*, post: Post, actor) -> None:
    """Publish a held post (a held thread's opening post publishes the thread)."""
    _require_moderator(actor, post.thread.category)
    post.refresh_from_db(fields=["held_at"])
    if not post.is_held:
        return  # a resent form, or another moderator was quicker
    opens_thread = post.thread.is_held
    post_services.approve_post(post=post)
    kind = Kind.APPROVE_THREAD if opens_thread else Kind.APPROVE_POST
    record_action(actor, kind, thread=post.thread, post=post, author=post.author.username)


@transaction.atomic
def reject_post(*, post: Post, actor, reason: str = "") -> None:
    """Refuse a held post: it is deleted and stays held, so it never counted and never will
    unless a moderator restores it (back into the queue). A held thread goes with its post."""
    _require_moderator(actor, post.thread.category)
    reason = _clean_reason(reason)
    post.refresh_from_db(fields=["held_at", "deleted_at"])
    if not post.is_held or post.is_deleted:
        raise ServiceError(_("This post is not awaiting approval."))
    thread = post.thread
    if thread.is_held:
        thread_services.delete_thread(thread=thread, actor=actor)
        kind = Kind.REJECT_THREAD
    else:
        post_services.delete_post(post=post, actor=actor)
        kind = Kind.REJECT_POST
    record_action(actor, kind, thread=thread, post=post, reason=reason, author=post.author.username)


# Reports --------------------------------------------------------------------------------


def can_report(user, post: Post) -> bool:
    """Members report others' posts that are still shown; the page offers what this allows."""
    return bool(user.is_authenticated and post.author_id != user.pk and not post.is_deleted)


@transaction.atomic
def report_post(*, reporter, post: Post, reason: str) -> Report:
    """`post` comes from rules.get_post_for(reporter, …): one the reporter may see."""
    reason = _clean_reason(reason)
    if not reason:
        raise ServiceError(_("Say what is wrong with this post."))
    if not can_report(reporter, post):
        raise PermissionDenied
    already = _("You have reported this post already: a moderator will look at it.")
    if Report.objects.filter(post=post, reporter=reporter, closed_at__isnull=True).exists():
        raise ServiceError(already)
    try:
        with transaction.atomic():
            return Report.objects.create(post=post, reporter=reporter, reason=reason)
    except IntegrityError:  # the same report sent twice at once
        raise ServiceError(already) from None


@transaction.atomic
def close_report(*, report: Report, actor, outcome: str) -> None:
    """Resolve (acted upon) or dismiss (nothing wrong) an open report."""
    if outcome not in Report.Outcome.values:
        raise ServiceError(_("Unknown outcome: %(outcome)s.") % {"outcome": outcome})
    post = report.post
    _require_moderator(actor, post.thread.category)
    report.refresh_from_db(fields=["closed_at"])
    if not report.is_open:
        raise ServiceError(_("This report has been dealt with already."))
    report.closed_at, report.closed_by, report.outcome = timezone.now(), actor, outcome
    report.save(update_fields=["closed_at", "closed_by", "outcome"])
    kind = Kind.RESOLVE_REPORT if outcome == Report.Outcome.RESOLVED else Kind.DISMISS_REPORT
    record_action(actor, kind, thread=post.thread, post=post, reporter=report.reporter.username)


# Announcements --------------------------------------------------------------------------


@transaction.atomic
def publish_announcement(
    *,
    actor,
    title: str,
    body: str,
    category: Category | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> Announcement:
    _require_admin(actor)
    announcement = forum_services.create_announcement(
        title=title,
        body=body,
        category=category,
        author=actor,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    record_action(actor, Kind.CREATE_ANNOUNCEMENT, title=announcement.title)
    return announcement


@transaction.atomic
def update_announcement(
    *,
    announcement: Announcement,
    actor,
    title: str,
    body: str,
    category: Category | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
) -> Announcement:
    _require_admin(actor)
    forum_services.update_announcement(
        announcement,
        title=title,
        body=body,
        category=category,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    record_action(actor, Kind.UPDATE_ANNOUNCEMENT, title=announcement.title)
    return announcement


@transaction.atomic
def remove_announcement(*, announcement: Announcement, actor) -> None:
    _require_admin(actor)
    title = announcement.title
    forum_services.delete_announcement(announcement)
    record_action(actor, Kind.DELETE_ANNOUNCEMENT, title=title)
