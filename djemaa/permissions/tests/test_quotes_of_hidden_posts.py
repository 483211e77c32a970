"""A quote of a post the reader may not see gives nothing away: no text, no author."""

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from djemaa.posts.models import Post
from djemaa.threads.services import start_thread


def _hidden_post(private_forum, make_member):
    author = make_member(username="Discrète")
    return start_thread(
        author=author, category=private_forum, title="Secret", source="Le mot de passe."
    ).last_post


def test_a_quote_of_a_post_in_a_hidden_forum_is_replaced_by_a_neutral_notice(
    client, private_forum, make_member, make_thread, make_post
):
    hidden = _hidden_post(private_forum, make_member)
    thread = make_thread()
    make_post(thread, source=f"[quote=Discrète;{hidden.pk}]Le mot de passe.[/quote]Vu.")
    response = client.get(thread.get_absolute_url())
    assertContains(response, "Quoted post not available.")
    assertNotContains(response, "Le mot de passe.")
    assertNotContains(response, "Discrète")
    assertContains(response, "Vu.")


def test_those_who_may_see_the_quoted_post_see_the_quote(
    client, private_forum, make_member, make_thread, make_post
):
    hidden = _hidden_post(private_forum, make_member)
    thread = make_thread()
    make_post(thread, source=f"[quote=Discrète;{hidden.pk}]Le mot de passe.[/quote]Vu.")
    moderator = make_member()
    Group.objects.get(name="moderators").user_set.add(moderator)
    client.force_login(moderator)
    response = client.get(thread.get_absolute_url())
    assertContains(response, "Le mot de passe.")
    assertNotContains(response, "Quoted post not available.")


def test_a_quote_of_a_deleted_post_is_hidden_from_readers(
    client, make_member, make_thread, make_post
):
    thread = make_thread()
    quoted = make_post(thread, source="Regrettable.")
    make_post(thread, source=f"[quote=x;{quoted.pk}]Regrettable.[/quote]Non.")
    Post.objects.filter(pk=quoted.pk).update(deleted_at=timezone.now())
    response = client.get(thread.get_absolute_url())
    assertContains(response, "Quoted post not available.")
    assertNotContains(response, "Regrettable.")


def test_hiding_quotes_costs_one_query_for_the_page_whatever_its_quotes(
    client, private_forum, make_member, make_thread, make_post, django_assert_num_queries
):
    hidden = _hidden_post(private_forum, make_member)
    thread = make_thread()
    make_post(thread, source=f"[quote=a;{hidden.pk}]x[/quote]un")
    client.get(thread.get_absolute_url())  # the first view writes nothing the next would not
    with CaptureQueriesContext(connection) as first:
        client.get(thread.get_absolute_url())
    for _ in range(4):
        make_post(thread, source=f"[quote=a;{hidden.pk}]x[/quote][quote=b;{thread.pk}]y[/quote]")
    with django_assert_num_queries(len(first)):
        response = client.get(thread.get_absolute_url())
    assertContains(response, "Quoted post not available.", count=5)
