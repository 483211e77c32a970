from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from djemaa.core.errors import ServiceError
from djemaa.forums.models import Announcement
from djemaa.moderation import services
from djemaa.moderation.models import ModerationAction, Report, ThreadRedirect
from djemaa.posts.models import Draft, Post
from djemaa.posts.services import save_draft
from djemaa.posts.tests.test_services import assert_counters_are_exact
from djemaa.threads.models import ReadPosition, Thread
from djemaa.threads.services import delete_thread, mark_read

Kind = ModerationAction.Kind


def _numbers_by_source(thread: Thread) -> list[tuple[int, str]]:
    return list(thread.posts.order_by("number").values_list("number", "source"))


def _last_action() -> ModerationAction:
    return ModerationAction.objects.order_by("-pk").first()


# Pin and lock ----------------------------------------------------------------------------


def test_pinning_is_for_moderators_only(make_thread, make_member):
    thread = make_thread()
    with pytest.raises(PermissionDenied):
        services.set_pinned(thread=thread, actor=make_member(), pinned=True)
    thread.refresh_from_db()
    assert not thread.is_pinned
    assert not ModerationAction.objects.exists()


def test_a_reason_longer_than_the_limit_is_refused(make_thread, moderator):
    with pytest.raises(ServiceError):
        services.set_pinned(thread=make_thread(), actor=moderator, pinned=True, reason="x" * 1001)


def test_a_moderator_pins_and_unpins_a_thread_and_the_log_says_so(make_thread, moderator):
    thread = make_thread()
    services.set_pinned(thread=thread, actor=moderator, pinned=True, reason="Utile à tous")
    thread.refresh_from_db()
    assert thread.is_pinned
    action = _last_action()
    assert (action.kind, action.actor, action.thread, action.reason) == (
        Kind.PIN,
        moderator,
        thread,
        "Utile à tous",
    )
    services.set_pinned(thread=thread, actor=moderator, pinned=False)
    thread.refresh_from_db()
    assert not thread.is_pinned
    assert _last_action().kind == Kind.UNPIN


def test_pinning_a_pinned_thread_again_changes_and_logs_nothing(make_thread, moderator):
    thread = make_thread(is_pinned=True)
    services.set_pinned(thread=thread, actor=moderator, pinned=True)
    assert not ModerationAction.objects.exists()


def test_locking_is_for_moderators_only(make_thread, make_member):
    with pytest.raises(PermissionDenied):
        services.set_locked(thread=make_thread(), actor=make_member(), locked=True)


def test_a_moderator_locks_and_unlocks_a_thread(make_thread, moderator):
    thread = make_thread()
    services.set_locked(thread=thread, actor=moderator, locked=True)
    thread.refresh_from_db()
    assert thread.is_locked
    services.set_locked(thread=thread, actor=moderator, locked=False)
    thread.refresh_from_db()
    assert not thread.is_locked
    assert [a.kind for a in ModerationAction.objects.order_by("pk")] == [Kind.LOCK, Kind.UNLOCK]


# Rename ----------------------------------------------------------------------------------


def test_an_empty_or_overlong_title_is_refused(make_thread, moderator):
    thread = make_thread(title="Avant")
    for title in ["  ", "x" * 201]:
        with pytest.raises(ServiceError):
            services.rename_thread(thread=thread, actor=moderator, title=title)
    thread.refresh_from_db()
    assert thread.title == "Avant"


def test_renaming_is_for_moderators_only(make_thread, make_member):
    thread = make_thread(title="Avant")
    with pytest.raises(PermissionDenied):
        services.rename_thread(thread=thread, actor=make_member(), title="Après")


def test_renaming_changes_title_and_slug_and_keeps_the_old_title_in_the_log(make_thread, moderator):
    thread = make_thread(title="Recette du fraisier")
    services.rename_thread(thread=thread, actor=moderator, title="  Le   fraisier  ")
    thread.refresh_from_db()
    assert (thread.title, thread.slug) == ("Le fraisier", "le-fraisier")
    action = _last_action()
    assert action.details == {"title": "Le fraisier", "old_title": "Recette du fraisier"}


