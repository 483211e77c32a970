"""The member-facing verbs on posts: permission first, then the plain verb; drafts; quotes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from djemaa.core.errors import ServiceError
from djemaa.posts import services
from djemaa.posts.diff import word_diff
from djemaa.posts.models import Draft, Post
from djemaa.threads.models import Thread


@pytest.fixture(autouse=True)
def in_english():
    # Messages are compared with their msgids; a page test may have left another language on.
    with translation.override("en"):
        yield


@pytest.fixture
def moderator(make_member):
    return make_member(is_admin=True)


# ---- Editing ----


def test_an_edit_to_an_empty_text_is_refused(make_thread):
    thread = make_thread()
    post = thread.posts.get()

    with pytest.raises(ServiceError, match="A post cannot be empty."):
        services.check_edit_post(user=thread.author, post=post, source="   ")


def test_a_member_cannot_edit_someone_elses_post(make_thread, make_member):
    post = make_thread().posts.get()

    with pytest.raises(ServiceError, match="You cannot edit this post."):
        services.check_edit_post(user=make_member(), post=post, source="Changed.")

    post.refresh_from_db()
    assert post.revisions.count() == 1


def test_an_author_cannot_edit_a_post_in_a_locked_thread(make_thread):
    thread = make_thread(is_locked=True)
    post = thread.posts.get()

    with pytest.raises(ServiceError, match="This thread is locked"):
        services.check_edit_post(user=thread.author, post=post, source="Changed.")


def test_an_authors_edit_within_the_grace_period_adds_a_revision_and_no_note(make_thread):
    thread = make_thread(source="Version one")
    post = thread.posts.get()

    services.check_edit_post(user=thread.author, post=post, source="Version two")

    post.refresh_from_db()
    assert post.source == "Version two"
    assert "Version two" in post.html
    assert list(post.revisions.values_list("number", "source")) == [
        (1, "Version one"),
        (2, "Version two"),
    ]
    assert post.edited_at is None


def test_a_moderators_edit_of_any_post_leaves_the_last_edited_note(make_thread, moderator):
    post = make_thread().posts.get()

    services.check_edit_post(user=moderator, post=post, source="Moderated text.")

    post.refresh_from_db()
    assert post.edited_by == moderator
    assert post.edited_at is not None


# ---- Deleting and restoring ----


def test_a_member_cannot_delete_someone_elses_post(make_thread, make_post, make_member):
    thread = make_thread()
    reply = make_post(thread)

    with pytest.raises(ServiceError, match="You cannot delete this post."):
        services.check_delete_post(user=make_member(), post=reply)

    reply.refresh_from_db()
    assert not reply.is_deleted


def test_the_first_post_cannot_be_deleted_without_its_thread(make_thread):
    thread = make_thread()

    with pytest.raises(ServiceError, match="only be deleted with the thread"):
        services.check_delete_post(user=thread.author, post=thread.posts.get())


def test_an_author_deletes_their_reply_softly_and_the_counters_follow(make_thread, make_post):
    thread = make_thread()
    reply = make_post(thread)
    author = reply.author

    services.check_delete_post(user=author, post=reply)

    reply.refresh_from_db()
    thread.refresh_from_db()
    author.refresh_from_db()
    assert reply.is_deleted and reply.deleted_by == author
    assert thread.post_count == 1
    assert author.post_count == 0


def test_only_moderators_restore_a_post(make_thread, make_post, moderator):
    thread = make_thread()
    reply = make_post(thread)
    services.check_delete_post(user=reply.author, post=reply)

    with pytest.raises(ServiceError, match="Only moderators can restore a post."):
        services.check_restore_post(user=reply.author, post=reply)

    services.check_restore_post(user=moderator, post=reply)
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert not reply.is_deleted
    assert thread.post_count == 2


# ---- Posting rate of new members ----


def test_a_new_member_over_the_hourly_limit_is_told_when_they_may_post_again(
    make_thread, make_post, make_member, settings
):
    settings.DJEMAA_NEW_MEMBER_POSTS_PER_HOUR = 2
    settings.DJEMAA_NEW_MEMBER_DAYS = 3
    newcomer = make_member()
    thread = make_thread()
    now = timezone.now()
    first = make_post(thread, author=newcomer, created_at=now - timedelta(minutes=50))
    make_post(thread, author=newcomer, created_at=now - timedelta(minutes=10))

    with pytest.raises(ServiceError) as refused:
        services.check_posting_rate(newcomer, now=now)

    free_at = formats.time_format(timezone.localtime(first.created_at + timedelta(hours=1)))
    assert refused.value.message == (
        f"New members can write 2 posts an hour. You can post again at {free_at}."
    )


def test_the_limit_counts_only_the_last_hour(make_thread, make_post, make_member, settings):
    settings.DJEMAA_NEW_MEMBER_POSTS_PER_HOUR = 1
    newcomer = make_member()
    make_post(make_thread(), author=newcomer, created_at=timezone.now() - timedelta(minutes=61))

    services.check_posting_rate(newcomer)


def test_members_past_their_first_days_and_moderators_are_not_limited(
    make_thread, make_post, make_member, moderator, settings
):
    settings.DJEMAA_NEW_MEMBER_POSTS_PER_HOUR = 1
    settings.DJEMAA_NEW_MEMBER_DAYS = 3
    thread = make_thread()
    veteran = make_member(joined_at=timezone.now() - timedelta(days=4))
    make_post(thread, author=veteran)
    make_post(thread, author=moderator)

    services.check_posting_rate(veteran)
    services.check_posting_rate(moderator)


# ---- Drafts ----


def test_a_reply_draft_is_kept_once_per_member_and_thread(make_thread, make_member):
    thread = make_thread()
    member = make_member()

    services.save_draft(author=member, category=thread.category, thread=thread, source="One")
    services.save_draft(author=member, category=thread.category, thread=thread, source="Two")

    assert Draft.objects.filter(author=member).count() == 1
    assert services.draft_for(member, thread=thread).source == "Two"


def test_an_empty_draft_is_forgotten(make_thread, make_member):
    thread = make_thread()
    member = make_member()
    services.save_draft(author=member, category=thread.category, thread=thread, source="Text")

    assert services.save_draft(author=member, category=thread.category, thread=thread) is None

    assert services.draft_for(member, thread=thread) is None


def test_a_new_thread_draft_belongs_to_its_forum_and_keeps_the_title(make_forum, make_member):
    forum, other = make_forum(), make_forum()
    member = make_member()

    services.save_draft(author=member, category=forum, title="Titre", source="Texte")

    draft = services.draft_for(member, category=forum)
    assert (draft.title, draft.source, draft.thread) == ("Titre", "Texte", None)
    assert services.draft_for(member, category=other) is None


def test_guests_have_no_drafts(make_forum):
    from django.contrib.auth.models import AnonymousUser

    assert services.draft_for(AnonymousUser(), category=make_forum()) is None


# ---- Quotes and double submissions ----


def test_a_quote_names_the_author_and_the_post(make_thread, make_member):
    author = make_member(username="Yasmina")
    post = make_thread(author=author, source="Bonjour à tous").posts.get()

    assert services.quote_of(post) == f"[quote=Yasmina;{post.pk}]\nBonjour à tous\n[/quote]\n"
    assert services.quote_of(post, " à tous ") == f"[quote=Yasmina;{post.pk}]\nà tous\n[/quote]\n"


def test_a_submission_token_finds_the_post_it_wrote_for_its_author_only(
    make_thread, make_post, make_member
):
    thread = make_thread()
    post = make_post(thread, submission_token="abc")

    assert services.submitted_post(post.author, "abc") == post
    assert services.submitted_post(make_member(), "abc") is None
    assert services.submitted_post(post.author, "") is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
def test_finding_a_resent_form_reads_the_token_index_not_every_post_of_the_author(
    make_thread, make_post
):
    thread = make_thread()
    post = make_post(thread, submission_token="abc")

    with CaptureQueriesContext(connection) as queries:
        services.submitted_post(post.author, "abc")

    # The lookup, then the post it found by its id.
    [lookup, fetch] = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {lookup['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "USING COVERING INDEX post_submitted_once" in plan


def test_posts_without_a_token_do_not_collide(make_thread, make_post):
    thread = make_thread()
    author = thread.author

    make_post(thread, author=author)
    make_post(thread, author=author)

    assert Post.objects.filter(author=author, submission_token="").count() == 3
    assert Thread.objects.get(pk=thread.pk).post_count == 3


# ---- Revision diffs ----


def test_a_word_diff_marks_inserted_and_removed_words():
    assert word_diff("le chat noir", "le chien noir") == "le <del>chat</del><ins>chien</ins> noir"


def test_a_word_diff_escapes_html_and_keeps_arabic_words_whole():
    diff = word_diff("مرحبا <b>", "مرحبا بكم <b>")

    assert diff == "مرحبا <ins>بكم </ins>&lt;b&gt;"


def test_changes_one_space_apart_read_as_one():
    diff = word_diff("est trop lourde.", "est plus légère.")

    assert diff == "est <del>trop lourde.</del><ins>plus légère.</ins>"


def test_a_first_version_is_all_inserted():
    assert word_diff("", "Bonjour\ntout le monde") == "<ins>Bonjour\ntout le monde</ins>"
