import pytest


def bb(render, source: str) -> str:
    return render(source, "bbcode").html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[b]gras[/b]", "<strong>gras</strong>"),
        ("[I]italique[/I]", "<em>italique</em>"),
        ("[u]souligné[/u]", "<u>souligné</u>"),
        ("[s]barré[/s]", "<s>barré</s>"),
        ("[b][i]both[/i][/b]", "<strong><em>both</em></strong>"),
    ],
)
def test_inline_tags_become_their_html(render, source, expected):
    assert bb(render, source) == f'<p dir="auto">{expected}</p>'


def test_newlines_become_line_breaks_and_blank_lines_paragraphs(render):
    assert bb(render, "un\ndeux\n\nواحد") == ('<p dir="auto">un<br>deux</p><p dir="auto">واحد</p>')


def test_text_is_escaped(render):
    assert bb(render, "<b>&amp;</b>") == '<p dir="auto">&lt;b&gt;&amp;amp;&lt;/b&gt;</p>'


def test_markdown_syntax_means_nothing_in_bbcode(render):
    assert bb(render, "*not* `code`") == '<p dir="auto">*not* `code`</p>'


def test_a_tag_spanning_paragraphs_is_closed_and_reopened(render):
    assert bb(render, "[b]one\n\ntwo[/b]") == (
        '<p dir="auto"><strong>one</strong></p><p dir="auto"><strong>two</strong></p>'
    )


def test_misnested_tags_keep_the_output_nested(render):
    assert bb(render, "[b]a [i]b[/b] c[/i]") == ('<p dir="auto"><strong>a [i]b</strong> c[/i]</p>')


def test_an_unknown_or_unclosed_tag_is_text(render):
    assert bb(render, "[spoiler]x[/spoiler] [b]open") == (
        '<p dir="auto">[spoiler]x[/spoiler] [b]open</p>'
    )


def test_a_url_tag_is_a_link(render):
    rendered = render("[url]https://example.com/[/url] [url=example.org/x]site[/url]", "bbcode")
    assert (
        '<a href="https://example.com/" rel="nofollow ugc noopener">https://example.com/</a>'
        in rendered.html
    )
    assert '<a href="http://example.org/x" rel="nofollow ugc noopener">site</a>' in rendered.html
    assert rendered.has_links


def test_a_url_tag_with_a_quoted_target_is_a_link(render):
    assert 'href="https://example.com/"' in bb(render, '[url="https://example.com/"]x[/url]')


def test_a_url_tag_with_a_bad_scheme_keeps_only_its_text(render):
    rendered = render("[url=javascript:alert(1)]click[/url]", "bbcode")
    assert rendered.html == '<p dir="auto">click</p>' and not rendered.has_links


def test_an_email_tag_is_a_mailto_link(render):
    html = bb(render, "[email]a@example.com[/email] [email=b@example.com]Bob[/email]")
    assert '<a href="mailto:a@example.com" rel="nofollow ugc noopener">a@example.com</a>' in html
    assert '<a href="mailto:b@example.com" rel="nofollow ugc noopener">Bob</a>' in html


def test_an_img_tag_becomes_a_link_to_the_picture(render):
    rendered = render("[IMG]https://example.com/a.png[/IMG]", "bbcode")
    assert rendered.html == (
        '<p dir="auto"><a class="remote-image" href="https://example.com/a.png" '
        'rel="nofollow ugc noopener">https://example.com/a.png</a></p>'
    )
    assert rendered.has_links


def test_an_img_inside_a_url_is_only_text(render):
    html = bb(render, "[url=https://example.com/][img]https://example.com/a.png[/img][/url]")
    assert html.count("<a ") == 1 and "remote-image" not in html


def test_a_bare_url_is_linked_in_bbcode(render):
    rendered = render("voir http://example.com/x", "bbcode")
    assert '<a href="http://example.com/x"' in rendered.html and rendered.has_links


@pytest.mark.parametrize("tag", ["code", "php", "html", "CODE"])
def test_code_tags_become_code_blocks(render, tag):
    assert bb(render, f"[{tag}]\n<?php [b]x[/b]\n[/{tag}]") == (
        "<pre><code>&lt;?php [b]x[/b]</code></pre>"
    )


def test_noparse_keeps_tags_as_text(render):
    assert bb(render, "[noparse][b]x[/b][/noparse]") == '<p dir="auto">[b]x[/b]</p>'


@pytest.mark.parametrize(
    "source",
    [
        "[color=red]rouge[/color]",
        "[size=5]rouge[/size]",
        '[font="Comic Sans MS"]rouge[/font]',
        "[color=red;background:url(javascript:alert(1))]rouge[/color]",
    ],
)
def test_presentation_tags_keep_only_their_text(render, source):
    assert bb(render, source) == '<p dir="auto">rouge</p>'


def test_a_list_becomes_a_bulleted_list(render):
    assert bb(render, "[list]\n[*]un\n[*]deux\n[/list]") == (
        '<ul><li dir="auto">un</li><li dir="auto">deux</li></ul>'
    )


def test_a_numbered_list_becomes_an_ordered_list(render):
    assert bb(render, "[list=1][*]un[*]deux[/list]") == (
        '<ol><li dir="auto">un</li><li dir="auto">deux</li></ol>'
    )


def test_a_list_may_hold_a_list(render):
    assert bb(render, "[list][*]a[list][*]b[/list][*]c[/list]") == (
        '<ul><li dir="auto">a<ul><li dir="auto">b</li></ul></li><li dir="auto">c</li></ul>'
    )


def test_an_item_marker_outside_a_list_is_text(render):
    assert bb(render, "[*] star") == '<p dir="auto">[*] star</p>'


@pytest.mark.parametrize("tag", ["left", "center", "right", "indent"])
def test_alignment_tags_become_paragraphs(render, tag):
    assert bb(render, f"avant[{tag}]milieu[/{tag}]après") == (
        '<p dir="auto">avant</p><p dir="auto">milieu</p><p dir="auto">après</p>'
    )


def test_the_markdown_default_does_not_read_bbcode(render):
    assert render("[b]x[/b]").html == '<p dir="auto">[b]x[/b]</p>\n'


def test_an_unknown_format_is_refused(render):
    with pytest.raises(ValueError, match="textile"):
        render("x", "textile")
