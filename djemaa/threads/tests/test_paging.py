import pytest
from django.urls import reverse

from djemaa.posts.services import delete_post
from djemaa.threads.models import ReadPosition, Thread

from .pages import shown_numbers


@pytest.fixture
def small_pages(settings):
    settings.DJEMAA_POSTS_PER_PAGE = 3
    return 3


def test_the_first_page_shows_the_first_posts_numbered_from_one(reader, long_thread):
    thread = long_thread(25)

    response = reader.get(thread.get_absolute_url())

    assert response.status_code == 200
    assert shown_numbers(response) == list(range(1, 21))
    assert f'href="{thread.get_absolute_url()}?page=2" rel="next"' in response.content.decode()


def test_page_k_shows_the_numbers_of_its_window_and_links_every_neighbour(
    reader, long_thread, small_pages
):
    thread = long_thread(10)
    url = thread.get_absolute_url()

    response = reader.get(url, {"page": 2})

    assert shown_numbers(response) == [4, 5, 6]
    html = response.content.decode()
    assert f'href="{url}" rel="prev"' in html  # page 1 is the thread's own address
    assert f'href="{url}?page=3" rel="next"' in html
    # ceil(10 / 3) pages: the last one holds #10 alone.
    assert f'href="{url}?page=4"' in html
    assert shown_numbers(reader.get(url, {"page": 4})) == [10]


def test_the_last_page_has_no_next_link(reader, long_thread, small_pages):
    thread = long_thread(6)

    response = reader.get(thread.get_absolute_url(), {"page": 2})

    assert shown_numbers(response) == [4, 5, 6]
    assert 'rel="next"' not in response.content.decode()


@pytest.mark.parametrize("page", ["0", "abc", "-1", "٢", "99999999999999999999", "5"])
def test_a_page_that_does_not_exist_is_a_404_not_an_error(reader, long_thread, small_pages, page):
    thread = long_thread(6)

    response = reader.get(thread.get_absolute_url(), {"page": page})

    assert response.status_code == 404


def test_a_deleted_post_leaves_a_hole_and_later_posts_keep_their_page(
    reader, long_thread, small_pages, make_member
):
    thread = long_thread(7)
    third = thread.posts.get(number=3)
    delete_post(post=third, actor=make_member(is_admin=True))
    url = thread.get_absolute_url()

    assert shown_numbers(reader.get(url)) == [1, 2]
    assert shown_numbers(reader.get(url, {"page": 2})) == [4, 5, 6]
    assert shown_numbers(reader.get(url, {"page": 3})) == [7]


def test_moderators_see_a_placeholder_where_a_post_was_deleted(
    member_reader, long_thread, small_pages
):
    moderator = member_reader(is_admin=True)
    thread = long_thread(4)
    third = thread.posts.get(number=3)
    delete_post(post=third, actor=moderator.member)

    response = moderator.get(thread.get_absolute_url())

    assert shown_numbers(response) == [1, 2, 3]
    html = response.content.decode()
    assert f'<article class="post post-deleted" id="post-{third.pk}"' in html
    assert "Message 3" not in html


def test_a_page_whose_posts_are_all_deleted_says_so(reader, long_thread, small_pages, make_member):
    thread = long_thread(6)
    moderator = make_member(is_admin=True)
    for post in thread.posts.filter(number__in=[4, 5, 6]):
        delete_post(post=post, actor=moderator)

    response = reader.get(thread.get_absolute_url(), {"page": 2})

    assert response.status_code == 200
    assert shown_numbers(response) == []
    assert "No posts to show on this page." in response.content.decode()


def _page_queries(client, url, django_assert_num_queries, expected: int) -> list[str]:
    with django_assert_num_queries(expected) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_page_one_and_page_fifty_of_a_long_thread_cost_the_same_queries_without_offset(
    reader, long_thread, settings, django_assert_num_queries
):
    settings.DJEMAA_POSTS_PER_PAGE = 2
    thread = long_thread(100)
    url = thread.get_absolute_url()

    # The reader's rights (2: the class, then the tree, which no test transaction keeps),
    # thread, posts (2: the page's ids, then its rows), their replies, the view counter, the
    # forum's parents, announcements.
    first = _page_queries(reader, url, django_assert_num_queries, 9)
    deep = _page_queries(reader, f"{url}?page=50", django_assert_num_queries, 9)

    assert shown_numbers(reader.get(f"{url}?page=50")) == [99, 100]
    for sql in first + deep:
        assert "OFFSET" not in sql.upper()


