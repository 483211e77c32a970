from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from djemaa.forums.services import create_announcement, create_category
from djemaa.threads.services import mark_read


def html_of(response) -> str:
    return response.content.decode()


def in_order(html: str, *texts: str) -> bool:
    positions = [html.index(text) for text in texts]
    return positions == sorted(positions)


@pytest.fixture
def forum(make_forum):
    return make_forum(title="Discussions générales")


# ---- The forum index ----


def test_the_index_lists_categories_forums_and_their_sub_forums(client, make_forum):
    category = create_category(title="Communauté", description="Tout sur nous.")
    forum = make_forum(title="Présentations", parent=category, description="Dites bonjour.")
    make_forum(title="Nouveaux venus", parent=forum)
    response = client.get(reverse("forums:index"))
    assert response.status_code == 200
    html = html_of(response)
    assert in_order(html, "Communauté", "Tout sur nous.", "Présentations", "Nouveaux venus")
    assertContains(response, f'href="{category.get_absolute_url()}"')
    assertContains(response, f'href="{forum.get_absolute_url()}"')
    assertContains(response, "<h1>Forums</h1>", html=True)


def test_the_index_shows_counts_and_the_last_post_of_each_forum(
    client, forum, make_thread, make_post, make_member
):
    thread = make_thread(title="Bienvenue", category=forum)
    last = make_post(thread, author=make_member(username="Yasmine"))
    response = client.get(reverse("forums:index"))
    assertContains(response, "1 thread")
    assertContains(response, "2 posts")
    assertContains(response, f'href="{reverse("posts:permalink", args=[last.pk])}"')
    assertContains(response, "Bienvenue")
    assertContains(response, 'href="/u/Yasmine/"')


def test_a_forum_without_posts_says_so_on_the_index(client, forum):
    assertContains(client.get(reverse("forums:index")), "No posts yet.")


def test_the_index_with_no_forums_says_so(client, db):
    assertContains(client.get(reverse("forums:index")), "No forums yet.")


def test_the_index_shows_site_wide_announcements(client, forum):
    create_announcement(title="Maintenance ce soir", body="Le forum sera **fermé**.")
    response = client.get(reverse("forums:index"))
    assertContains(response, '<details class="announcements" open>')
    assertContains(response, "Maintenance ce soir")
    assertContains(response, "<strong>fermé</strong>")


def test_the_index_needs_the_same_queries_however_many_forums_it_lists(
    client, make_forum, make_thread, django_assert_num_queries
):
    def add_forum_with_a_thread():
        forum = make_forum()
        make_forum(parent=forum)
        make_thread(category=forum)

    add_forum_with_a_thread()
    # the reader's rights class, its rights (the class's first request since the tree
    # changed), the tree with last posts, the announcements
    with django_assert_num_queries(4):
        client.get(reverse("forums:index"))
    for _ in range(4):
        add_forum_with_a_thread()
    with django_assert_num_queries(4):
        response = client.get(reverse("forums:index"))
    assertContains(response, 'class="forum-row"', count=5)


# ---- A forum's page ----


def test_a_forum_lists_pinned_threads_first_then_by_latest_activity(
    client, forum, make_thread, make_post
):
    now = timezone.now()
    make_thread(title="Ancien", category=forum, created_at=now - timedelta(days=3))
    recent = make_thread(title="Récent", category=forum, created_at=now - timedelta(days=2))
    make_thread(title="Épinglé", category=forum, is_pinned=True, created_at=now - timedelta(days=9))
    html = html_of(client.get(forum.get_absolute_url()))
    assert in_order(html, "Épinglé", "Récent", "Ancien")

    old = make_thread(title="Relancé", category=forum, created_at=now - timedelta(days=5))
    make_post(old, created_at=now)
    html = html_of(client.get(forum.get_absolute_url()))
    assert in_order(html, "Épinglé", "Relancé", "Récent", "Ancien")
    assertContains(client.get(forum.get_absolute_url()), f'href="{recent.get_absolute_url()}"')


def test_a_forum_row_shows_author_replies_views_and_last_post(
    client, forum, make_thread, make_post, make_member
):
    thread = make_thread(title="Question", category=forum, author=make_member(username="Karim"))
    make_post(thread)
    last = make_post(thread, author=make_member(username="Leïla"))
    response = client.get(forum.get_absolute_url())
    assertContains(response, "2 replies")
    assertContains(response, "0 views")
    assertContains(response, 'Started by <a href="/u/Karim/" dir="auto">Karim</a>')
    assertContains(response, f'href="{reverse("posts:permalink", args=[last.pk])}"')
    assertContains(response, 'by <a href="/u/Le%C3%AFla/" dir="auto">Leïla</a>')


def test_a_forum_lists_its_sub_forums_and_breadcrumbs_lead_back_up(client, forum, make_forum):
    make_forum(title="Sous-forum", parent=forum)
    response = client.get(forum.get_absolute_url())
    assertContains(response, "Sous-forum")
    assertContains(response, f'<a href="{forum.parent.get_absolute_url()}" dir="auto">')
    assertContains(response, '<span aria-current="page" dir="auto">Discussions générales</span>')


def test_an_empty_forum_says_it_has_no_threads_yet(client, forum):
    assertContains(client.get(forum.get_absolute_url()), "No threads yet.")


def test_a_top_level_category_lists_its_forums_and_no_threads(client, forum, make_forum):
    make_forum(title="Sous-forum", parent=forum)
    response = client.get(forum.parent.get_absolute_url())
    assertContains(response, "Discussions générales")
    assertContains(response, "Sous-forum")
    assertNotContains(response, "No threads yet.")
    assertNotContains(response, 'id="threads-heading"')


