"""Editing, history, deleting, restoring and gathering a post, through the pages."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from djemaa.moderation.models import ModerationAction
from djemaa.moderation.services import report_post
from djemaa.posts.services import check_delete_post, check_edit_post

FRAGMENT = {"HTTP_X_DJEMAA_FRAGMENT": "1"}


@pytest.fixture
def signed_in(make_member):
    """A client signed in as `member` (a new member when not given)."""

    def make(member=None, **fields):
        member = member or make_member(language="en", **fields)
        client = Client()
        client.force_login(member)
        client.member = member
        return client

    return make


# ---- Editing ----


def test_the_edit_form_holds_the_posts_source(signed_in, make_thread):
    thread = make_thread(source="Mon **texte**")

    html = signed_in(thread.author).get(reverse("posts:edit", args=[thread.posts.get().pk]))

    assert "Mon **texte**</textarea>" in html.content.decode()


def test_an_author_edits_their_post_and_lands_back_on_it(signed_in, make_thread):
    thread = make_thread(source="Avant")
    post = thread.posts.get()

    response = signed_in(thread.author).post(
        reverse("posts:edit", args=[post.pk]), {"source": "Après"}
    )

    post.refresh_from_db()
    assert post.source == "Après"
    assert response["Location"].endswith(f"#post-{post.pk}")


def test_the_edit_preview_works_with_and_without_script(signed_in, make_thread):
    thread = make_thread(source="Avant")
    post = thread.posts.get()
    client = signed_in(thread.author)
    url = reverse("posts:edit", args=[post.pk])

    page = client.post(url, {"source": "_Après_", "action": "preview"}).content.decode()
    fragment = client.post(url, {"source": "_Après_", "action": "preview"}, **FRAGMENT)

    assert "<em>Après</em>" in page and "_Après_</textarea>" in page
    assert "<html" not in fragment.content.decode()
    assert "<em>Après</em>" in fragment.content.decode()
    post.refresh_from_db()
    assert post.source == "Avant"


def test_someone_elses_post_offers_no_edit_form(signed_in, make_thread):
    post = make_thread().posts.get()
    client = signed_in()

    page = client.get(reverse("posts:edit", args=[post.pk])).content.decode()
    refused = client.post(reverse("posts:edit", args=[post.pk]), {"source": "Piraté"})

    assert "You cannot edit this post." in page and 'name="source"' not in page
    assert refused.status_code == 400
    post.refresh_from_db()
    assert post.source != "Piraté"


def test_the_thread_page_offers_edit_and_delete_on_the_readers_own_posts_only(
    signed_in, make_thread, make_post
):
    thread = make_thread()
    own = make_post(thread)
    html = signed_in(own.author).get(thread.get_absolute_url()).content.decode()

    assert html.count('href="/p/') and reverse("posts:edit", args=[own.pk]) in html
    assert reverse("posts:delete", args=[own.pk]) in html
    first = thread.posts.get(number=1)
    assert reverse("posts:edit", args=[first.pk]) not in html


# ---- History ----


def test_the_history_shows_each_revision_with_a_word_diff(signed_in, make_thread, make_member):
    moderator = make_member(is_admin=True)
    thread = make_thread(source="Le chat dort")
    post = thread.posts.get()
    check_edit_post(user=moderator, post=post, source="Le chien dort")

    response = signed_in(thread.author).get(reverse("posts:history", args=[post.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Le <del>chat</del><ins>chien</ins> dort" in html
    assert "Revision 2 by" in html and "First version by" in html
    assert 'class="revision-diff user-content" dir="auto"' in html


def test_the_edited_note_links_the_history_for_those_who_may_read_it(
    signed_in, client, make_thread, make_member
):
    thread = make_thread(source="Un")
    post = thread.posts.get()
    check_edit_post(user=make_member(is_admin=True), post=post, source="Deux")
    history = reverse("posts:history", args=[post.pk])

    assert history in signed_in(thread.author).get(thread.get_absolute_url()).content.decode()
    assert history not in client.get(thread.get_absolute_url()).content.decode()


def test_the_history_is_a_404_for_other_readers(signed_in, client, make_thread):
    post = make_thread().posts.get()
    url = reverse("posts:history", args=[post.pk])

    assert signed_in().get(url).status_code == 404
    assert client.get(url).status_code == 404


# ---- Deleting and restoring ----


def test_deleting_a_reply_asks_first_then_deletes_it(signed_in, make_thread, make_post):
    thread = make_thread()
    reply = make_post(thread)
    client = signed_in(reply.author)
    url = reverse("posts:delete", args=[reply.pk])

    assert "Delete this post?" in client.get(url).content.decode()
    response = client.post(url)

    reply.refresh_from_db()
    assert reply.is_deleted
    assert response.status_code == 302


def test_deleting_the_first_post_is_refused_with_the_reason(signed_in, make_thread):
    thread = make_thread()
    first = thread.posts.get()
    client = signed_in(thread.author)
    url = reverse("posts:delete", args=[first.pk])

    page = client.get(url).content.decode()
    response = client.post(url)

    message = "The first post of a thread can only be deleted with the thread."
    assert message in page and "<form method" not in page.split("site-main")[1]
    assert response.status_code == 400 and message in response.content.decode()
    first.refresh_from_db()
    assert not first.is_deleted


def test_a_deleted_post_is_a_404_for_its_author_and_restorable_by_moderators(
    signed_in, make_thread, make_post, make_member
):
    thread = make_thread()
    reply = make_post(thread)
    check_delete_post(user=reply.author, post=reply)
    moderator = signed_in(make_member(is_admin=True, language="en"))

    assert signed_in(reply.author).get(reverse("posts:edit", args=[reply.pk])).status_code == 404
    html = moderator.get(thread.get_absolute_url()).content.decode()
    assert reverse("posts:restore", args=[reply.pk]) in html
    moderator.post(reverse("posts:restore", args=[reply.pk]))

    reply.refresh_from_db()
    assert not reply.is_deleted


def test_a_moderator_deleting_and_restoring_someone_elses_post_is_in_the_moderation_log(
    signed_in, make_thread, make_post, make_member
):
    reply = make_post(make_thread())
    report = report_post(reporter=make_member(), post=reply, reason="Hors sujet")
    moderator = signed_in(make_member(is_admin=True, language="en"))

    moderator.post(reverse("posts:delete", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.is_deleted
    moderator.post(reverse("posts:restore", args=[reply.pk]))
    reply.refresh_from_db()
    assert not reply.is_deleted

    logged = ModerationAction.objects.order_by("pk").values_list("actor", "kind", "post")
    assert list(logged) == [
        (moderator.member.pk, ModerationAction.Kind.DELETE_POST, reply.pk),
        (moderator.member.pk, ModerationAction.Kind.RESTORE_POST, reply.pk),
    ]
    report.refresh_from_db()
    assert not report.is_open


def test_members_deleting_their_own_posts_leave_the_moderation_log_alone(
    signed_in, make_thread, make_post, make_member
):
    thread = make_thread()
    own = make_post(thread)
    moderator = make_member(is_admin=True)
    by_moderator = make_post(thread, author=moderator)

    signed_in(own.author).post(reverse("posts:delete", args=[own.pk]))
    signed_in(moderator).post(reverse("posts:delete", args=[by_moderator.pk]))

    own.refresh_from_db()
    by_moderator.refresh_from_db()
    assert own.is_deleted and by_moderator.is_deleted
    assert not ModerationAction.objects.exists()


def test_a_moderator_still_cannot_delete_someone_elses_opening_post_alone(
    signed_in, make_thread, make_member
):
    first = make_thread().posts.get()
    response = signed_in(make_member(is_admin=True)).post(reverse("posts:delete", args=[first.pk]))
    assert response.status_code == 400
    first.refresh_from_db()
    assert not first.is_deleted and not ModerationAction.objects.exists()


def test_members_cannot_restore_a_post(signed_in, make_thread, make_post):
    thread = make_thread()
    reply = make_post(thread)
    client = signed_in(make_thread().author)
    check_delete_post(user=reply.author, post=reply)
    # The author no longer sees it; another member never did: both get a 404.
    assert client.post(reverse("posts:restore", args=[reply.pk])).status_code == 404


def test_a_moderator_cannot_restore_through_a_get(signed_in, make_thread, make_post, make_member):
    reply = make_post(make_thread())
    client = signed_in(make_member(is_admin=True))

    assert client.get(reverse("posts:restore", args=[reply.pk])).status_code == 405


# ---- Multi-quote ----


def test_gathering_a_post_without_script_leads_back_to_it(signed_in, make_thread):
    post = make_thread().posts.get()
    client = signed_in()

    response = client.post(reverse("posts:multiquote", args=[post.pk]))

    assert response["Location"].endswith(f"#post-{post.pk}")
    assert client.session["djemaa_multiquote"] == [post.pk]


def test_gathering_with_script_answers_with_the_new_state(signed_in, make_thread):
    post = make_thread().posts.get()
    client = signed_in()
    url = reverse("posts:multiquote", args=[post.pk])

    on = json.loads(client.post(url, **FRAGMENT).content)
    off = json.loads(client.post(url, **FRAGMENT).content)

    assert on == {"gathered": True, "count": 1}
    assert off == {"gathered": False, "count": 0}
    assert client.session["djemaa_multiquote"] == []


def test_guests_cannot_gather_posts(client, make_thread):
    post = make_thread().posts.get()

    response = client.post(reverse("posts:multiquote", args=[post.pk]))

    assert response.status_code == 403
    assert "Log in to reply." in response.content.decode()
    assert "djemaa_multiquote" not in client.session
