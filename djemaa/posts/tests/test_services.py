from datetime import timedelta

import pytest
from django.utils import timezone

from djemaa.core.errors import ServiceError
from djemaa.forums.models import Category
from djemaa.forums.services import repair_counters
from djemaa.posts import services
from djemaa.posts.models import Post, PostRevision
from djemaa.threads.models import Thread
from djemaa.threads.services import delete_thread, restore_thread


def counters_snapshot():
    """Every stored counter, to compare with what repair_counters rebuilds from scratch."""
    from django.contrib.auth import get_user_model

    return (
        sorted(Category.objects.values_list("pk", "thread_count", "post_count", "last_post_id")),
        sorted(
            Thread.objects.values_list(
                "pk", "post_count", "last_number", "last_post_id", "last_activity_at"
            )
        ),
        sorted(get_user_model().objects.values_list("pk", "post_count")),
    )


def assert_counters_are_exact():
    stored = counters_snapshot()
    repair_counters()
    assert counters_snapshot() == stored


def test_an_empty_post_is_refused(make_thread, make_member):
    thread = make_thread()
    with pytest.raises(ServiceError):
        services.create_post(author=make_member(), thread=thread, source="   \n ")
    assert thread.posts.count() == 1


def test_an_unknown_format_is_refused(make_thread, make_member):
    with pytest.raises(ServiceError):
        services.create_post(author=make_member(), thread=make_thread(), source="x", fmt="html")


def test_a_reply_to_a_post_of_another_thread_is_refused(make_thread, make_member):
    elsewhere = make_thread().posts.get()
    with pytest.raises(ServiceError):
        services.create_post(
            author=make_member(), thread=make_thread(), source="x", reply_to=elsewhere
        )


def test_posts_are_numbered_from_one_in_each_thread(make_thread, make_post):
    first, second = make_thread(), make_thread()
    make_post(first)
    make_post(first)
    make_post(second)
    assert list(first.posts.values_list("number", flat=True).order_by("number")) == [1, 2, 3]
    assert list(second.posts.values_list("number", flat=True).order_by("number")) == [1, 2]


def test_creating_posts_moves_every_counter(make_forum, make_thread, make_post, make_member):
    category = make_forum()
    sub_forum = make_forum(parent=category)
    author = make_member()
    thread = make_thread(category=sub_forum, author=author)
    reply = make_post(thread, author=author)

    thread.refresh_from_db()
    sub_forum.refresh_from_db()
    category.refresh_from_db()
    author.refresh_from_db()
    assert (thread.post_count, thread.reply_count, thread.last_post) == (2, 1, reply)
    assert (sub_forum.thread_count, sub_forum.post_count, sub_forum.last_post) == (1, 2, reply)
    assert (category.thread_count, category.post_count, category.last_post) == (1, 2, reply)
    assert category.parent.post_count == 2
    assert author.post_count == 2
    assert_counters_are_exact()


def test_deleting_the_last_post_gives_the_last_post_back_to_the_one_before(make_thread, make_post):
    thread = make_thread()
    kept = make_post(thread)
    gone = make_post(thread)
    services.delete_post(post=gone, actor=gone.author)

    thread.refresh_from_db()
    thread.category.refresh_from_db()
    gone.author.refresh_from_db()
    assert thread.post_count == 2
    assert thread.last_post == kept
    assert thread.category.last_post == kept
    assert gone.author.post_count == 0
    assert_counters_are_exact()


def test_a_deleted_number_is_never_given_again(make_thread, make_post):
    thread = make_thread()
    services.delete_post(post=make_post(thread), actor=None)
    assert make_post(thread).number == 3


def test_restoring_a_post_restores_its_counters(make_thread, make_post):
    thread = make_thread()
    post = make_post(thread)
    services.delete_post(post=post, actor=None)
    services.restore_post(post=post, actor=None)
    thread.refresh_from_db()
    assert (thread.post_count, thread.last_post) == (2, post)
    assert_counters_are_exact()


