"""New members' posts held for approval (DJEMAA_HOLD_FIRST_POSTS): who is held, who sees a held
post, the counters, approving and rejecting, the queue and the thread page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from djemaa.core.errors import ServiceError
from djemaa.forums.models import Category
from djemaa.moderation import services
from djemaa.moderation.models import ModerationAction
from djemaa.permissions import rules
from djemaa.posts.models import Post
from djemaa.posts.services import create_post, delete_post
from djemaa.posts.tests.test_services import assert_counters_are_exact
from djemaa.threads.models import Thread
from djemaa.threads.services import check_reply, check_start_thread

Kind = ModerationAction.Kind
FRAGMENT = {"HTTP_X_DJEMAA_FRAGMENT": "1"}
HELD_NOTE = "Your post will appear to others once a moderator approves it."


@pytest.fixture(autouse=True)
def hold_two_first_posts(settings):
    settings.DJEMAA_HOLD_FIRST_POSTS = 2
    settings.DJEMAA_NEW_MEMBER_POSTS_PER_HOUR = 0  # rates are another rule
    # A page read by an earlier test may leave its language active in this thread.
    with override("en"):
        yield


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def signed_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def newcomer(make_member):
    return make_member(username="Nouvelle", language="en")


@pytest.fixture
def held_reply(make_thread, newcomer):
    thread = make_thread(title="Sujet ouvert")
    return check_reply(user=newcomer, thread=thread, source="Bonjour à tous")


# Who is held -----------------------------------------------------------------------------


def test_nothing_is_held_when_the_setting_is_zero(settings, make_thread, newcomer):
    settings.DJEMAA_HOLD_FIRST_POSTS = 0
    post = check_reply(user=newcomer, thread=make_thread(), source="x")
    assert not post.is_held


def test_a_members_first_posts_are_held_until_enough_are_approved(make_thread, newcomer, moderator):
    thread = make_thread()
    held = []
    for source in ("Un", "Deux", "Trois"):
        post = check_reply(user=fresh(newcomer), thread=thread, source=source)
        held.append(post.is_held)
        services.approve_post(post=post, actor=moderator)
    assert held == [True, True, False]


def test_moderators_and_forum_moderators_are_never_held(make_forum, make_member, moderator):
    forum = make_forum()
    keeper = make_member()
    Group.objects.get(name="moderators").user_set.add(keeper)
    assert not rules.posts_are_held(moderator, forum)
    assert not rules.posts_are_held(fresh(keeper), forum)
    assert not rules.posts_are_held(AnonymousUser(), forum)
    assert rules.posts_are_held(make_member(), forum)


# Who sees a held post --------------------------------------------------------------------


def test_a_held_reply_is_seen_by_its_author_and_moderators_only(held_reply, newcomer, moderator):
    assert rules.get_post_for(fresh(newcomer), held_reply.pk) == held_reply
    assert rules.get_post_for(fresh(moderator), held_reply.pk) == held_reply
    for other in (AnonymousUser(), held_reply.thread.author):
        with pytest.raises(Http404):
            rules.get_post_for(other, held_reply.pk)


def test_a_new_thread_whose_first_post_is_held_is_held_with_it(make_forum, newcomer, moderator):
    forum = make_forum()
    thread = check_start_thread(user=newcomer, category=forum, title="Nouveau", source="x")
    assert thread.is_held and thread.posts.get().is_held
    assert rules.get_thread_for(fresh(newcomer), thread.pk) == thread
    assert rules.get_thread_for(fresh(moderator), thread.pk) == thread
    with pytest.raises(Http404):
        rules.get_thread_for(AnonymousUser(), thread.pk)
    # Nobody replies to a thread before it is approved, its author and moderators included.
    assert not rules.can_reply(fresh(newcomer), thread)
    assert not rules.can_reply(fresh(moderator), thread)


# Counters ------------------------------------------------------------------------------


def test_a_held_reply_counts_nowhere_and_keeps_its_number(held_reply, newcomer):
    thread = Thread.objects.get(pk=held_reply.thread_id)
    forum = Category.objects.get(pk=thread.category_id)
    assert (held_reply.number, thread.last_number) == (2, 2)
    assert (thread.post_count, thread.last_post.number) == (1, 1)
    assert (forum.post_count, forum.last_post_id) == (1, thread.last_post_id)
    assert fresh(newcomer).post_count == 0
    assert_counters_are_exact()


def test_a_held_thread_counts_in_no_forum(make_forum, newcomer):
    forum = make_forum()
    check_start_thread(user=newcomer, category=forum, title="Nouveau", source="x")
    forum.refresh_from_db()
    assert (forum.thread_count, forum.post_count, forum.last_post_id) == (0, 0, None)
    assert_counters_are_exact()


def test_deleting_and_restoring_a_held_post_or_thread_keeps_counters_exact(
    held_reply, make_forum, newcomer, moderator
):
    delete_post(post=held_reply, actor=newcomer)
    assert_counters_are_exact()
    services.restore_post(post=held_reply, actor=moderator)
    assert_counters_are_exact()
    forum = make_forum()
    thread = check_start_thread(user=fresh(newcomer), category=forum, title="N", source="x")
    services.delete_thread(thread=thread, actor=fresh(moderator))
    assert_counters_are_exact()
    services.restore_thread(thread=thread, actor=fresh(moderator))
    assert_counters_are_exact()


# Approving -------------------------------------------------------------------------------


def test_only_moderators_of_the_forum_approve(held_reply, make_member):
    with pytest.raises(PermissionDenied):
        services.approve_post(post=held_reply, actor=make_member())
    held_reply.refresh_from_db()
    assert held_reply.is_held and not ModerationAction.objects.exists()


def test_approving_a_reply_makes_it_count_as_if_posted_then(held_reply, newcomer, moderator):
    thread = held_reply.thread
    later = create_post(thread=thread, author=thread.author, source="Entre-temps")

    services.approve_post(post=held_reply, actor=moderator)

    held_reply.refresh_from_db()
    thread.refresh_from_db()
    assert not held_reply.is_held and held_reply.number == 2 and later.number == 3
    assert held_reply.created_at > later.created_at
    assert (thread.post_count, thread.last_post_id) == (3, held_reply.pk)
    assert thread.last_activity_at == held_reply.created_at
    assert fresh(newcomer).post_count == 1
    assert Category.objects.get(pk=thread.category_id).last_post_id == held_reply.pk
    assert rules.get_post_for(AnonymousUser(), held_reply.pk) == held_reply
    action = ModerationAction.objects.get()
    assert (action.kind, action.actor, action.post, action.details["author"]) == (
        Kind.APPROVE_POST,
        moderator,
        held_reply,
        "Nouvelle",
    )
    assert_counters_are_exact()


def test_approving_twice_does_nothing_the_second_time(held_reply, moderator):
    services.approve_post(post=held_reply, actor=moderator)
    services.approve_post(post=held_reply, actor=moderator)
    assert ModerationAction.objects.count() == 1
    assert_counters_are_exact()


def test_a_deleted_held_post_is_restored_before_it_is_approved(held_reply, newcomer, moderator):
    delete_post(post=held_reply, actor=newcomer)
    with pytest.raises(ServiceError):
        services.approve_post(post=held_reply, actor=moderator)
    assert_counters_are_exact()


def test_approving_a_held_threads_first_post_publishes_the_thread(make_forum, newcomer, moderator):
    forum = make_forum()
    thread = check_start_thread(user=newcomer, category=forum, title="Nouveau", source="x")

    services.approve_post(post=thread.posts.get(), actor=moderator)

    thread.refresh_from_db()
    forum.refresh_from_db()
    assert not thread.is_held and thread.post_count == 1
    assert (forum.thread_count, forum.post_count) == (1, 1)
    assert rules.get_thread_for(AnonymousUser(), thread.pk) == thread
    assert ModerationAction.objects.get().kind == Kind.APPROVE_THREAD
    assert_counters_are_exact()


# Rejecting -------------------------------------------------------------------------------


def test_a_post_that_is_not_held_cannot_be_rejected(make_thread, moderator):
    post = make_thread().posts.get()
    with pytest.raises(ServiceError):
        services.reject_post(post=post, actor=moderator)
    assert Post.objects.filter(pk=post.pk).exists()


def test_only_moderators_reject_and_a_reason_has_a_limit(held_reply, make_member, moderator):
    with pytest.raises(PermissionDenied):
        services.reject_post(post=held_reply, actor=make_member())
    with pytest.raises(ServiceError):
        services.reject_post(post=held_reply, actor=moderator, reason="x" * 1001)
    assert Post.objects.filter(pk=held_reply.pk).exists()


def test_rejecting_a_reply_deletes_it_for_good_and_logs_why(held_reply, newcomer, moderator):
    thread = held_reply.thread
    services.reject_post(post=held_reply, actor=moderator, reason="Publicité")
    held_reply.refresh_from_db()
    assert held_reply.is_deleted and held_reply.is_held
    with pytest.raises(Http404):
        rules.get_post_for(fresh(newcomer), held_reply.pk)
    action = ModerationAction.objects.get()
    assert (action.kind, action.thread, action.post, action.reason) == (
        Kind.REJECT_POST,
        thread,
        held_reply,
        "Publicité",
    )
    with pytest.raises(ServiceError):
        services.reject_post(post=held_reply, actor=moderator)
    assert_counters_are_exact()


def test_a_rejected_post_restored_by_a_moderator_goes_back_to_the_queue(held_reply, moderator):
    services.reject_post(post=held_reply, actor=moderator)
    services.restore_post(post=held_reply, actor=moderator)
    held_reply.refresh_from_db()
    assert held_reply.is_held and not held_reply.is_deleted
    assert_counters_are_exact()


def test_rejecting_a_held_threads_first_post_deletes_the_thread(make_forum, newcomer, moderator):
    thread = check_start_thread(user=newcomer, category=make_forum(), title="Pub", source="x")
    services.reject_post(post=thread.posts.get(), actor=moderator)
    thread.refresh_from_db()
    assert thread.deleted_at is not None
    with pytest.raises(Http404):
        rules.get_thread_for(fresh(newcomer), thread.pk)
    action = ModerationAction.objects.get()
    assert (action.kind, action.thread, action.details["title"]) == (
        Kind.REJECT_THREAD,
        thread,
        "Pub",
    )
    assert_counters_are_exact()


# Pages -----------------------------------------------------------------------------------


def test_the_author_is_told_on_posting_and_sees_the_note_others_see_nothing(make_thread, newcomer):
    thread = make_thread()
    client = signed_in(newcomer)
    response = client.post(
        reverse("threads:reply", args=[thread.pk]),
        {"source": "Ma première réponse", "token": "t1"},
        follow=True,
    )
    page = response.content.decode()
    post = Post.objects.get(source="Ma première réponse")

    assert "Your post will appear once a moderator approves it." in page
    assert HELD_NOTE in page and "Awaiting approval" in page
    reader = signed_in(thread.author)
    assert "Ma première réponse" not in reader.get(thread.get_absolute_url()).content.decode()
    assert reader.get(reverse("posts:permalink", args=[post.pk])).status_code == 404
    assert Client().get(reverse("posts:permalink", args=[post.pk])).status_code == 404


def test_a_held_new_thread_is_announced_and_hidden_from_the_forum_page(make_forum, newcomer):
    forum = make_forum()
    response = signed_in(newcomer).post(
        reverse("threads:new", args=[forum.pk]),
        {"title": "Mon sujet caché", "source": "Texte", "token": "t2"},
        follow=True,
    )
    assert "Your post will appear once a moderator approves it." in response.content.decode()
    assert "Mon sujet caché" not in Client().get(forum.get_absolute_url()).content.decode()


def test_moderators_see_the_badge_and_the_buttons_on_the_thread_page(held_reply, client, moderator):
    client.force_login(moderator)
    page = client.get(held_reply.thread.get_absolute_url()).content.decode()
    assert "post-held" in page and "Awaiting approval" in page
    assert reverse("moderation:approve_post", args=[held_reply.pk]) in page
    assert reverse("moderation:reject_post", args=[held_reply.pk]) in page
    assert HELD_NOTE not in page


def test_the_queue_lists_held_posts_in_a_fixed_number_of_queries(
    make_thread, make_member, client, moderator, django_assert_num_queries
):
    def hold_some(count):
        for n in range(count):
            check_reply(user=make_member(), thread=make_thread(), source=f"En attente {n}")

    hold_some(2)
    client.force_login(moderator)
    url = reverse("moderation:held_posts")
    client.get(url)
    with django_assert_num_queries(7) as few:
        page = client.get(url).content.decode()
    assert "En attente 0" in page and "En attente 1" in page
    hold_some(4)
    with django_assert_num_queries(len(few.captured_queries)):
        assert "En attente 3" in client.get(url).content.decode()


def test_the_queue_is_a_404_for_members(client, newcomer):
    client.force_login(newcomer)
    assert client.get(reverse("moderation:held_posts")).status_code == 404


def test_approving_from_the_queue_with_a_plain_form(held_reply, client, moderator):
    client.force_login(moderator)
    queue = reverse("moderation:held_posts")
    response = client.post(
        reverse("moderation:approve_post", args=[held_reply.pk]), {"next": queue}
    )
    assert response.status_code == 302 and response.url == queue
    held_reply.refresh_from_db()
    assert not held_reply.is_held


def test_rejecting_from_the_queue_with_the_enhanced_request(held_reply, client, moderator):
    client.force_login(moderator)
    response = client.post(reverse("moderation:reject_post", args=[held_reply.pk]), **FRAGMENT)
    assert response.status_code == 200
    assert response.content.decode().startswith("The post is rejected")
    held_reply.refresh_from_db()
    assert held_reply.is_deleted


def test_approving_through_a_get_or_as_a_member_changes_nothing(held_reply, client, newcomer):
    url = reverse("moderation:approve_post", args=[held_reply.pk])
    client.force_login(newcomer)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404  # the author sees it but may not moderate
    held_reply.refresh_from_db()
    assert held_reply.is_held


# Merging and splitting around held posts ---------------------------------------------------


def test_a_held_thread_is_approved_before_it_is_merged(
    make_forum, make_thread, newcomer, moderator
):
    forum = make_forum()
    held = check_start_thread(user=newcomer, category=forum, title="N", source="x")
    other = make_thread(category=forum)
    for source, target in ((held, other), (other, held)):
        with pytest.raises(ServiceError, match="approval"):
            services.merge_threads(source=source, target=target, actor=fresh(moderator))
    assert_counters_are_exact()


def test_a_split_skips_held_posts_in_the_counts_and_never_opens_with_one(
    held_reply, make_member, moderator
):
    thread = held_reply.thread
    later = create_post(thread=thread, author=make_member(), source="Après")
    with pytest.raises(ServiceError, match="approval"):
        services.split_thread(
            thread=thread,
            actor=moderator,
            post_ids=[held_reply.pk],
            title="À part",
            category=thread.category,
        )
    # The held post is moved along with a published one that opens the new thread.
    Post.objects.filter(pk=held_reply.pk).update(created_at=later.created_at + timedelta(1))
    create_post(thread=thread, author=make_member(), source="Reste")  # keeps the last number
    new = services.split_thread(
        thread=thread,
        actor=moderator,
        post_ids=[later.pk, held_reply.pk],
        title="À part",
        category=thread.category,
    )
    assert new.post_count == 1
    assert Post.objects.get(pk=held_reply.pk).is_held
    assert_counters_are_exact()


def test_replying_to_a_held_thread_is_refused_with_the_reason(make_forum, newcomer):
    thread = check_start_thread(user=newcomer, category=make_forum(), title="N", source="x")
    with pytest.raises(ServiceError, match="once a moderator approves it"):
        check_reply(user=fresh(newcomer), thread=thread, source="Et encore")


def test_the_author_and_moderators_see_a_held_thread_in_the_list_with_a_badge(
    make_forum, newcomer, moderator
):
    forum = make_forum()
    check_start_thread(user=newcomer, category=forum, title="Mon sujet", source="x")
    for viewer in (newcomer, moderator):
        page = signed_in(viewer).get(forum.get_absolute_url()).content.decode()
        assert "Mon sujet" in page and "Awaiting approval" in page


def test_moving_a_held_thread_keeps_both_forums_counters_exact(make_forum, newcomer, moderator):
    forum, elsewhere = make_forum(), make_forum()
    thread = check_start_thread(user=newcomer, category=forum, title="N", source="x")
    services.move_thread(thread=thread, actor=fresh(moderator), category=elsewhere)
    assert_counters_are_exact()
