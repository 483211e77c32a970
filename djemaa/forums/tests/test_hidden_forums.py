"""A forum a person may not see leaves no trace in the lists: no row, no title, no counts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from djemaa.forums.services import create_category
from djemaa.permissions.models import Right


@pytest.fixture
def tree(make_forum, make_thread, make_post, set_rights):
    """A category holding a public forum with a private sub-forum, and a private forum.

    The public thread is the oldest, so every stored "last post" above it is a hidden one.
    """
    category = create_category(title="Communauté")
    public = make_forum(title="Place publique", parent=category)
    hidden_sub = make_forum(title="Arrière-salle", parent=public)
    hidden = make_forum(title="Coulisses", parent=category)
    for forum in (hidden_sub, hidden):
        set_rights(forum, "guests", refuse=Right.SEE)
        set_rights(forum, "members", refuse=Right.SEE)
    shown = make_thread(title="Bonjour à tous", category=public)
    last_shown = make_post(shown)
    secret = make_thread(title="Sujet secret", category=hidden_sub)
    make_post(secret)
    make_post(secret)
    make_thread(title="Autre secret", category=hidden)
    return category, public, last_shown


def _row_stats(html: str, title: str) -> str:
    """The forum row whose title is `title`."""
    return next(row for row in html.split('<li class="forum-row">') if f">{title}</a></h3>" in row)


def test_the_index_shows_no_row_title_or_count_of_a_hidden_forum(client, tree):
    category, public, last_shown = tree
    response = client.get(reverse("forums:index"))
    html = response.content.decode()
    for secret in ("Coulisses", "Arrière-salle", "Sujet secret", "Autre secret"):
        assert secret not in html
    row = _row_stats(html, "Place publique")
    assert "1 thread" in row and "2 posts" in row
    assert reverse("posts:permalink", args=[last_shown.pk]) in row
    assertContains(response, 'class="forum-row"', count=1)


def test_moderators_see_the_whole_tree_and_its_stored_counts(client, tree, make_member):
    moderator = make_member()
    Group.objects.get(name="moderators").user_set.add(moderator)
    client.force_login(moderator)
    html = client.get(reverse("forums:index")).content.decode()
    assert "Coulisses" in html and "Arrière-salle" in html
    row = _row_stats(html, "Place publique")
    assert "2 threads" in row and "5 posts" in row and "Sujet secret" in row


def test_a_category_page_leaves_out_hidden_forums_and_their_counts(client, tree, make_member):
    category, public, last_shown = tree
    client.force_login(make_member())
    response = client.get(category.get_absolute_url())
    assertNotContains(response, "Coulisses")
    assertNotContains(response, "Sujet secret")
    row = _row_stats(response.content.decode(), "Place publique")
    assert "1 thread" in row and "2 posts" in row


def test_the_index_costs_one_query_per_forum_whose_last_post_is_hidden_at_most(
    client, tree, make_forum, make_thread, django_assert_num_queries
):
    category = tree[0]
    # the rights class and its rights, the tree, the hidden forums' counters, the newest
    # visible post of the category and of the public forum, the announcements
    with django_assert_num_queries(7):
        client.get(reverse("forums:index"))
    for _ in range(3):
        make_thread(category=make_forum(parent=category))
    # The category's newest post is now a visible one: nothing to look for there.
    with django_assert_num_queries(6):
        response = client.get(reverse("forums:index"))
    assertContains(response, 'class="forum-row"', count=4)


def test_a_hidden_forum_and_its_threads_are_not_found(client, private_forum, make_thread):
    thread = make_thread(category=private_forum)
    assert client.get(private_forum.get_absolute_url()).status_code == 404
    assert client.get(reverse("forums:forum_short", args=[private_forum.pk])).status_code == 404
    assert client.get(thread.get_absolute_url()).status_code == 404
    permalink = reverse("posts:permalink", args=[thread.last_post_id])
    assert client.get(permalink).status_code == 404


def test_a_forum_seen_but_not_read_lists_no_threads_and_says_why(
    client, make_forum, make_thread, make_member, set_rights
):
    forum = make_forum(title="Vitrine")
    make_thread(title="Réservé", category=forum)
    set_rights(forum, "guests", refuse=Right.READ)
    set_rights(forum, "members", refuse=Right.READ)
    response = client.get(forum.get_absolute_url())
    assertContains(response, "Log in to read the threads of this forum.")
    assertNotContains(response, "Réservé")
    client.force_login(make_member())
    response = client.get(forum.get_absolute_url())
    assertContains(response, "You may not read the threads of this forum.")
    index = client.get(reverse("forums:index"))
    assertContains(index, "Vitrine")
    assertNotContains(index, "Réservé")