def test_the_first_post_goes_only_with_its_thread(make_thread):
    thread = make_thread()
    with pytest.raises(ServiceError):
        services.delete_post(post=thread.posts.get(number=1), actor=None)


def test_deleting_and_restoring_a_thread_moves_the_forum_counters(make_thread, make_post):
    thread = make_thread()
    make_post(thread)
    forum = thread.category
    delete_thread(thread=thread, actor=None)
    forum.refresh_from_db()
    assert (forum.thread_count, forum.post_count, forum.last_post) == (0, 0, None)
    assert_counters_are_exact()

    restore_thread(thread=thread, actor=None)
    forum.refresh_from_db()
    assert (forum.thread_count, forum.post_count) == (1, 2)
    assert_counters_are_exact()


def test_an_edit_keeps_every_revision_and_notes_who_edited(make_thread, make_member):
    thread = make_thread(source="Version une")
    post = thread.posts.get()
    moderator = make_member(is_admin=True)
    services.edit_post(post=post, editor=moderator, source="Version **deux**")

    post.refresh_from_db()
    assert "<strong>deux</strong>" in post.html
    assert post.edited_by == moderator
    assert list(post.revisions.values_list("number", "source")) == [
        (1, "Version une"),
        (2, "Version **deux**"),
    ]
    assert_counters_are_exact()


def test_an_authors_quick_fix_leaves_no_edited_note(make_thread):
    thread = make_thread(source="Fautte de frappe")
    post = thread.posts.get()
    services.edit_post(
        post=post,
        editor=post.author,
        source="Faute de frappe",
        edited_at=post.created_at + timedelta(minutes=2),
    )
    post.refresh_from_db()
    assert post.edited_at is None
    assert post.revisions.count() == 2


def test_an_authors_late_edit_leaves_a_note(make_thread):
    thread = make_thread(source="Avant")
    post = thread.posts.get()
    later = post.created_at + timedelta(hours=3)
    services.edit_post(post=post, editor=post.author, source="Après", edited_at=later)
    post.refresh_from_db()
    assert (post.edited_by, post.edited_at) == (post.author, later)


def test_replacing_a_source_rerenders_without_a_revision_or_a_note(make_thread):
    post = make_thread(source="[quote=Amina;p7]lien à refaire[/quote]").posts.get()
    services.replace_source(post=post, source=f"[quote=Amina;{post.pk}]lien refait[/quote]")
    post.refresh_from_db()
    assert f'href="/p/{post.pk}/"' in post.html
    assert post.edited_at is None
    assert list(post.revisions.values_list("source", flat=True)) == [post.source]


def test_an_edit_that_changes_nothing_adds_no_revision(make_thread):
    post = make_thread(source="Pareil").posts.get()
    services.edit_post(post=post, editor=post.author, source="Pareil")
    assert PostRevision.objects.filter(post=post).count() == 1


def test_an_older_post_arriving_late_does_not_become_the_last_post(make_thread, make_post):
    thread = make_thread()
    newest = thread.last_post
    make_post(thread, created_at=timezone.now() - timedelta(days=30))
    thread.refresh_from_db()
    assert thread.last_post == newest
    assert_counters_are_exact()


def test_a_post_counts_in_every_forum_above_and_is_their_last_post_only_where_newest(
    make_forum, make_thread, make_post
):
    forum = make_forum()
    top = forum.parent
    sub_a, sub_b = make_forum(parent=forum), make_forum(parent=forum)
    in_a = make_thread(category=sub_a)
    in_b = make_thread(category=sub_b, created_at=timezone.now() - timedelta(days=60))
    newest = make_post(in_a)
    late = make_post(in_b, created_at=timezone.now() - timedelta(days=30))

    counts = dict(Category.objects.values_list("pk", "post_count"))
    last = dict(Category.objects.values_list("pk", "last_post_id"))
    assert [counts[pk] for pk in (top.pk, forum.pk, sub_a.pk, sub_b.pk)] == [4, 4, 2, 2]
    assert [last[pk] for pk in (top.pk, forum.pk, sub_a.pk)] == [newest.pk] * 3
    assert last[sub_b.pk] == late.pk  # newer than the thread's opening post, 60 days old
    assert_counters_are_exact()


