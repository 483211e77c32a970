import pytest
from django.utils.translation import override

from djemaa.markup.render import (
    drop_quotes_of,
    find_quote_refs,
    hide_quotes,
    localize_quote_headers,
    quoted_post_ids,
    rewrite_quote_refs,
)

SOURCE_LINK = (
    '<a class="quote-source" dir="auto" href="/p/12/" rel="nofollow ugc noopener">Amina</a>'
)


def test_a_named_quote_with_a_reference_links_the_author_to_the_post(render):
    rendered = render("[quote=Amina;12]Bonjour[/quote]")
    assert rendered.html == (
        '<blockquote class="quote" data-post="12" dir="auto"><div class="quote-header">'
        f"\ue000{SOURCE_LINK}\ue001</div>"
        '<p dir="auto">Bonjour</p>\n</blockquote>'
    )
    assert rendered.has_quotes and rendered.quoted_post_ids == (12,)


def test_the_quote_header_reads_in_english(render):
    with override("en"):
        html = localize_quote_headers(render("[quote=Amina;12]Bonjour[/quote]").html)
    assert f'<div class="quote-header">{SOURCE_LINK} wrote:</div>' in html
    assert "\ue000" not in html and "\ue001" not in html


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_quote_header_keeps_the_author_link_in_other_languages(render, language):
    with override(language):
        html = localize_quote_headers(render("[quote=Amina;12]Bonjour[/quote]").html)
    assert SOURCE_LINK in html
    assert "\ue000" not in html and "\ue001" not in html


def test_a_quote_header_is_not_a_link_of_the_post(render):
    assert not render("[quote=Amina;12]Bonjour[/quote]").has_links


def test_a_named_quote_without_reference_shows_the_name_without_link(render):
    rendered = render("[quote=Amina]Bonjour[/quote]")
    assert '<span class="quote-author" dir="auto">Amina</span>' in rendered.html
    assert "<a" not in rendered.html and rendered.quoted_post_ids == ()
    with override("en"):
        assert "Amina</span> wrote:" in localize_quote_headers(rendered.html)


def test_an_anonymous_quote_gets_a_plain_header(render):
    rendered = render("[quote]Bonjour[/quote]")
    assert '<div class="quote-header">\ue000\ue001</div>' in rendered.html
    with override("en"):
        assert '<div class="quote-header">Quote</div>' in localize_quote_headers(rendered.html)


def test_quote_tags_are_case_insensitive(render):
    rendered = render("[QUOTE=Amina;12345]x[/QuOtE]")
    assert rendered.has_quotes and rendered.quoted_post_ids == (12345,)


def test_a_username_may_contain_spaces(render):
    html = render("[quote=Jean Pierre;7]x[/quote]").html
    assert '<a class="quote-source" dir="auto" href="/p/7/"' in html
    assert ">Jean Pierre</a>" in html


def test_a_quoted_username_may_be_in_double_quotes(render):
    assert ">Jean Pierre</span>" in render('[quote="Jean Pierre"]x[/quote]').html


def test_an_arabic_username_is_kept(render):
    rendered = render("[quote=أمينة;9]مرحبا[/quote]")
    assert 'href="/p/9/" rel="nofollow ugc noopener">أمينة</a>' in rendered.html
    with override("ar"):
        assert ">أمينة</a>" in localize_quote_headers(rendered.html)


def test_a_nested_quote_keeps_every_header(render):
    rendered = render("[quote=A;1]one [quote=B;2]two [quote]three[/quote][/quote][/quote]after")
    html = rendered.html
    assert html.count('<blockquote class="quote"') == 3
    assert html.count("</blockquote>") == 3
    assert html.index(">A</a>") < html.index(">B</a>") < html.index("three")
    assert html.endswith('</blockquote></blockquote></blockquote><p dir="auto">after</p>\n')
    assert rendered.quoted_post_ids == (1, 2)


def test_quoted_post_ids_are_in_order_without_repeats(render):
    rendered = render("[quote=A;5]x[/quote][quote=B;3]y[/quote][quote=A;5]z[/quote]")
    assert rendered.quoted_post_ids == (5, 3)


