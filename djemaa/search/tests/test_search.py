"""Searching: matching, the query language against the index, filters, ranking, snippets,
and permission filtering (on SQLite and, with DATABASE_URL, on PostgreSQL)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from djemaa.permissions.models import Right
from djemaa.posts.services import delete_post
from djemaa.search import services
from djemaa.search.query import parse

# PostgreSQL: each post's document holds its block of ids, one per this many ids (migrations
# search.0003 and 0004).
ID_BLOCK = 4096


def opening(thread):
    return thread.posts.get(number=1)


def test_a_word_finds_the_post_in_any_of_its_forms(indexed_thread, found):
    thread = indexed_thread(source="Les négociations ont repris à Alger.")
    guest = AnonymousUser()
    for typed in ["négocier", "negocie", "NÉGOCIATION", "alger"]:
        assert found(guest, typed) == [opening(thread).pk], typed


def test_arabic_is_found_with_or_without_diacritics_and_article(indexed_thread, found):
    thread = indexed_thread(source="زرتُ المَدْرَسَةَ في الجزائر")
    for typed in ["مدرسة", "المدرسه", "والمدرسة", "مَدرسة", "جزائر"]:
        assert found(AnonymousUser(), typed) == [opening(thread).pk], typed


def test_all_words_must_match(indexed_thread, found):
    both = indexed_thread(source="Oran et Alger")
    indexed_thread(source="Oran seulement")
    assert found(AnonymousUser(), "oran alger") == [opening(both).pk]


def test_a_phrase_needs_its_words_together(indexed_thread, found):
    together = indexed_thread(source="Le front de libération nationale")
    indexed_thread(source="La libération du front")
    assert found(AnonymousUser(), '"front libération"') == [opening(together).pk]


def test_a_phrase_needs_all_its_words_in_order_not_only_each_pair(indexed_thread, found):
    # Every pair of the phrase is in the second post, but not the phrase: positions decide.
    together = indexed_thread(source="Le front de libération nationale")
    indexed_thread(source="Un front de libération, la libération nationale")
    indexed_thread(source="Nationale libération front")
    guest = AnonymousUser()
    assert found(guest, '"front libération nationale"') == [opening(together).pk]
    assert services.run_search(guest, '"front libération nationale"').total == 1


def test_a_phrase_among_alternatives_or_next_to_words(indexed_thread, found):
    phrase = indexed_thread(source="Le front de libération à Oran")
    word = indexed_thread(source="Alger")
    indexed_thread(source="La libération du front à Oran")
    guest = AnonymousUser()
    assert set(found(guest, '"front libération" OR alger')) == {
        opening(phrase).pk,
        opening(word).pk,
    }
    assert found(guest, 'oran "front libération"') == [opening(phrase).pk]
    assert found(guest, '"libération à oran"') == [opening(phrase).pk]  # a stop word between


def test_a_phrase_in_titles_only(indexed_thread, found):
    titled = indexed_thread(title="Front de libération", source="Rien")
    indexed_thread(title="Libération du front", source="Front de libération")
    assert found(AnonymousUser(), '"front libération"', titles_only=True) == [opening(titled).pk]


def test_a_minus_word_excludes(indexed_thread, found):
    kept = indexed_thread(source="Match à Oran")
    indexed_thread(source="Match de football à Oran")
    assert found(AnonymousUser(), "oran -football") == [opening(kept).pk]


def test_excluding_what_every_match_holds_finds_nothing(indexed_thread, found):
    indexed_thread(source="Le front de libération à Oran")
    guest = AnonymousUser()
    for text in ["oran -oran", '"front libération" -libération', '"front libération" -front']:
        assert found(guest, text) == [], text
        assert services.run_search(guest, text).total == 0, text


def test_a_minus_phrase_excludes_the_phrase_only(indexed_thread, found):
    apart = indexed_thread(source="La libération du front à Oran")
    indexed_thread(source="Le front de libération à Oran")
    assert found(AnonymousUser(), 'oran -"front libération"') == [opening(apart).pk]


def test_or_finds_either(indexed_thread, found):
    oran = indexed_thread(source="Oran")
    alger = indexed_thread(source="Alger")
    assert set(found(AnonymousUser(), "oran OR alger")) == {opening(oran).pk, opening(alger).pk}


def test_titles_only_searches_thread_titles(indexed_thread, found):
    titled = indexed_thread(title="Le marché de Tlemcen", source="Venez nombreux")
    indexed_thread(title="Autre chose", source="Tlemcen est belle")
    assert found(AnonymousUser(), "tlemcen", titles_only=True) == [opening(titled).pk]


def test_a_title_match_ranks_above_a_text_match(indexed_thread, found):
    in_text = indexed_thread(title="Divers", source="On parle de Tlemcen ici")
    in_title = indexed_thread(title="Tlemcen", source="On parle de la ville ici")
    assert found(AnonymousUser(), "tlemcen") == [opening(in_title).pk, opening(in_text).pk]


def test_the_title_matches_once_per_thread(indexed_thread, indexed_post, found):
    thread = indexed_thread(title="Tlemcen", source="Premier")
    indexed_post(thread, source="Deuxième")
    assert found(AnonymousUser(), "tlemcen") == [opening(thread).pk]


def test_sorting_by_date_puts_the_newest_first(indexed_thread, found):
    older = indexed_thread(source="Oran", created_at=timezone.now() - timedelta(days=30))
    newer = indexed_thread(source="Oran oran oran")
    assert found(AnonymousUser(), "oran", order="date") == [opening(newer).pk, opening(older).pk]


def test_filters_narrow_the_results(indexed_thread, make_member, make_forum, found):
    amina = make_member(username="Amina")
    forum = make_forum(title="Le Souk")
    by_amina = indexed_thread(source="Oran", author=amina)
    in_souk = indexed_thread(source="Oran", category=forum)
    guest = AnonymousUser()
    assert found(guest, "oran author:amina") == [opening(by_amina).pk]
    assert found(guest, f"oran forum:{forum.pk}") == [opening(in_souk).pk]
    assert found(guest, 'oran forum:"le souk"') == [opening(in_souk).pk]
    assert found(guest, f"oran thread:{by_amina.pk}") == [opening(by_amina).pk]


def test_a_forum_filter_takes_in_its_sub_forums(indexed_thread, make_forum, found):
    forum = make_forum(title="Régions")
    sub = make_forum(title="Ouest", parent=forum)
    thread = indexed_thread(source="Oran", category=sub)
    assert found(AnonymousUser(), f"oran forum:{forum.pk}") == [opening(thread).pk]


def test_date_filters(indexed_thread, found):
    now = timezone.now()
    old = indexed_thread(source="Oran", created_at=now - timedelta(days=400))
    new = indexed_thread(source="Oran")
    cut = (now - timedelta(days=200)).date().isoformat()
    assert found(AnonymousUser(), f"oran before:{cut}") == [opening(old).pk]
    assert found(AnonymousUser(), f"oran after:{cut}") == [opening(new).pk]


def test_filters_alone_list_the_newest_matching_posts(indexed_thread, make_member, found):
    amina = make_member(username="Amina")
    first = indexed_thread(source="Un", author=amina, created_at=timezone.now() - timedelta(1))
    second = indexed_thread(source="Deux", author=amina)
    assert found(AnonymousUser(), "author:Amina") == [opening(second).pk, opening(first).pk]


def test_an_unknown_forum_gives_nothing_and_says_so(indexed_thread):
    indexed_thread(source="Oran")
    results = services.run_search(AnonymousUser(), "oran forum:Nulle-part")
    assert results.total == 0
    assert results.query.notes == ["There is no forum “Nulle-part”."]


def test_a_post_in_a_hidden_forum_never_appears(indexed_thread, private_forum, found):
    indexed_thread(source="Oran secret", category=private_forum)
    visible = indexed_thread(source="Oran public")
    assert found(AnonymousUser(), "oran") == [opening(visible).pk]
    assert services.run_search(AnonymousUser(), "secret").total == 0


def test_a_hidden_forum_is_not_found_by_a_forum_filter(indexed_thread, private_forum):
    indexed_thread(source="Oran", category=private_forum)
    results = services.run_search(AnonymousUser(), f"oran forum:{private_forum.pk}")
    assert results.total == 0
    assert results.query.notes == [f"There is no forum “{private_forum.pk}”."]


def test_a_forum_one_may_see_but_not_read_gives_nothing(
    indexed_thread, make_forum, set_rights, found
):
    forum = make_forum()
    set_rights(forum, "guests", refuse=Right.READ)
    indexed_thread(source="Oran", category=forum)
    assert found(AnonymousUser(), "oran") == []


def test_an_administrator_finds_posts_everywhere(indexed_thread, private_forum, admin, found):
    thread = indexed_thread(source="Oran", category=private_forum)
    assert found(admin, "oran") == [opening(thread).pk]


def test_a_deleted_post_shows_to_moderators_only(indexed_thread, indexed_post, admin, found):
    thread = indexed_thread(source="Premier")
    post = indexed_post(thread, source="Oran supprimé")
    delete_post(post=post, actor=admin)
    assert found(AnonymousUser(), "oran") == []
    assert found(admin, "oran") == [post.pk]


def test_a_suggestion_is_offered_for_a_misspelt_word(indexed_thread):
    indexed_thread(source="La ville de Tlemcen")
    results = services.run_search(AnonymousUser(), "Tlemcem")
    assert results.total == 0
    assert results.suggestion == "tlemcen"


def test_a_suggestion_never_comes_from_a_hidden_forum(indexed_thread, private_forum):
    indexed_thread(source="Tlemcen", category=private_forum)
    assert services.run_search(AnonymousUser(), "Tlemcem").suggestion is None


def test_an_arabic_suggestion(indexed_thread):
    indexed_thread(source="مدينة تلمسان")
    results = services.run_search(AnonymousUser(), "تلمصان")
    assert results.suggestion == "تلمسان"


def test_the_snippet_shows_the_original_text_around_the_matches_highlighted():
    text = "Début. " + "bla " * 100 + "Les Négociations <b> reprennent " + "bla " * 100
    html = services.snippet(text, {t for t in parse("négocier").matched_terms()})
    assert "<mark>Négociations</mark> &lt;b&gt; reprennent" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html) < 400


def test_the_snippet_of_a_short_text_is_the_whole_text():
    html = services.snippet("Vive l'Algérie", parse("algerie").matched_terms())
    assert html == "Vive l&#x27;<mark>Algérie</mark>"


def test_an_arabic_snippet_highlights_the_word_with_its_marks():
    html = services.snippet("زرتُ المَدْرَسَةَ", parse("مدرسة").matched_terms())
    assert html == "زرتُ <mark>المَدْرَسَةَ</mark>"


def test_results_come_with_their_thread_forum_and_author_in_few_queries(
    indexed_thread, django_assert_max_num_queries
):
    for _ in range(5):
        indexed_thread(source="Oran")
    guest = AnonymousUser()
    # The rights (2), the matches, the posts; on PostgreSQL the matches are a savepoint, its
    # setting, the highest id with the planner's settings, two steps and the settings put
    # back (backends.PostgreSQLBackend.newest).
    with django_assert_max_num_queries(10):
        results = services.run_search(guest, "oran")
        for post in results.posts:
            str(post.thread.title), str(post.thread.category.title), str(post.author.username)
    assert results.total == 5


def test_hidden_matches_take_no_place_among_the_counted_and_ranked(
    indexed_thread, private_forum, found, monkeypatch
):
    monkeypatch.setattr("djemaa.search.backends.COUNT_LIMIT", 2)
    older = [indexed_thread(source="Oran") for _ in range(2)]
    for _ in range(3):  # the newest matches, all hidden from guests
        indexed_thread(source="Oran", category=private_forum)
    assert set(found(AnonymousUser(), "oran")) == {opening(thread).pk for thread in older}
    assert services.run_search(AnonymousUser(), "oran").total == 2


def test_relevance_ranks_the_newest_matches_past_the_count_limit(indexed_thread, monkeypatch):
    monkeypatch.setattr("djemaa.search.backends.COUNT_LIMIT", 2)
    oldest = indexed_thread(title="Oran", source="Oran Oran")  # the best match, but too old
    newer = [indexed_thread(source="Oran") for _ in range(3)]
    results = services.run_search(AnonymousUser(), "oran", limit=10)
    assert results.total == 3  # "more than 2"
    assert {post.pk for post in results.posts} == {opening(thread).pk for thread in newer}
    assert opening(oldest).pk not in {post.pk for post in results.posts}


def test_the_newest_matches_are_found_below_many_newer_posts(
    indexed_thread, indexed_post, monkeypatch
):
    # PostgreSQL looks among the newest ids first (16 × 2 of them here), then further back.
    monkeypatch.setattr("djemaa.search.backends.COUNT_LIMIT", 1)
    older = [indexed_thread(source="Oran") for _ in range(2)]
    newer = indexed_thread(source="Rien")
    for _ in range(40):
        indexed_post(newer, source="Rien")
    results = services.run_search(AnonymousUser(), "oran")
    assert results.total == 2
    assert {post.pk for post in results.posts} == {opening(thread).pk for thread in older}


def test_pages_by_date_go_through_every_match(indexed_thread):
    threads = [indexed_thread(source="Oran") for _ in range(5)]
    query = parse("oran")
    first = services.search(AnonymousUser(), query, order="date", limit=2)
    rest = services.search(AnonymousUser(), query, order="date", offset=2, limit=3)
    assert [post.pk for post in first + rest] == [opening(t).pk for t in reversed(threads)]


def test_a_hidden_post_stays_hidden_under_an_author_or_thread_filter(
    indexed_thread, make_member, private_forum, found
):
    amina = make_member(username="Amina")
    hidden = indexed_thread(source="Oran", author=amina, category=private_forum)
    shown = indexed_thread(source="Oran", author=amina)
    guest = AnonymousUser()
    assert found(guest, "oran author:Amina") == [opening(shown).pk]
    assert found(guest, f"oran thread:{hidden.pk}") == []
    assert services.run_search(guest, f"oran thread:{hidden.pk}").total == 0


def test_an_unknown_author_gives_nothing_and_says_so(indexed_thread):
    indexed_thread(source="Oran")
    results = services.run_search(AnonymousUser(), "oran author:Personne")
    assert results.total == 0
    assert results.query.notes == ["There is no member “Personne”."]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's index (migration search.0003)"
)


def _document_holds(post_id: int, lexeme: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document @@ %s::tsquery FROM search_postentry WHERE post_id = %s",
            ["'{}'".format(lexeme.replace("'", "''")), post_id],
        )
        return cursor.fetchone()[0]


@postgresql_only
def test_the_document_holds_adjacent_pairs_and_its_block_of_ids(indexed_thread):
    post = opening(indexed_thread(title="Marché de Tlemcen", source="Front de libération"))
    for pair in ["march tlemcen", "tlemcen front", "front liber"]:
        assert _document_holds(post.pk, pair), pair
    assert not _document_holds(post.pk, "liber front")
    assert _document_holds(post.pk, f" #{post.pk // ID_BLOCK}")
    assert not _document_holds(post.pk, f" #{post.pk // ID_BLOCK + 1}")


@postgresql_only
def test_a_phrase_with_a_term_the_parser_drops_asks_for_no_pairs(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_with_adjacent_pairs(to_tsquery('simple', 'x'), %s::text[])::text",
            [["a - b", "c d e"]],
        )
        assert cursor.fetchone()[0] == "'x' & 'c d' & 'd e'"


@pytest.fixture
def post_ids_from(db):
    """post_ids_from(n): the next posts get ids from n + 1 on. The sequence is put back
    afterwards: it is not rolled back with the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('posts_post', 'id')")
        (sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        was = cursor.fetchone()

    def move(value: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(%s, %s)", [sequence, value])

    yield move
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(%s, %s, %s)", [sequence, *was])


@postgresql_only
def test_postgresql_finds_the_newest_matches_block_by_block(
    indexed_thread, post_ids_from, monkeypatch
):
    # Blocks of ids 0, 150 and 200: the newest window finds one, the next ones the others.
    monkeypatch.setattr("djemaa.search.backends.COUNT_LIMIT", 2)
    oldest = indexed_thread(source="Oran")
    placed = []
    for block in (150, 200):
        post_ids_from(block * ID_BLOCK)
        placed.append(indexed_thread(source="Oran"))
    indexed_thread(source="Rien")
    results = services.run_search(AnonymousUser(), "oran", limit=10)
    assert results.total == 3
    assert {post.pk for post in results.posts} == {
        opening(thread).pk for thread in (oldest, *placed)
    }
    with connection.cursor() as cursor:  # the planner's settings are as they were
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan')"
        )
        assert cursor.fetchone() == ("on", "on")


@postgresql_only
def test_postgresql_newest_matches_are_those_of_the_whole_index_whatever_the_windows(
    indexed_thread, post_ids_from
):
    # Matches in blocks far apart, two in the newest: windows sized from a rate of matches
    # per block that fits no other block.
    for place, block in enumerate((0, 3, 60, 130, 198, 200, 200)):
        post_ids_from(block * ID_BLOCK + 10 * place + 10)
        indexed_thread(source="Oran")
    indexed_thread(source="Rien")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(post_id ORDER BY post_id DESC) FROM search_postentry"
            " WHERE document @@ 'oran'"
        )
        (every,) = cursor.fetchone()
        assert len(every) == 7
        for wanted in (1, 2, 3, 5, 7, 8, None):
            cursor.execute(
                "SELECT search_newest_ids('oran', %s, MAX(post_id), NULL::bigint[])"
                " FROM search_postentry",
                [wanted],
            )
            assert cursor.fetchone()[0] == every[:wanted], wanted
