"""check_reply and check_start_thread: what a member's posting goes through."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from djemaa.core.errors import ServiceError
from djemaa.permissions import rules
from djemaa.posts import services as post_services
from djemaa.posts.models import Draft, Post
from djemaa.threads import services
from djemaa.threads.models import ReadPosition, Thread


@pytest.fixture(autouse=True)
def in_english():
    # Messages are compared with their msgids; a page test may have left another language on.
    with translation.override("en"):
        yield


def test_an_empty_reply_is_refused(make_thread, make_member):
    thread = make_thread()

    with pytest.raises(ServiceError, match="A post cannot be empty."):
        services.check_reply(user=make_member(), thread=thread, source=" \n ")

    assert thread.posts.count() == 1


def test_guests_are_asked_to_log_in_to_reply(make_thread):
    with pytest.raises(ServiceError, match="Log in to reply."):
        services.check_reply(user=AnonymousUser(), thread=make_thread(), source="Hello")


def test_a_reply_to_a_locked_thread_is_refused(make_thread, make_member):
    thread = make_thread(is_locked=True)

    with pytest.raises(ServiceError, match="This thread is locked: no new replies can be posted."):
        services.check_reply(user=make_member(), thread=thread, source="Hello")

    assert thread.posts.count() == 1


def test_a_reply_in_a_forum_the_member_may_not_write_in_is_refused(
    make_thread, make_member, monkeypatch
):
    thread = make_thread()
    monkeypatch.setattr(rules, "can_reply", lambda user, thread: False)

    with pytest.raises(ServiceError, match="You cannot reply in this forum."):
        services.check_reply(user=make_member(), thread=thread, source="Hello")


def test_a_moderator_may_reply_to_a_locked_thread(make_thread, make_member):
    thread = make_thread(is_locked=True)

    post = services.check_reply(user=make_member(is_admin=True), thread=thread, source="Closed.")

    assert post.number == 2


def test_a_reply_is_numbered_counted_read_by_its_author_and_ends_the_draft(
    make_thread, make_member
):
    thread = make_thread()
    member = make_member()
    first = thread.posts.get()
    post_services.save_draft(author=member, category=thread.category, thread=thread, source="x")

    post = services.check_reply(user=member, thread=thread, source="Bien dit.", reply_to=first)

    thread.refresh_from_db()
    member.refresh_from_db()
    assert (post.number, post.reply_to, post.author) == (2, first, member)
    assert thread.post_count == 2 and thread.last_post == post
    assert member.post_count == 1
    assert ReadPosition.objects.get(user=member, thread=thread).last_read_number == 2
    assert not Draft.objects.filter(author=member).exists()


def test_sending_the_same_reply_form_twice_posts_once(make_thread, make_member):
    thread = make_thread()
    member = make_member()

    first = services.check_reply(user=member, thread=thread, source="Once", submission_token="t1")
    again = services.check_reply(user=member, thread=thread, source="Once", submission_token="t1")

    assert again == first
    assert thread.posts.count() == 2


def test_a_submission_that_loses_the_race_gets_the_winners_post(
    make_thread, make_member, monkeypatch
):
    thread = make_thread()
    member = make_member()
    winner = services.check_reply(user=member, thread=thread, source="Hi", submission_token="t")
    # As if the first check ran before the winner committed: the unique constraint decides.
    real_lookup = post_services.submitted_post
    calls = []

    def late_lookup(author, token):
        calls.append(token)
        return None if len(calls) == 1 else real_lookup(author, token)

    monkeypatch.setattr(post_services, "submitted_post", late_lookup)

    again = services.check_reply(user=member, thread=thread, source="Hi", submission_token="t")

    assert again == winner
    thread.refresh_from_db()
    assert thread.post_count == 2 and thread.last_number == 2


def test_a_new_thread_without_a_title_is_refused(make_forum, make_member):
    with pytest.raises(ServiceError, match="A thread needs a title."):
        services.check_start_thread(
            user=make_member(), category=make_forum(), title=" ", source="Text"
        )


def test_guests_are_asked_to_log_in_to_start_a_thread(make_forum):
    with pytest.raises(ServiceError, match="Log in to start a thread."):
        services.check_start_thread(
            user=AnonymousUser(), category=make_forum(), title="T", source="Text"
        )


def test_no_thread_goes_straight_into_a_top_level_category(make_forum, make_member):
    category = make_forum().parent

    with pytest.raises(ServiceError, match="not directly in a top-level category"):
        services.check_start_thread(user=make_member(), category=category, title="T", source="x")


def test_a_new_thread_in_a_forum_the_member_may_not_write_in_is_refused(
    make_forum, make_member, monkeypatch
):
    monkeypatch.setattr(rules, "can_start_thread", lambda user, category: False)

    with pytest.raises(ServiceError, match="You cannot start a thread in this forum."):
        services.check_start_thread(
            user=make_member(), category=make_forum(), title="T", source="Text"
        )


def test_a_new_thread_opens_with_its_first_post_once_and_ends_the_draft(make_forum, make_member):
    forum = make_forum()
    member = make_member()
    post_services.save_draft(author=member, category=forum, title="Draft", source="x")

    thread = services.check_start_thread(
        user=member, category=forum, title="Salam", source="Texte", submission_token="n1"
    )
    again = services.check_start_thread(
        user=member, category=forum, title="Salam", source="Texte", submission_token="n1"
    )

    assert again == thread
    assert Thread.objects.filter(category=forum).count() == 1
    assert Post.objects.get(thread=thread).number == 1
    assert ReadPosition.objects.get(user=member, thread=thread).last_read_number == 1
    assert not Draft.objects.filter(author=member).exists()


def test_a_reply_reads_the_forums_it_counts_in_before_it_writes(
    make_forum, make_thread, make_member
):
    sub_forum = make_forum(parent=make_forum())
    # As the view has it: the forum, not the forums above it.
    thread = Thread.objects.select_related("category").get(pk=make_thread(category=sub_forum).pk)

    with CaptureQueriesContext(connection) as queries:
        services.check_reply(user=make_member(), thread=thread, source="Hello")

    statements = [query["sql"] for query in queries.captured_queries]
    first_write = next(i for i, sql in enumerate(statements) if sql.startswith("UPDATE"))
    assert not [
        sql
        for sql in statements[first_write:]
        if sql.startswith("SELECT") and 'FROM "forums_category"' in sql
    ]


def test_a_reading_position_is_created_then_only_moves_forward(make_thread, make_member):
    thread = make_thread()
    member = make_member()

    services.mark_read(member, thread, 3)
    services.mark_read(member, thread, 2)
    assert ReadPosition.objects.get(user=member, thread=thread).last_read_number == 3

    services.mark_read(member, thread, 5)
    assert ReadPosition.objects.get(user=member, thread=thread).last_read_number == 5
    assert ReadPosition.objects.filter(thread=thread).count() == 1