# Move ------------------------------------------------------------------------------------


def test_moving_into_the_same_forum_or_a_top_level_category_is_refused(
    make_thread, make_forum, moderator
):
    forum = make_forum()
    thread = make_thread(category=forum)
    with pytest.raises(ServiceError):
        services.move_thread(thread=thread, actor=moderator, category=forum)
    with pytest.raises(ServiceError):
        services.move_thread(thread=thread, actor=moderator, category=forum.parent)


def test_moving_is_for_moderators_only(make_thread, make_forum, make_member):
    with pytest.raises(PermissionDenied):
        services.move_thread(thread=make_thread(), actor=make_member(), category=make_forum())


def test_moving_a_thread_moves_the_counters_of_both_subtrees(
    make_thread, make_forum, make_post, moderator
):
    source, target = make_forum(), make_forum()
    thread = make_thread(category=source)
    make_post(thread)
    make_thread(category=source)
    services.move_thread(thread=thread, actor=moderator, category=target, reason="Hors sujet")
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.thread_count, source.post_count) == (1, 1)
    assert (target.thread_count, target.post_count, target.last_post) == (1, 2, thread.last_post)
    assert_counters_are_exact()
    action = _last_action()
    assert action.details["from_forum"] == source.title
    assert action.details["to_forum"] == target.title


def test_moving_a_deleted_thread_leaves_the_counters_exact(make_thread, make_forum, moderator):
    thread = make_thread()
    delete_thread(thread=thread, actor=moderator)
    services.move_thread(thread=thread, actor=moderator, category=make_forum())
    assert_counters_are_exact()


# Merge -----------------------------------------------------------------------------------


def test_a_thread_cannot_be_merged_into_itself(make_thread, moderator):
    thread = make_thread()
    with pytest.raises(ServiceError):
        services.merge_threads(source=thread, target=thread, actor=moderator)


def test_a_deleted_thread_cannot_be_merged(make_thread, moderator):
    source, target = make_thread(), make_thread()
    delete_thread(thread=source, actor=moderator)
    with pytest.raises(ServiceError):
        services.merge_threads(source=source, target=target, actor=moderator)


def test_merging_is_for_moderators_only(make_thread, make_member):
    source, target = make_thread(), make_thread()
    with pytest.raises(PermissionDenied):
        services.merge_threads(source=source, target=target, actor=make_member())
    assert Thread.objects.filter(pk=source.pk).exists()


def test_merging_interleaves_the_posts_by_time_and_keeps_their_ids(
    thread_at, make_forum, moderator
):
    target = thread_at(0, 20, 40, category=make_forum())
    source = thread_at(10, 30, category=make_forum())
    source_ids = set(source.posts.values_list("pk", flat=True))
    opening = target.posts.get(number=1)

    merged = services.merge_threads(source=source, target=target, actor=moderator, reason="Doublon")

    assert merged == target
    assert not Thread.objects.filter(pk=source.pk).exists()
    assert [source for _n, source in _numbers_by_source(target)] == [
        "Premier message.",
        "Premier message.",
        "À 20 min",
        "À 30 min",
        "À 40 min",
    ]
    assert [n for n, _s in _numbers_by_source(target)] == [1, 2, 3, 4, 5]
    assert source_ids <= set(target.posts.values_list("pk", flat=True))
    target.refresh_from_db()
    assert (target.post_count, target.last_number) == (5, 5)
    assert (target.author, target.created_at) == (opening.author, opening.created_at)
    assert ThreadRedirect.objects.get(old_thread_id=source.pk).target == target
    assert_counters_are_exact()
    action = _last_action()
    assert (action.kind, action.thread, action.reason) == (Kind.MERGE, target, "Doublon")
    assert action.details["source_title"] == source.title
    assert action.details["posts"] == 2


