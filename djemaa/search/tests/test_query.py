"""The query language, and malformed input: each gives a sensible query and a note."""

from datetime import date

import pytest
from django.utils.translation import override

from djemaa.search.analyser import terms
from djemaa.search.query import MAX_PARTS, MAX_QUERY_LENGTH, parse


@pytest.fixture(autouse=True)
def in_english():
    with override("en"):
        yield


def words_of(query):
    return [[alt.terms for alt in clause] for clause in query.clauses]


def test_every_word_is_a_clause_of_its_own():
    query = parse("Algérie élections")
    assert words_of(query) == [[tuple(terms("Algérie"))], [tuple(terms("élections"))]]
    assert query.notes == []


def test_a_quoted_phrase_keeps_its_words_in_order():
    query = parse('"armée de libération"')
    assert words_of(query) == [[tuple(terms("armée libération"))]]


def test_a_minus_excludes_a_word_or_a_phrase():
    query = parse('oran -football -"coupe du monde"')
    assert [alt.terms for alt in query.excluded] == [
        tuple(terms("football")),
        tuple(terms("coupe monde")),
    ]


def test_or_joins_the_words_on_each_side():
    query = parse("oran OR alger tlemcen")
    assert words_of(query) == [
        [tuple(terms("oran")), tuple(terms("alger"))],
        [tuple(terms("tlemcen"))],
    ]


def test_a_dangling_or_is_ignored():
    assert words_of(parse("OR oran OR")) == [[tuple(terms("oran"))]]


def test_filters_are_read():
    query = parse('author:"Amina B" forum:12 thread:7 after:2020-01-01 before:2021-02-03 oran')
    assert query.author == "Amina B"
    assert query.forum == "12"
    assert query.thread == 7
    assert query.after == date(2020, 1, 1)
    assert query.before == date(2021, 2, 3)
    assert words_of(query) == [[tuple(terms("oran"))]]


def test_a_bad_date_is_ignored_with_a_note():
    query = parse("before:2021-13-40 oran")
    assert query.before is None
    assert query.notes == ["“before:2021-13-40” was ignored: write dates as YYYY-MM-DD."]


def test_a_thread_filter_needs_a_number():
    query = parse("thread:abc")
    assert query.thread is None
    assert "thread number" in query.notes[0]


def test_an_empty_filter_is_ignored_with_a_note():
    assert parse("author: oran").notes[0] == "“author:” was ignored: it needs a value."


def test_an_unknown_key_is_searched_as_text():
    assert words_of(parse("foo:bar")) == [[tuple(terms("foo bar"))]]


def test_an_unbalanced_quote_closes_at_the_end():
    query = parse('"armée de libération')
    assert words_of(query) == [[tuple(terms("armée libération"))]]
    assert "quotation mark" in query.notes[0]


def test_only_stop_words_give_an_empty_query_with_a_note():
    query = parse("le la les في من")
    assert query.is_empty
    assert query.notes == ["Some words were left out: they are too common or too long."]


def test_ten_kilobytes_of_input_are_cut_with_a_note():
    query = parse("oran " * 2048)
    assert "too long" in query.notes[0]
    assert len(query.clauses) <= MAX_PARTS
    assert any(str(MAX_QUERY_LENGTH) in note for note in query.notes)


def test_too_many_words_are_cut_with_a_note():
    query = parse(" ".join(f"mot{i}" for i in range(40)))
    assert len(query.clauses) == MAX_PARTS
    assert query.notes[-1] == f"Only the first {MAX_PARTS} words of your search were used."


def test_control_and_format_characters_count_as_spaces():
    query = parse("oran\x00alger\u202etlemcen\x1b")
    assert words_of(query) == [[(t,)] for t in terms("oran alger tlemcen")]


def test_a_word_that_analyses_to_several_terms_is_a_phrase():
    assert words_of(parse("covid-19")) == [[tuple(terms("covid 19"))]]


def test_nothing_typed_is_an_empty_query():
    assert parse("").is_empty
    assert parse("   ").is_empty
    assert parse(None).is_empty


def test_a_negated_filter_is_searched_as_text():
    assert [alt.terms for alt in parse("oran -author:x").excluded] == [tuple(terms("author x"))]


def test_only_excluded_words_give_an_empty_query_with_a_note():
    query = parse("-football")
    assert query.is_empty and query.excluded == []
    assert query.notes == ["A minus only leaves posts out: add a word to look for."]


def test_an_excluded_word_or_phrase_found_in_every_match_excludes_everything():
    for text in ["oran -oran", '"oran alger" -alger', 'oran "alger tlemcen" -"alger tlemcen"']:
        assert parse(text).excludes_every_match(), text
    assert parse("Oran -ORANS").excludes_every_match()  # the same term
    for text in [
        "oran -alger",
        'oran -"oran alger"',
        '"oran alger" -"alger oran"',
        "oran OR alger -oran",
    ]:
        assert not parse(text).excludes_every_match(), text
