from djemaa.markup.tests.html_check import SIGNATURE_TAGS, assert_safe_html


def test_a_signature_keeps_links_emphasis_and_line_breaks(signature):
    html = signature("**Amina** — https://example.com\n*Casablanca*")
    assert html == (
        '<p dir="auto"><strong>Amina</strong> — <a href="https://example.com" '
        'rel="nofollow ugc noopener">https://example.com</a><br>\n<em>Casablanca</em></p>'
    )


def test_a_signature_has_no_headings_lists_tables_or_code_blocks(signature):
    html = signature("# Title\n> quote\n- item\n\n| a |\n|---|\n| b |\n\n    code\n\n```\nx\n```")
    for tag in ("<h", "<blockquote", "<ul", "<li", "<table", "<pre"):
        assert tag not in html
    assert "# Title" in html and "- item" in html
    assert_safe_html(html, SIGNATURE_TAGS)


def test_a_signature_keeps_inline_code(signature):
    assert "<code>x</code>" in signature("`x`")


def test_a_signature_does_not_render_quotes(signature):
    html = signature("[quote=A;1]x[/quote]")
    assert "<blockquote" not in html and "[quote=A;1]x[/quote]" in html


def test_a_signature_links_mentions(signature):
    assert '<a class="mention" href="/u/Amina/"' in signature("@amina")


def test_a_signature_image_is_a_link(signature):
    assert 'class="remote-image"' in signature("![logo](https://example.com/l.png)")


def test_a_bbcode_signature_drops_blocks_to_text(signature):
    html = signature(
        "[b]x[/b] [list][*]one[/list] [code]y[/code] [url=https://a.org]a[/url]", "bbcode"
    )
    assert "<strong>x</strong>" in html and 'href="https://a.org"' in html
    assert "<ul" not in html and "<pre" not in html and "one" in html
    assert_safe_html(html, SIGNATURE_TAGS)