def test_a_members_page_costs_a_constant_number_of_queries_whatever_the_page_size(
    member_reader, long_thread, settings, django_assert_num_queries, make_post
):
    thread = long_thread(30)
    # Replies on the page must not cost a query each.
    first = thread.posts.get(number=1)
    for _ in range(3):
        make_post(thread, source="Bien dit.", reply_to=first)
    url = thread.get_absolute_url()

    # Session, member, the member's rights (2), thread, reading position, posts (2: ids, then
    # rows), replies (2: found through reply_to, then the rules on them), the reading
    # position created by threads.services.mark_read (one upsert), view counter, the forum's
    # parents, announcements, the reply box's draft.
    settings.DJEMAA_POSTS_PER_PAGE = 5
    _page_queries(member_reader(), url, django_assert_num_queries, 15)
    settings.DJEMAA_POSTS_PER_PAGE = 30
    _page_queries(member_reader(), url, django_assert_num_queries, 15)


def test_rereading_a_page_does_not_write_the_reading_position_again(
    member_reader, long_thread, django_assert_num_queries
):
    client = member_reader()
    thread = long_thread(5)
    url = thread.get_absolute_url()
    client.get(url)

    # Session, member, the member's rights (2), thread, reading position, posts (2: ids, then
    # rows), replies, view counter, the forum's parents, announcements, the reply box's draft.
    _page_queries(client, url, django_assert_num_queries, 13)


def test_a_fragment_request_answers_with_the_posts_and_the_next_link_only(
    reader, long_thread, small_pages
):
    thread = long_thread(9)
    url = thread.get_absolute_url()

    response = reader.get(url, {"page": 2}, headers={"X-Djemaa-Fragment": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert shown_numbers(response) == [4, 5, 6]
    assert f'href="{url}?page=3" rel="next"' in html
    assert "<html" not in html
    assert 'class="announcements"' not in html
    assert 'class="filter-bar"' not in html
    assert "X-Djemaa-Fragment" in response["Vary"]
    # A fragment is part of a page already counted as a view.
    thread.refresh_from_db()
    assert thread.view_count == 0


def test_the_full_page_varies_on_the_fragment_header_too_and_counts_a_view(reader, long_thread):
    thread = long_thread(2)

    response = reader.get(thread.get_absolute_url())

    assert "X-Djemaa-Fragment" in response["Vary"]
    thread.refresh_from_db()
    assert thread.view_count == 1


def test_reading_a_page_or_a_fragment_moves_the_members_position_to_the_last_post_shown(
    member_reader, long_thread, small_pages
):
    client = member_reader()
    thread = long_thread(8)
    url = thread.get_absolute_url()

    client.get(url)
    position = ReadPosition.objects.get(user=client.member, thread=thread)
    assert position.last_read_number == 3

    client.get(url, {"page": 2}, headers={"X-Djemaa-Fragment": "1"})
    position.refresh_from_db()
    assert position.last_read_number == 6

    client.get(url)  # going back never moves the position backward
    position.refresh_from_db()
    assert position.last_read_number == 6


def test_unread_takes_a_member_to_the_first_post_after_their_position(
    member_reader, long_thread, small_pages, make_member
):
    client = member_reader()
    thread = long_thread(8)
    client.get(thread.get_absolute_url())  # read up to #3
    fourth = thread.posts.get(number=4)
    delete_post(post=fourth, actor=make_member(is_admin=True))
    fifth = thread.posts.get(number=5)

    response = client.get(reverse("threads:unread", args=[thread.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{thread.get_absolute_url()}?page=2#post-{fifth.pk}"


def test_unread_takes_a_member_who_has_read_everything_to_the_last_post(
    member_reader, long_thread, small_pages
):
    client = member_reader()
    thread = long_thread(3)
    client.get(thread.get_absolute_url())
    last = thread.posts.get(number=3)

    response = client.get(reverse("threads:unread", args=[thread.pk]))

    assert response["Location"] == f"{thread.get_absolute_url()}#post-{last.pk}"


def test_unread_takes_a_guest_to_the_first_page(reader, long_thread, small_pages):
    thread = long_thread(8)

    response = reader.get(reverse("threads:unread", args=[thread.pk]))

    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()


def test_unread_of_an_unknown_thread_is_a_404(reader, db):
    missing = (Thread.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    assert reader.get(reverse("threads:unread", args=[missing])).status_code == 404
