from djemaa.markup.render import RENDERER_VERSION


def test_the_renderer_version_is_a_positive_number():
    assert isinstance(RENDERER_VERSION, int) and RENDERER_VERSION >= 1


def test_paragraphs_take_their_own_direction(render):
    html = render("Bonjour à tous\n\nمرحبا بكم").html
    assert html == '<p dir="auto">Bonjour à tous</p>\n<p dir="auto">مرحبا بكم</p>\n'


def test_a_single_newline_is_a_line_break(render):
    assert render("one\ntwo").html == '<p dir="auto">one<br>\ntwo</p>\n'


def test_emphasis_strong_and_strikethrough_are_rendered(render):
    html = render("*a* **b** ~~c~~").html
    assert "<em>a</em>" in html and "<strong>b</strong>" in html and "<s>c</s>" in html


def test_inline_code_and_code_blocks_are_escaped_text(render):
    html = render("`<b>` and\n\n```python\n<script>x</script>\n```").html
    assert "<code>&lt;b&gt;</code>" in html
    assert "<pre><code>&lt;script&gt;x&lt;/script&gt;\n</code></pre>" in html


def test_a_code_block_does_not_keep_a_language_class(render):
    assert "class" not in render("```quote-source\nx\n```").html


def test_raw_html_is_shown_as_text(render):
    html = render('<b onclick="x">hi</b>').html
    assert html == '<p dir="auto">&lt;b onclick="x"&gt;hi&lt;/b&gt;</p>\n'


def test_headings_are_demoted_below_the_page_headings(render):
    html = render("# One\n## Two\n### Three\n###### Six").html
    assert '<h3 dir="auto">One</h3>' in html
    assert '<h4 dir="auto">Two</h4>' in html
    assert '<h5 dir="auto">Three</h5>' in html
    assert '<h6 dir="auto">Six</h6>' in html
    assert "<h1" not in html and "<h2" not in html


def test_list_items_take_their_own_direction(render):
    html = render("- un\n- اثنان\n\n3. trois").html
    assert '<li dir="auto">un</li>' in html and '<li dir="auto">اثنان</li>' in html
    assert '<ol start="3">' in html


def test_a_table_is_wrapped_for_scrolling_and_loses_alignment_styles(render):
    html = render("| a | b |\n|:--|--:|\n| 1 | 2 |").html
    assert html.startswith('<div class="table-wrap"><table>')
    assert '<th dir="auto">a</th>' in html and '<td dir="auto">2</td>' in html
    assert "style" not in html


def test_an_explicit_link_gets_the_user_content_rel(render):
    rendered = render("[site](https://example.com/a?b=1&c=2)")
    assert rendered.html == (
        '<p dir="auto"><a href="https://example.com/a?b=1&amp;c=2" '
        'rel="nofollow ugc noopener">site</a></p>\n'
    )
    assert rendered.has_links


def test_a_bare_url_is_linked(render):
    rendered = render("voir https://example.com/page. merci")
    assert (
        '<a href="https://example.com/page" rel="nofollow ugc noopener">'
        "https://example.com/page</a>. merci" in rendered.html
    )
    assert rendered.has_links


def test_a_www_address_is_linked_but_a_file_name_is_not(render):
    html = render("www.example.org and main.py").html
    assert '<a href="http://www.example.org"' in html
    assert "main.py" in html and "http://main.py" not in html


def test_a_bare_email_address_stays_text(render):
    rendered = render("write to foo@example.com")
    assert "<a" not in rendered.html and not rendered.has_links


def test_a_relative_link_is_kept(render):
    assert 'href="/t/12/"' in render("[thread](/t/12/)").html


def test_a_javascript_link_is_not_a_link(render):
    rendered = render("[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1))")
    assert "<a" not in rendered.html and not rendered.has_links


def test_an_image_becomes_a_link_to_it_and_nothing_loads(render):
    rendered = render('![a cat](https://example.com/cat.png "title")')
    assert rendered.html == (
        '<p dir="auto"><a class="remote-image" href="https://example.com/cat.png" '
        'rel="nofollow ugc noopener">a cat</a></p>\n'
    )
    assert rendered.has_links


def test_an_image_without_description_shows_its_url(render):
    html = render("![](https://example.com/cat.png)").html
    assert ">https://example.com/cat.png</a>" in html


def test_a_linked_image_keeps_only_its_description_inside_the_link(render):
    html = render("[![cat](https://example.com/c.png)](https://example.com/)").html
    assert html.count("<a ") == 1 and ">cat</a>" in html


def test_a_data_image_is_not_a_link(render):
    rendered = render("![x](data:image/png;base64,AAAA)")
    assert "<a" not in rendered.html and not rendered.has_links


def test_text_without_links_has_no_links(render):
    rendered = render("just *words*")
    assert not rendered.has_links and not rendered.has_quotes
    assert rendered.quoted_post_ids == () and rendered.mentioned_usernames == frozenset()


def test_link_references_work_across_quote_boundaries(render):
    html = render("[ref]: https://example.com/\n\n[quote]see [ref][/quote]").html
    assert 'href="https://example.com/"' in html


def test_rendering_is_deterministic(render):
    source = "[quote=Amina;3]@amina @jean.pierre https://x.org[/quote] ![i](http://a/b)"
    assert render(source) == render(source)
