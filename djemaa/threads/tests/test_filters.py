from datetime import timedelta

import pytest
from django.utils import timezone

from djemaa.threads.services import mark_read

from .pages import shown_numbers


@pytest.fixture
def dated_thread(make_thread, make_post, make_member):
    """Posts #1…#6 written 2 years, 400 days, 200 days, 20 days, 3 days and 2 hours ago."""
    now = timezone.now()
    thread = make_thread(created_at=now - timedelta(days=730))
    for age in (timedelta(days=400), timedelta(days=200), timedelta(days=20), timedelta(days=3)):
        make_post(thread, created_at=now - age)
    make_post(thread, created_at=now - timedelta(hours=2))
    return thread


@pytest.mark.parametrize(
    ("chosen", "numbers"),
    [
        ("day", [6]),
        ("week", [5, 6]),
        ("month", [4, 5, 6]),
        ("year", [3, 4, 5, 6]),
        ("", [1, 2, 3, 4, 5, 6]),
    ],
)
def test_the_time_range_shows_the_posts_written_within_it(reader, dated_thread, chosen, numbers):
    response = reader.get(dated_thread.get_absolute_url(), {"range": chosen})

    assert shown_numbers(response) == numbers


@pytest.fixture
def mixed_thread(make_thread, make_post, make_member):
    """#1 starter, #2 other with a link, #3 starter quoting, #4 other, #5 starter with a link."""
    starter, other = make_member(), make_member()
    thread = make_thread(author=starter)
    make_post(thread, author=other, source="Voir https://example.org/guide")
    make_post(thread, author=starter, source="[quote=Amina]Bonjour[/quote]\n\nMerci.")
    make_post(thread, author=other, source="D'accord.")
    make_post(thread, author=starter, source="Et [ceci](https://example.org/faq).")
    return thread


@pytest.mark.parametrize(
    ("show", "numbers"),
    [("starter", [1, 3, 5]), ("links", [2, 5]), ("quotes", [3]), ("", [1, 2, 3, 4, 5])],
)
def test_show_keeps_the_starters_posts_or_those_with_links_or_quotes(
    reader, mixed_thread, show, numbers
):
    response = reader.get(mixed_thread.get_absolute_url(), {"show": show})

    assert shown_numbers(response) == numbers


def test_filters_combine(reader, make_thread, make_post, make_member):
    now = timezone.now()
    starter = make_member()
    thread = make_thread(author=starter, created_at=now - timedelta(days=30))
    make_post(thread, author=starter, created_at=now - timedelta(days=20))
    make_post(thread, author=make_member(), created_at=now - timedelta(days=2))
    make_post(thread, author=starter, created_at=now - timedelta(days=1))

    response = reader.get(thread.get_absolute_url(), {"show": "starter", "range": "week"})

    assert shown_numbers(response) == [4]


def test_new_posts_only_shows_a_member_what_follows_their_last_read(member_reader, mixed_thread):
    client = member_reader()
    mark_read(client.member, mixed_thread, 3)

    response = client.get(mixed_thread.get_absolute_url(), {"new": "1"})

    assert shown_numbers(response) == [4, 5]


def test_new_posts_only_is_ignored_for_guests(reader, mixed_thread):
    response = reader.get(mixed_thread.get_absolute_url(), {"new": "1"})

    assert shown_numbers(response) == [1, 2, 3, 4, 5]
    assert 'name="new"' not in response.content.decode()


def test_new_posts_only_keeps_its_starting_point_while_the_member_pages_through(
    member_reader, mixed_thread, settings
):
    settings.DJEMAA_POSTS_PER_PAGE = 1
    client = member_reader()
    mark_read(client.member, mixed_thread, 2)
    url = mixed_thread.get_absolute_url()

    assert shown_numbers(client.get(url, {"new": "1"})) == [3]
    assert shown_numbers(client.get(url, {"new": "1", "since": "2", "after": "3"})) == [4]
    # Reading #4 moved the member's position, yet going back still shows #3.
    back = client.get(url, {"new": "1", "since": "2", "before": "4"})
    assert shown_numbers(back) == [3]