def test_a_forum_shows_its_own_and_its_parents_announcements(client, forum):
    create_announcement(
        title="Règles de la catégorie", body="Soyez courtois.", category=forum.parent
    )
    assertContains(client.get(forum.get_absolute_url()), "Règles de la catégorie")


def test_a_forum_marks_the_threads_a_member_has_not_read(
    client, forum, make_thread, make_post, make_member
):
    member = make_member()
    read = make_thread(title="Lu", category=forum)
    unread = make_thread(title="Pas lu", category=forum)
    mark_read(member, read, read.last_number)
    client.force_login(member)
    response = client.get(forum.get_absolute_url())
    assertContains(response, "Unread", count=1)
    assertContains(response, f'href="{reverse("threads:unread", kwargs={"pk": unread.pk})}"')
    assertNotContains(response, reverse("threads:unread", kwargs={"pk": read.pk}))

    make_post(read)
    response = client.get(forum.get_absolute_url())
    assertContains(response, reverse("threads:unread", kwargs={"pk": read.pk}))


def test_guests_see_no_unread_markers(client, forum, make_thread):
    make_thread(category=forum)
    response = client.get(forum.get_absolute_url())
    assertNotContains(response, "Unread")
    assertNotContains(response, "/unread/")


def test_a_forum_page_needs_the_same_queries_however_many_threads_it_shows(
    client, forum, make_thread, make_member, django_assert_num_queries
):
    member = make_member()
    make_thread(category=forum)
    client.force_login(member)
    # session, member, rights class, rights, forum, ancestors, sub-forums, count, threads, read
    # positions, announcements
    with django_assert_num_queries(11):
        client.get(forum.get_absolute_url())
    for _ in range(5):
        make_thread(category=forum)
    with django_assert_num_queries(11):
        response = client.get(forum.get_absolute_url())
    assertContains(response, 'class="thread-row', count=6)


def test_a_sub_forum_page_needs_no_query_per_level_above_it(
    client, forum, make_forum, make_thread, django_assert_num_queries
):
    sub = make_forum(parent=forum)
    make_thread(category=sub)
    with django_assert_num_queries(8):  # as a forum's page, without session and member
        response = client.get(sub.get_absolute_url())
    assertContains(response, f'href="{forum.get_absolute_url()}"')
    assertContains(response, f'href="{forum.parent.get_absolute_url()}"')


# ---- Pages of threads ----


@pytest.fixture
def five_threads(forum, make_thread, settings):
    settings.DJEMAA_THREADS_PER_PAGE = 2
    now = timezone.now()
    return [
        make_thread(title=f"Fil numéro {n}", category=forum, created_at=now - timedelta(hours=n))
        for n in range(1, 6)
    ]


def test_a_forum_is_cut_into_numbered_pages(client, forum, five_threads):
    url = forum.get_absolute_url()
    html = html_of(client.get(url, {"page": 2}))
    assert "Fil numéro 3" in html and "Fil numéro 4" in html
    assert "Fil numéro 2" not in html and "Fil numéro 5" not in html
    assert f'href="{url}" rel="prev"' in html
    assert f'href="{url}?page=3" rel="next"' in html
    assert '<span aria-current="page">' in html


def test_the_last_page_has_no_next_link(client, forum, five_threads):
    response = client.get(forum.get_absolute_url(), {"page": 3})
    assertContains(response, "Fil numéro 5")
    assertNotContains(response, 'rel="next"')
    assertContains(response, 'rel="prev"')


@pytest.mark.parametrize("page", ["4", "0", "-1", "abc", "1.5", "٢", "02"])
def test_a_page_that_does_not_exist_is_not_found(client, forum, five_threads, page):
    response = client.get(forum.get_absolute_url(), {"page": page})
    assert response.status_code == 404
    assertContains(response, "Page not found", status_code=404)


def test_a_forum_with_one_page_shows_no_page_links(client, forum, make_thread):
    make_thread(category=forum)
    assertNotContains(client.get(forum.get_absolute_url()), 'class="pagination"')


# ---- Addresses ----


def test_an_unknown_forum_is_not_found(client, db):
    response = client.get(reverse("forums:forum", kwargs={"pk": 9999, "slug": "rien"}))
    assert response.status_code == 404


def test_a_wrong_slug_redirects_permanently_to_the_forum_s_address(client, forum):
    response = client.get(
        reverse("forums:forum", kwargs={"pk": forum.pk, "slug": "ancien-titre"}), {"page": 1}
    )
    assert response.status_code == 301
    assert response["Location"] == f"{forum.get_absolute_url()}?page=1"


def test_a_forum_address_without_slug_redirects_to_the_full_one(client, forum):
    response = client.get(reverse("forums:forum_short", kwargs={"pk": forum.pk}))
    assert response.status_code == 301
    assert response["Location"] == forum.get_absolute_url()


def test_a_forum_with_an_arabic_title_has_an_arabic_address(client, make_forum):
    forum = make_forum(title="النقاش العام")
    assert forum.slug == "النقاش-العام"
    response = client.get(forum.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, '<h1><span dir="auto">النقاش العام</span></h1>', html=True)
    wrong = client.get(reverse("forums:forum", kwargs={"pk": forum.pk, "slug": "x"}))
    assert wrong.status_code == 301
    assert wrong["Location"] == forum.get_absolute_url()


def test_a_forum_whose_title_has_no_letters_still_has_an_address(client, make_forum):
    forum = make_forum(title="!!!")
    assert forum.get_absolute_url() == f"/f/{forum.pk}--/"
    assert client.get(forum.get_absolute_url()).status_code == 200