def test_merging_carries_deleted_posts_and_holes_and_keeps_counters_exact(
    thread_at, make_post, moderator
):
    target = thread_at(0, 5, 50)
    source = thread_at(10, 20, 30)
    deleted = source.posts.get(number=2)
    services.delete_post(post=deleted, actor=moderator)
    target_hole = target.posts.get(number=2)
    services.delete_post(post=target_hole, actor=moderator)

    services.merge_threads(source=source, target=target, actor=moderator)

    deleted.refresh_from_db()
    assert deleted.thread == target and deleted.is_deleted
    assert [n for n, _s in _numbers_by_source(target)] == [1, 2, 3, 4, 5, 6]
    assert_counters_are_exact()


def test_earlier_redirects_follow_a_thread_merged_again(make_thread, moderator):
    first, second, third = make_thread(), make_thread(), make_thread()
    services.merge_threads(source=first, target=second, actor=moderator)
    services.merge_threads(source=second, target=third, actor=moderator)
    assert dict(ThreadRedirect.objects.values_list("old_thread_id", "target_id")) == {
        first.pk: third.pk,
        second.pk: third.pk,
    }


def test_merging_keeps_read_positions_on_the_posts_readers_had_reached(
    thread_at, make_member, moderator
):
    target = thread_at(0, 20, 40)
    source = thread_at(10, 30)
    reader_of_target, reader_of_source, reader_of_both = make_member(), make_member(), make_member()
    mark_read(reader_of_target, target, 2)  # up to "20 min"
    mark_read(reader_of_source, source, 2)  # up to "30 min"
    mark_read(reader_of_both, target, 1)
    mark_read(reader_of_both, source, 1)  # up to "10 min"

    services.merge_threads(source=source, target=target, actor=moderator)

    positions = dict(
        ReadPosition.objects.filter(thread=target).values_list("user_id", "last_read_number")
    )
    # Merged order: 0 (#1), 10 (#2), 20 (#3), 30 (#4), 40 (#5).
    assert positions == {reader_of_target.pk: 3, reader_of_source.pk: 4, reader_of_both.pk: 2}


# Split -----------------------------------------------------------------------------------


def test_splitting_without_posts_or_with_the_first_post_is_refused(make_thread, moderator):
    thread = make_thread()
    first = thread.posts.get()
    for post_ids in [[], [first.pk]]:
        with pytest.raises(ServiceError):
            services.split_thread(
                thread=thread,
                actor=moderator,
                post_ids=post_ids,
                title="Nouveau",
                category=thread.category,
            )


def test_splitting_posts_of_another_thread_is_refused(make_thread, make_post, moderator):
    thread = make_thread()
    elsewhere = make_post(make_thread())
    with pytest.raises(ServiceError):
        services.split_thread(
            thread=thread,
            actor=moderator,
            post_ids=[elsewhere.pk],
            title="Nouveau",
            category=thread.category,
        )


def test_splitting_is_for_moderators_only(make_thread, make_post, make_member):
    thread = make_thread()
    reply = make_post(thread)
    with pytest.raises(PermissionDenied):
        services.split_thread(
            thread=thread,
            actor=make_member(),
            post_ids=[reply.pk],
            title="Nouveau",
            category=thread.category,
        )


def test_splitting_moves_the_chosen_posts_into_a_new_numbered_thread(
    thread_at, make_forum, make_post, make_member, moderator
):
    thread = thread_at(0, 10, 20, 30, 40)
    posts = {post.number: post for post in thread.posts.all()}
    answer = posts[4]
    Post.objects.filter(pk=answer.pk).update(reply_to=posts[2])  # #4 answers #2
    Post.objects.filter(pk=posts[5].pk).update(reply_to=posts[3])  # #5 answers #3
    reader = make_member()
    mark_read(reader, thread, 4)
    elsewhere = make_forum()

    new = services.split_thread(
        thread=thread,
        actor=moderator,
        post_ids=[posts[4].pk, posts[2].pk],
        title="Une discussion à part",
        category=elsewhere,
    )

    assert (new.title, new.category, new.author) == (
        "Une discussion à part",
        elsewhere,
        posts[2].author,
    )
    assert [(n, s) for n, s in _numbers_by_source(new)] == [(1, "À 10 min"), (2, "À 30 min")]
    assert Post.objects.get(pk=posts[4].pk).reply_to == posts[2]  # still in the same thread
    assert Post.objects.get(pk=posts[5].pk).reply_to == posts[3]
    assert [n for n, _s in _numbers_by_source(thread)] == [1, 3, 5]  # numbers are never reused
    assert ReadPosition.objects.get(user=reader, thread=new).last_read_number == 2
    assert ReadPosition.objects.get(user=reader, thread=thread).last_read_number == 4
    assert_counters_are_exact()
    assert _last_action().kind == Kind.SPLIT