def test_a_reply_is_in_the_search_index_with_its_post_before_any_commit(make_thread, make_post):
    from djemaa.search.models import PostEntry

    thread = make_thread(title="Tlemcen", source="Oran")
    reply = make_post(thread, source="Oran Tlemcen")
    # No on-commit callback ran (this test's transaction never commits): the entries were
    # written with the posts; the title goes with the opening post only.
    opening = thread.posts.get(number=1)
    assert PostEntry.objects.get(post=opening).title == "tlemcen"
    assert PostEntry.objects.get(post=opening).body == "oran"
    assert (PostEntry.objects.get(post=reply).title, PostEntry.objects.get(post=reply).body) == (
        "",
        "oran tlemcen",
    )


def test_terms_analysed_without_the_title_are_analysed_again_for_an_opening_post(
    make_member, make_forum
):
    from djemaa.search.models import PostEntry
    from djemaa.threads.services import start_thread

    prepared = services.prerender("Oran")  # as for a reply: no title
    thread = start_thread(
        author=make_member(),
        category=make_forum(),
        title="Tlemcen",
        source="Oran",
        prepared=prepared,
    )
    assert PostEntry.objects.get(post__thread=thread).title == "tlemcen"


def test_renumbering_moves_the_title_in_the_index_to_the_new_opening_post(
    make_thread, make_post, django_capture_on_commit_callbacks
):
    from djemaa.search.models import PostEntry

    thread = make_thread(title="Tlemcen")
    first = thread.posts.get()
    earlier = make_post(thread, created_at=thread.created_at - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.renumber_thread_by_time(thread)
    titles = dict(PostEntry.objects.values_list("post_id", "title"))
    assert (titles[earlier.pk], titles[first.pk]) == ("tlemcen", "")


def test_renumbering_orders_posts_by_time_then_arrival(make_thread, make_post):
    thread = make_thread()
    start = thread.created_at
    late = make_post(thread, created_at=start + timedelta(hours=2))
    early = make_post(thread, created_at=start + timedelta(hours=1))
    same_time = make_post(thread, created_at=start + timedelta(hours=1))
    services.renumber_thread_by_time(thread)

    numbers = dict(Post.objects.filter(thread=thread).values_list("pk", "number"))
    assert [numbers[early.pk], numbers[same_time.pk], numbers[late.pk]] == [2, 3, 4]
    assert thread.last_number == 4
    assert_counters_are_exact()


def test_stale_renderings_are_redone(make_thread):
    post = make_thread(source="*emphase*").posts.get()
    Post.objects.filter(pk=post.pk).update(renderer_version=0, html="old")
    assert services.rerender_stale_posts() == 1
    post.refresh_from_db()
    assert "<em>emphase</em>" in post.html


def test_migrating_rerenders_posts_stored_by_an_older_renderer(make_thread):
    from django.core.management import call_command

    post = make_thread(source="**gras**").posts.get()
    Post.objects.filter(pk=post.pk).update(renderer_version=0, html="old")
    call_command("migrate", verbosity=0)
    post.refresh_from_db()
    assert "<strong>gras</strong>" in post.html


def test_repairing_counters_never_lowers_the_highest_number_given(make_thread, make_post):
    thread = make_thread()
    make_post(thread)
    last = make_post(thread)
    last.delete()  # gone for good, as when a split moves a thread's last posts away
    repair_counters()
    thread.refresh_from_db()
    assert thread.last_number == 3
    assert make_post(thread).number == 4


def test_a_post_written_at_the_same_time_as_the_last_one_becomes_the_last_post(
    make_thread, make_post
):
    thread = make_thread()
    same_time = make_post(thread, created_at=thread.last_activity_at)
    thread.refresh_from_db()
    assert thread.last_post == same_time
    assert_counters_are_exact()