def test_the_content_of_a_quote_is_markdown(render):
    html = render("[quote=A;1]\n# Title\n- **one**\n- two\n[/quote]").html
    assert '<h3 dir="auto">Title</h3>' in html and "<strong>one</strong>" in html
    assert html.index("<ul>") < html.index("</blockquote>")


def test_a_quote_in_the_middle_of_a_line_is_its_own_block(render):
    html = render("before [quote]inside[/quote] after").html
    assert html == (
        '<p dir="auto">before</p>\n<blockquote class="quote" dir="auto">'
        '<div class="quote-header">\ue000\ue001</div><p dir="auto">inside</p>\n'
        '</blockquote><p dir="auto">after</p>\n'
    )


@pytest.mark.parametrize(
    "source",
    [
        "[quote]never closed",
        "closed but never opened[/quote]",
        "[quote=A;1][quote]one closed[/quote]",
        "[/quote][quote]",
        "[quote=A;1",
        "[quote=]x[/quote",
    ],
)
def test_an_unbalanced_quote_tag_stays_visible_text(render, source):
    rendered = render(source)
    text = rendered.html.replace("<blockquote", "").replace("</blockquote>", "")
    assert "[quote" in text or "[/quote" in text
    assert rendered.html.count("<blockquote") == rendered.html.count("</blockquote>")


def test_an_extra_opening_tag_leaves_the_balanced_pair_quoted(render):
    rendered = render("[quote=A;1][quote]one closed[/quote]")
    assert rendered.html.count('<blockquote class="quote"') == 1
    assert "[quote=A;1]" in rendered.html and rendered.quoted_post_ids == ()


def test_quote_tags_in_code_stay_literal(render):
    rendered = render(
        "`[quote]x[/quote]`\n\n```\n[quote=A;1]y[/quote]\n```\n\n    [quote]z[/quote]"
    )
    assert "<blockquote" not in rendered.html and not rendered.has_quotes
    assert rendered.html.count("[quote") == 3


def test_a_code_span_cannot_hide_a_closing_tag_in_another_paragraph(render):
    rendered = render("[quote]a ` b\n\nc ` d[/quote]")
    assert rendered.has_quotes


def test_a_backslash_escapes_a_quote_tag(render):
    rendered = render("\\[quote]x[/quote]")
    assert not rendered.has_quotes and "[quote]x[/quote]" in rendered.html


def test_five_hundred_nested_quotes_render(render):
    rendered = render("[quote=a;1]" * 500 + "deep" + "[/quote]" * 500)
    assert rendered.html.count('<blockquote class="quote"') == 500
    assert rendered.quoted_post_ids == (1,)


def test_quotes_in_bbcode_posts(render):
    rendered = render("[QUOTE=Amina;12]Bonjour\n[quote]nested[/quote][/QUOTE]réponse", "bbcode")
    assert rendered.html == (
        '<blockquote class="quote" data-post="12" dir="auto"><div class="quote-header">'
        f"\ue000{SOURCE_LINK}\ue001</div>"
        '<p dir="auto">Bonjour</p>'
        '<blockquote class="quote" dir="auto"><div class="quote-header">\ue000\ue001</div>'
        '<p dir="auto">nested</p></blockquote></blockquote><p dir="auto">réponse</p>'
    )
    assert rendered.quoted_post_ids == (12,)


def test_quote_tags_in_bbcode_code_stay_literal(render):
    rendered = render("[code][quote]x[/quote][/code]", "bbcode")
    assert not rendered.has_quotes and "[quote]x[/quote]" in rendered.html


def test_localizing_html_without_quotes_changes_nothing():
    assert localize_quote_headers('<p dir="auto">x</p>') == '<p dir="auto">x</p>'


def test_find_quote_refs_lists_every_numbered_quote_in_order():
    source = "[quote=Amina;1]a[quote=Jean Pierre;22]b[/quote][/quote][QUOTE=Amina;1]c[/QUOTE]"
    assert find_quote_refs(source) == [("Amina", 1), ("Jean Pierre", 22), ("Amina", 1)]


