import pytest
from django.http import Http404
from django.test import RequestFactory

from djemaa.core.pagination import pagination_for, requested_page_number


def request_for(url: str):
    return RequestFactory().get(url)


@pytest.mark.parametrize(("url", "number"), [("/f/", 1), ("/f/?page=", 1), ("/f/?page=7", 7)])
def test_the_page_number_comes_from_the_query_string(url, number):
    assert requested_page_number(request_for(url)) == number


@pytest.mark.parametrize("value", ["0", "-2", "x", "٣", " 3", "1e3", "9" * 20])
def test_a_page_number_that_names_no_page_is_not_found(value):
    with pytest.raises(Http404):
        requested_page_number(request_for(f"/f/?page={value}"))


def test_links_show_a_window_around_the_current_page_and_the_ends():
    nav = pagination_for(request_for("/f/?page=6"), 6, 20)
    assert [link.number for link in nav.window] == [4, 5, 6, 7, 8]
    assert nav.first.url == "/f/"
    assert nav.previous.url == "/f/?page=5"
    assert nav.next.url == "/f/?page=7"
    assert nav.last.url == "/f/?page=20"


def test_the_first_and_last_pages_have_no_links_beyond_them():
    first = pagination_for(request_for("/f/"), 1, 3)
    assert first.first is first.previous is None
    assert [link.number for link in first.window] == [1, 2, 3]
    last = pagination_for(request_for("/f/?page=3"), 3, 3)
    assert last.next is last.last is None


def test_links_keep_the_other_parameters_and_encode_the_path():
    nav = pagination_for(request_for("/f/3-النقاش/?author=Amina&page=2"), 2, 3)
    assert nav.next.url == "/f/3-%D8%A7%D9%84%D9%86%D9%82%D8%A7%D8%B4/?author=Amina&page=3"
    assert nav.previous.url == "/f/3-%D8%A7%D9%84%D9%86%D9%82%D8%A7%D8%B4/?author=Amina"


def test_a_single_page_has_no_other_pages():
    assert not pagination_for(request_for("/f/"), 1, 1).has_other_pages