@pytest.mark.parametrize(
    "query",
    [
        {"range": "forever", "show": "everyone", "new": "yes"},
        {"range": "", "show": ""},
        {"range": "DAY", "show": "Starter"},
        {"after": "abc", "before": "-2"},
        {"range": "day\x00", "show": "links'--"},
    ],
)
def test_unknown_filter_values_fall_back_to_the_whole_thread(reader, mixed_thread, query):
    response = reader.get(mixed_thread.get_absolute_url(), query)

    assert response.status_code == 200
    assert shown_numbers(response) == [1, 2, 3, 4, 5]


def test_invalid_keyset_positions_in_a_filtered_view_start_from_the_beginning(reader, mixed_thread):
    url = mixed_thread.get_absolute_url()

    for position in ({"after": "x"}, {"before": "٣"}, {"after": "9" * 30}):
        response = reader.get(url, {"show": "starter", **position})
        assert response.status_code == 200
        assert shown_numbers(response) == [1, 3, 5]


def test_a_filtered_view_pages_by_post_number_and_its_links_carry_the_filters(
    reader, mixed_thread, settings
):
    settings.DJEMAA_POSTS_PER_PAGE = 2
    url = mixed_thread.get_absolute_url()

    first = reader.get(url, {"show": "starter"})
    assert shown_numbers(first) == [1, 3]
    html = first.content.decode()
    assert f'href="{url}?show=starter&amp;after=3" rel="next"' in html
    assert 'rel="prev"' not in html

    second = reader.get(url, {"show": "starter", "after": "3"})
    assert shown_numbers(second) == [5]
    html = second.content.decode()
    assert 'rel="next"' not in html
    assert f'href="{url}?show=starter&amp;before=4" rel="prev"' in html

    back = reader.get(url, {"show": "starter", "before": "4"})
    assert shown_numbers(back) == [1, 3]


def test_a_filtered_view_with_no_match_says_so_and_offers_to_clear_the_filters(reader, make_thread):
    thread = make_thread()

    response = reader.get(thread.get_absolute_url(), {"show": "quotes"})

    html = response.content.decode()
    assert shown_numbers(response) == []
    assert "No posts match these filters." in html
    assert f'<a class="clear-filters" href="{thread.get_absolute_url()}">Clear all</a>' in html


def test_the_filter_bar_shows_the_chosen_filters_and_clear_all_only_when_filtered(
    member_reader, mixed_thread
):
    client = member_reader()
    url = mixed_thread.get_absolute_url()

    plain = client.get(url).content.decode()
    assert 'class="clear-filters"' not in plain
    assert '<form class="filter-bar" method="get"' in plain

    filtered = client.get(url, {"range": "week", "show": "links", "new": "1"}).content.decode()
    assert '<option value="week" selected>' in filtered
    assert '<option value="links" selected>' in filtered
    assert 'name="new" value="1" checked' in filtered
    assert 'class="clear-filters"' in filtered


def test_a_filtered_page_costs_as_many_queries_deep_in_the_thread_as_at_its_start(
    reader, make_thread, make_post, make_member, settings, django_assert_num_queries
):
    settings.DJEMAA_POSTS_PER_PAGE = 2
    starter = make_member()
    thread = make_thread(author=starter)
    for _ in range(20):
        make_post(thread, author=starter)
    url = thread.get_absolute_url()

    for query in ("show=starter", "show=starter&after=17", "show=starter&before=5"):
        # 8: as an unfiltered page (test_paging), whatever the filter and the position.
        with django_assert_num_queries(8) as captured:
            reader.get(f"{url}?{query}")
        assert not any("OFFSET" in q["sql"].upper() for q in captured.captured_queries)