def test_a_reply_split_away_from_the_post_it_answers_loses_the_link(
    make_thread, make_post, moderator
):
    thread = make_thread()
    question = make_post(thread)
    answer = make_post(thread, reply_to=question)
    new = services.split_thread(
        thread=thread,
        actor=moderator,
        post_ids=[answer.pk],
        title="Réponse seule",
        category=thread.category,
    )
    answer.refresh_from_db()
    assert (answer.thread, answer.reply_to) == (new, None)


# Delete and restore ----------------------------------------------------------------------


def test_the_first_post_cannot_be_deleted_alone(make_thread, moderator):
    thread = make_thread()
    with pytest.raises(ServiceError):
        services.delete_post(post=thread.posts.get(), actor=moderator)


def test_deleting_posts_is_for_moderators_here(make_thread, make_post, make_member):
    reply = make_post(make_thread())
    with pytest.raises(PermissionDenied):
        services.delete_post(post=reply, actor=make_member())


def test_deleting_a_post_closes_its_reports_and_restoring_brings_it_back(
    make_thread, make_post, make_member, moderator
):
    thread = make_thread()
    reply = make_post(thread)
    report = services.report_post(reporter=make_member(), post=reply, reason="Insultant")

    services.delete_post(post=reply, actor=moderator, reason="Insultes")
    reply.refresh_from_db()
    report.refresh_from_db()
    assert reply.is_deleted
    assert (report.outcome, report.closed_by) == (Report.Outcome.RESOLVED, moderator)
    assert_counters_are_exact()

    services.restore_post(post=reply, actor=moderator)
    reply.refresh_from_db()
    assert not reply.is_deleted
    assert_counters_are_exact()
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.DELETE_POST, Kind.RESTORE_POST]


def test_deleting_and_restoring_a_thread_is_logged_and_keeps_counters_exact(
    make_thread, make_post, moderator
):
    thread = make_thread()
    make_post(thread)
    with pytest.raises(PermissionDenied):
        services.delete_thread(thread=thread, actor=thread.author)
    services.delete_thread(thread=thread, actor=moderator)
    thread.refresh_from_db()
    assert thread.deleted_at is not None
    assert_counters_are_exact()
    services.restore_thread(thread=thread, actor=moderator)
    thread.refresh_from_db()
    assert thread.deleted_at is None
    assert_counters_are_exact()
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.DELETE_THREAD, Kind.RESTORE_THREAD]


# Reports ---------------------------------------------------------------------------------


def test_a_report_needs_a_reason(make_thread, make_member):
    post = make_thread().posts.get()
    with pytest.raises(ServiceError):
        services.report_post(reporter=make_member(), post=post, reason="  ")


def test_members_cannot_report_their_own_posts_and_guests_none(make_thread):
    from django.contrib.auth.models import AnonymousUser

    thread = make_thread()
    post = thread.posts.get()
    for reporter in [thread.author, AnonymousUser()]:
        with pytest.raises(PermissionDenied):
            services.report_post(reporter=reporter, post=post, reason="Spam")