def test_find_quote_refs_skips_unnumbered_unbalanced_and_code_quotes():
    source = "[quote=A]x[/quote] [quote=B;p7]y[/quote] `[quote=C;3]z[/quote]` [quote=D;4]"
    assert find_quote_refs(source) == []


def test_find_quote_refs_reads_bbcode_code_blocks():
    source = "[code][quote=C;3]z[/quote][/code][quote=D;4]w[/quote]"
    assert find_quote_refs(source, "bbcode") == [("D", 4)]


def test_rewrite_quote_refs_maps_file_references_to_post_ids():
    source = "[quote=A;p1]x[/quote] [QUOTE=B;17]y[/QUOTE]"
    mapping = {"p1": 101, 17: 117}
    assert (
        rewrite_quote_refs(source, mapping.get) == "[quote=A;101]x[/quote] [QUOTE=B;117]y[/QUOTE]"
    )


def test_rewrite_quote_refs_drops_an_unknown_reference():
    assert rewrite_quote_refs("[quote=Jean Pierre;p9]x[/quote]", lambda ref: None) == (
        "[quote=Jean Pierre]x[/quote]"
    )


def test_rewrite_quote_refs_leaves_code_and_unbalanced_tags_alone():
    source = "`[quote=A;p1]x[/quote]` [quote=B;p2]"
    assert rewrite_quote_refs(source, lambda ref: 5) == source


def test_rewritten_references_are_found_again():
    source = rewrite_quote_refs("[quote=A;p1][quote=B;p2]x[/quote][/quote]", {"p1": 1, "p2": 2}.get)
    assert find_quote_refs(source) == [("A", 1), ("B", 2)]


def test_rewrite_quote_refs_writes_file_ids_as_they_are():
    source = rewrite_quote_refs("[quote=A;17]x[/quote]", {17: "p-17"}.get)
    assert source == "[quote=A;p-17]x[/quote]"


@pytest.mark.parametrize("reference", ["p 1", "a]b", "x;y", ""])
def test_rewrite_quote_refs_refuses_a_reference_that_would_not_read_back(reference):
    with pytest.raises(ValueError):
        rewrite_quote_refs("[quote=A;1]x[/quote]", lambda ref: reference)


# ---- Quotes of posts a reader may not see ----


def test_quoted_post_ids_finds_nested_quotes(render):
    html = render("[quote=a;1][quote=b;2]x[/quote][/quote][quote]z[/quote]").html
    assert quoted_post_ids(html) == {1, 2}


def test_hide_quotes_replaces_a_quote_with_all_it_holds(render):
    html = render("[quote=a;1]premier [quote=b;2]deux[/quote][/quote]trois [quote=c;3]4[/quote]")
    hidden = hide_quotes(html.html, {1})
    assert "premier" not in hidden and "deux" not in hidden
    assert "trois" in hidden and '<p dir="auto">4</p>' in hidden
    assert hidden.count("Quoted post not available.") == 1
    assert hidden.count("<blockquote") == hidden.count("</blockquote>") == 2


def test_hide_quotes_of_a_nested_quote_keeps_the_outer_one(render):
    html = render("[quote=a;1]premier [quote=b;2]deux[/quote] fin[/quote]").html
    hidden = hide_quotes(html, {2})
    assert "premier" in hidden and "fin" in hidden and "deux" not in hidden
    assert hide_quotes(html, set()) == html


def test_drop_quotes_of_takes_out_the_quotes_of_those_posts_only():
    source = "a [quote=x;1]b [quote=y;2]c[/quote][/quote] d [quote=z;3]e[/quote] f"
    assert drop_quotes_of(source, {1}) == "a  d [quote=z;3]e[/quote] f"
    assert drop_quotes_of(source, {2, 3}) == "a [quote=x;1]b [/quote] d  f"
    assert drop_quotes_of(source, set()) == source


def test_drop_quotes_of_leaves_quote_tags_in_code_alone():
    source = "`[quote=x;1]b[/quote]`"
    assert drop_quotes_of(source, {1}) == source
