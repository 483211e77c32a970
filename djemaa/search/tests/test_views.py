"""The results page and /search.json: what they show, and what they never show."""

import json

import pytest
from django.urls import reverse


@pytest.fixture
def page(client, db):
    def get(**params):
        return client.get(reverse("search:search"), params)

    return get


@pytest.fixture
def data(client, db):
    def get(status=200, **params):
        response = client.get(reverse("search:search_json"), params)
        assert response.status_code == status
        return json.loads(response.content)

    return get


def test_the_empty_page_shows_the_form(page):
    response = page()
    assert response.status_code == 200
    assert b'name="q"' in response.content
    assert b"No posts match" not in response.content


def test_a_result_shows_title_forum_author_date_and_a_highlighted_snippet(
    page, indexed_thread, make_member, make_forum
):
    forum = make_forum(title="Le Souk")
    amina = make_member(username="Amina")
    thread = indexed_thread(
        title="Figues d'Oran", source="Qui vend des <figues> à Oran ?", author=amina, category=forum
    )
    html = page(q="oran").content.decode()
    assert "Figues d&#x27;<mark>Oran</mark>" in html
    assert "Le Souk" in html and "Amina" in html
    assert "Qui vend des &lt;figues&gt; à <mark>Oran</mark> ?" in html
    assert thread.posts.get().get_absolute_url() in html
    assert "1 post found" in html


def test_no_results_offers_a_suggestion(page, indexed_thread):
    indexed_thread(source="La ville de Tlemcen")
    html = page(q="Tlemcem").content.decode()
    assert "No posts match your search." in html
    assert "?q=tlemcen" in html


@pytest.mark.parametrize(
    "text",
    ['"unclosed', "le la les", "x" * 10240, "a\x00\x1b\u202eb", "author:", "before:2021-99-99"],
)
def test_malformed_queries_give_a_page_never_an_error(page, data, text):
    assert page(q=text).status_code == 200
    assert data(q=text)["total"] == 0


def test_a_hidden_post_appears_neither_on_the_page_nor_in_json(
    page, data, indexed_thread, private_forum
):
    indexed_thread(title="Secret", source="Oran secret", category=private_forum)
    html = page(q="secret").content.decode()
    assert "Secret" not in html.replace("Search: secret", "")
    assert "1 post" not in html
    assert data(q="secret") == {
        "query": "secret",
        "total": 0,
        "more": False,
        "page": 1,
        "pages": 1,
        "notes": [],
        "suggestion": None,
        "results": [],
    }


def test_json_gives_the_results_as_data(data, indexed_thread):
    thread = indexed_thread(title="Oran", source="الجزائر et Oran")
    found = data(q="جزائر")
    assert found["total"] == 1
    result = found["results"][0]
    assert result["thread"] == {
        "id": thread.pk,
        "title": "Oran",
        "url": thread.get_absolute_url(),
    }
    assert result["snippet_html"] == "<mark>الجزائر</mark> et Oran"
    assert result["url"] == thread.posts.get().get_absolute_url()


def test_pages_of_results(page, data, indexed_thread, settings):
    for _ in range(21):
        indexed_thread(source="Oran")
    assert data(q="oran")["pages"] == 2
    assert len(data(q="oran", page="2")["results"]) == 1
    assert page(q="oran", page="3").status_code == 404
    assert data(status=404, q="oran", page="3") == {"error": "There is no such page."}
    assert page(q="oran", page="x").status_code == 404


def test_searching_in_one_thread(data, indexed_thread, indexed_post):
    thread = indexed_thread(source="Oran")
    indexed_thread(source="Oran")
    assert [r["thread"]["id"] for r in data(q="oran", thread=str(thread.pk))["results"]] == [
        thread.pk
    ]


def test_the_result_list_costs_a_fixed_number_of_queries(
    client, indexed_thread, django_assert_max_num_queries
):
    for _ in range(10):
        indexed_thread(source="Oran")
    # As in test_search's count, with the page's own (the session, the rights).
    with django_assert_max_num_queries(10):
        client.get(reverse("search:search"), {"q": "oran"})


def test_titles_only_and_sort_options_are_read(data, indexed_thread):
    titled = indexed_thread(title="Tlemcen", source="Rien")
    indexed_thread(title="Autre", source="Tlemcen")
    assert [r["thread"]["id"] for r in data(q="tlemcen", titles="1")["results"]] == [titled.pk]
    assert data(q="tlemcen", sort="nonsense")["total"] == 2


def test_counting_stops_past_the_limit(page, data, indexed_thread, monkeypatch):
    monkeypatch.setattr("djemaa.search.views.COUNT_LIMIT", 3)
    monkeypatch.setattr("djemaa.search.backends.COUNT_LIMIT", 3)
    for _ in range(5):
        indexed_thread(source="Oran")
    found = data(q="oran")
    assert (found["total"], found["more"], found["pages"]) == (3, True, 1)
    assert "More than 3 posts found" in page(q="oran").content.decode()