def test_a_member_has_one_open_report_per_post(make_thread, make_member, moderator):
    post = make_thread().posts.get()
    reporter = make_member()
    first = services.report_post(reporter=reporter, post=post, reason="Spam")
    with pytest.raises(ServiceError):
        services.report_post(reporter=reporter, post=post, reason="Encore du spam")
    services.close_report(report=first, actor=moderator, outcome=Report.Outcome.DISMISSED)
    services.report_post(reporter=reporter, post=post, reason="Il recommence")
    assert Report.objects.filter(post=post, reporter=reporter).count() == 2


def test_closing_a_report_checks_outcome_permission_and_state(make_thread, make_member, moderator):
    post = make_thread().posts.get()
    report = services.report_post(reporter=make_member(), post=post, reason="Spam")
    with pytest.raises(ServiceError):
        services.close_report(report=report, actor=moderator, outcome="ignored")
    with pytest.raises(PermissionDenied):
        services.close_report(report=report, actor=make_member(), outcome="resolved")
    services.close_report(report=report, actor=moderator, outcome="resolved")
    report.refresh_from_db()
    assert not report.is_open
    assert _last_action().kind == Kind.RESOLVE_REPORT
    with pytest.raises(ServiceError):
        services.close_report(report=report, actor=moderator, outcome="dismissed")


# Announcements ---------------------------------------------------------------------------


def _announcement_fields(**changes):
    now = timezone.now()
    fields = {
        "title": "Maintenance",
        "body": "Le forum fermera **une heure**.",
        "category": None,
        "starts_at": now,
        "ends_at": now + timedelta(days=1),
    }
    return {**fields, **changes}


def test_an_announcement_must_end_after_it_starts(moderator):
    now = timezone.now()
    with pytest.raises(ServiceError):
        services.publish_announcement(
            actor=moderator, **_announcement_fields(starts_at=now, ends_at=now)
        )
    assert not Announcement.objects.exists()


def test_announcements_are_for_administrators_only(make_member):
    with pytest.raises(PermissionDenied):
        services.publish_announcement(actor=make_member(), **_announcement_fields())


def test_an_administrator_publishes_edits_and_removes_an_announcement(make_forum, moderator):
    announcement = services.publish_announcement(actor=moderator, **_announcement_fields())
    assert "<strong>une heure</strong>" in announcement.body_html
    forum = make_forum()
    services.update_announcement(
        announcement=announcement,
        actor=moderator,
        **_announcement_fields(title="Maintenance reportée", body="Demain.", category=forum),
    )
    announcement.refresh_from_db()
    assert (announcement.title, announcement.category) == ("Maintenance reportée", forum)
    assert "Demain." in announcement.body_html
    with pytest.raises(ServiceError):
        services.update_announcement(
            announcement=announcement, actor=moderator, **_announcement_fields(title=" ")
        )
    services.remove_announcement(announcement=announcement, actor=moderator)
    assert not Announcement.objects.exists()
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.CREATE_ANNOUNCEMENT, Kind.UPDATE_ANNOUNCEMENT, Kind.DELETE_ANNOUNCEMENT]


def test_replies_being_written_in_a_merged_thread_carry_over(make_thread, make_member, moderator):
    source, target = make_thread(), make_thread()
    writer, busy = make_member(), make_member()
    for author, thread, text in [
        (writer, source, "Je pense"),
        (busy, source, "Ici"),
        (busy, target, "Là"),
    ]:
        save_draft(author=author, category=thread.category, thread=thread, source=text)

    services.merge_threads(source=source, target=target, actor=moderator)

    drafts = dict(Draft.objects.filter(thread=target).values_list("author_id", "source"))
    assert drafts == {writer.pk: "Je pense", busy.pk: "Là\n\nIci"}


def test_a_merged_thread_is_started_by_the_author_of_its_oldest_post(thread_at, moderator):
    target = thread_at(30, 40)
    source = thread_at(0, 50)
    services.merge_threads(source=source, target=target, actor=moderator)
    target.refresh_from_db()
    opening = target.posts.get(number=1)
    assert opening.author == source.author
    assert (target.author, target.created_at) == (source.author, opening.created_at)
    assert_counters_are_exact()
