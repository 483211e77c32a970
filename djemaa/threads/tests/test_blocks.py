"""Post blocks kept between readers (threads.blocks): shared only where nothing differs."""

import re
import sys

from django.test import Client
from django.urls import reverse

from djemaa.accounts.services import change_signature
from djemaa.posts.services import create_post, edit_post
from djemaa.threads import blocks


def _edit_links(response) -> set[str]:
    return set(re.findall(r'href="(/p/\d+/edit/)"', response.content.decode()))


def test_a_block_kept_for_one_member_does_not_show_another_their_actions(
    member_reader, make_thread, make_post
):
    author_client, other_client = member_reader(), member_reader()
    thread = make_thread(author=author_client.member)
    reply = make_post(thread, author=other_client.member, source="La réponse de l'autre.")
    opening = thread.posts.get(number=1)

    seen_by_author = author_client.get(thread.get_absolute_url())
    seen_by_other = other_client.get(thread.get_absolute_url())

    assert _edit_links(seen_by_author) == {reverse("posts:edit", args=[opening.pk])}
    assert _edit_links(seen_by_other) == {reverse("posts:edit", args=[reply.pk])}


def test_each_member_gets_form_tokens_of_their_own_session(member_reader, make_thread):
    thread = make_thread()
    readers = []
    for _ in range(2):
        client = member_reader()
        client.handler.enforce_csrf_checks = True
        readers.append(client)

    for client in readers:
        html = client.get(thread.get_absolute_url()).content.decode()
        token = re.search(
            r'class="multiquote[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" '
            r'value="([^"]+)"',
            html,
        ).group(1)
        post = thread.posts.get(number=1)
        response = client.post(
            reverse("posts:multiquote", args=[post.pk]), {"csrfmiddlewaretoken": token}
        )
        assert response.status_code in (200, 302)  # a refused token would be a 403


def test_an_edit_shows_at_once_in_a_kept_block(reader, make_thread):
    thread = make_thread(source="Première version.")
    reader.get(thread.get_absolute_url())
    post = thread.posts.get()

    edit_post(post=post, editor=post.author, source="Seconde version.")
    html = reader.get(thread.get_absolute_url()).content.decode()

    assert "Seconde version." in html
    assert "Première version." not in html


def test_an_authors_new_post_count_and_signature_show_in_their_kept_blocks(
    reader, make_thread, make_member
):
    author = make_member()
    thread = make_thread(author=author)
    other_thread = make_thread()
    reader.get(thread.get_absolute_url())

    create_post(thread=other_thread, author=author, source="Ailleurs.")
    change_signature(author, "Une signature toute neuve")
    html = reader.get(thread.get_absolute_url()).content.decode()

    assert "2 posts" in html
    assert "Une signature toute neuve" in html


def test_readers_in_two_languages_get_blocks_in_their_own(make_thread):
    thread = make_thread()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(thread.get_absolute_url())
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get(thread.get_absolute_url())

    assert "Permalink" in english.content.decode()
    assert "Permalink" not in french.content.decode()


def test_a_kept_block_counts_the_post_text_its_key_holds(reader, make_thread):
    # Arabic text takes two bytes a character in a Python string.
    thread = make_thread(source="كلمة " * 2000)
    post = thread.posts.get()
    blocks.forget_blocks()

    reader.get(thread.get_absolute_url())

    # The block shows the post's HTML, and its key holds that HTML once more.
    assert blocks._blocks.size >= 2 * sys.getsizeof(post.html)
