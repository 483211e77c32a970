"""Source text to safe HTML: the markup app's public functions.

Pure functions: no database, no URL reversing. Callers pass the lookups
(resolve_users, post_url, profile_url). Posts are rendered once, at write time, and
the HTML is stored; only localize_quote_headers runs when a page is read.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.translation import gettext

from djemaa.markup import bbcode, markdown, quotes
from djemaa.markup.quotes import QuoteClose, QuoteOpen, QuoteTag
from djemaa.markup.sanitize import clean_post, clean_signature
from djemaa.markup.state import RenderState

# Bump when the HTML for a given source changes: stored posts re-render on mismatch.
RENDERER_VERSION = 2

FORMATS = ("markdown", "bbcode")
# What rewrite_quote_refs may write after "[quote=name;": it must read back as one reference.
_REFERENCE_RE = re.compile(r"[^\s;\]\[]+")


@dataclass(frozen=True)
class Rendered:
    html: str  # sanitised HTML, safe to mark_safe (after localize_quote_headers)
    has_links: bool  # explicit, bare or picture links; not mentions nor quote headers
    has_quotes: bool
    mentioned_usernames: frozenset[str]  # canonical names that were linked
    quoted_post_ids: tuple[int, ...]  # in order of appearance, without repeats


def _normalized(source: str) -> str:
    # Sentinels out first: user text must never be able to forge a quote header.
    return quotes.strip_sentinels(source.replace("\r\n", "\n").replace("\r", "\n"))


def _quote_tags(source: str, fmt: str) -> list[QuoteTag]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown markup format {fmt!r}")
    if not quotes.may_contain_quotes(source):
        return []
    if fmt == "markdown":
        return quotes.paired_quote_tags(
            source, markdown.code_ranges(source), backslash_escapes=True
        )
    return quotes.paired_quote_tags(source, bbcode.code_ranges(source), backslash_escapes=False)


def render_post(
    source: str,
    fmt: str = "markdown",
    *,
    resolve_users: Callable[[set[str]], dict[str, str]],
    post_url: Callable[[int], str],
    profile_url: Callable[[str], str],
) -> Rendered:
    """Render a post body ("markdown", or "bbcode" for imported vBulletin posts)."""
    source = _normalized(source)
    state = RenderState(resolve_users, profile_url)
    pieces = quotes.split_at_quotes(source, _quote_tags(source, fmt))
    # Parse every piece first so that one resolve_users call covers the whole post.
    env: dict[str, Any] = {}  # Markdown link references, shared by the pieces
    parsed: list[Any] = []
    for piece in pieces:
        if not isinstance(piece, str):
            parsed.append(piece)
        elif fmt == "markdown":
            tokens = markdown.parse(piece, env)
            markdown.collect_mentions(tokens, state)
            parsed.append(tokens)
        else:
            nodes = bbcode.parse(piece)
            bbcode.collect_mentions(nodes, state)
            parsed.append(nodes)
    state.resolve_mentions()

    html: list[str] = []
    post_ids: dict[int, None] = {}
    for item in parsed:
        if isinstance(item, QuoteOpen):
            post_id = item.post_id
            if post_id is not None:
                post_ids.setdefault(post_id)
            html.append(
                quotes.quote_open_html(item, None if post_id is None else post_url(post_id))
            )
        elif isinstance(item, QuoteClose):
            html.append(quotes.QUOTE_CLOSE_HTML)
        elif fmt == "markdown":
            html.append(quotes.strip_sentinels(markdown.render(item, state, env)))
        else:
            html.append(quotes.strip_sentinels(bbcode.render(item, state)))

    return Rendered(
        html=clean_post("".join(html)),
        has_links=state.has_links,
        has_quotes=len(pieces) > 1,
        mentioned_usernames=frozenset(state.mentioned),
        quoted_post_ids=tuple(post_ids),
    )


def render_signature(
    source: str,
    *,
    resolve_users: Callable[[set[str]], dict[str, str]],
    profile_url: Callable[[str], str],
    fmt: str = "markdown",
) -> str:
    """Render a signature: links, emphasis, inline code and line breaks only.

    Quote tags stay text; blocks a signature may not have (headings, lists, tables,
    code blocks) are either not parsed (Markdown) or reduced to their text.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown markup format {fmt!r}")
    source = _normalized(source)
    state = RenderState(resolve_users, profile_url)
    if fmt == "markdown":
        env: dict[str, Any] = {}
        tokens = markdown.parse(source, env, signature=True)
        markdown.collect_mentions(tokens, state)
        state.resolve_mentions()
        html = markdown.render(tokens, state, env)
    else:
        nodes = bbcode.parse(source)
        bbcode.collect_mentions(nodes, state)
        state.resolve_mentions()
        html = bbcode.render(nodes, state)
    return clean_signature(quotes.strip_sentinels(html)).strip()


def localize_quote_headers(html: str) -> str:
    """Put stored quote headers into the active language ("Amina wrote:", "كتب Amina:").

    Call at read time on HTML from render_post; the result is still safe HTML.
    """
    return quotes.localize_headers(html)


def hide_quotes(html: str, post_ids: set[int]) -> str:
    """Replace the quotes of these posts (their author and text) with a neutral notice.

    Call at read time, with the quoted posts (quoted_post_ids) the reader may not see.
    """
    notice = escape(gettext("Quoted post not available."))
    return quotes.replace_quotes_of(
        html,
        post_ids,
        f'<blockquote class="quote quote-unavailable"><p>{notice}</p></blockquote>',
    )


def quoted_post_ids(html: str) -> set[int]:
    """The posts quoted in HTML from render_post, nested quotes included."""
    return quotes.quoted_post_ids(html)


def find_quote_refs(source: str, fmt: str = "markdown") -> list[tuple[str, int]]:
    """(username, post id) of each [quote=username;id] that renders as a quote, in order.

    Quotes whose reference is not a number (a file's "p123" before the loader has
    rewritten it) are left out.
    """
    source = _normalized(source)
    return [
        (tag.name, tag.post_id)
        for tag in _quote_tags(source, fmt)
        if isinstance(tag, QuoteOpen) and tag.post_id is not None
    ]


def drop_quotes_of(source: str, post_ids: set[int], fmt: str = "markdown") -> str:
    """source without the quotes of these posts, each with all it holds (nested quotes too).

    For writing a copy of the forum that one reader may see (`djemaa dump --as`): a quote of
    a post they may not see must not carry its text there. The result has render_post's
    normalisation.
    """
    source = _normalized(source)
    if not post_ids:
        return source
    pieces: list[str] = []
    position = 0
    opened: list[tuple[QuoteOpen, bool]] = []  # each open quote, and whether it is dropped
    for tag in _quote_tags(source, fmt):
        if isinstance(tag, QuoteOpen):
            inside_dropped = any(dropped for _, dropped in opened)
            opened.append((tag, not inside_dropped and tag.post_id in post_ids))
            continue
        opening, dropped = opened.pop()
        if dropped:
            pieces.append(source[position : opening.start])
            position = tag.end
    pieces.append(source[position:])
    return "".join(pieces)


def is_quote_reference(token: str) -> bool:
    """Whether `token` can stand after "[quote=name;" and read back as the same reference."""
    return _REFERENCE_RE.fullmatch(token) is not None


def rewrite_quote_refs(
    source: str, mapping: Callable[[int | str], int | str | None], fmt: str = "markdown"
) -> str:
    """source with each quote reference replaced by mapping(reference).

    mapping receives an int for numeric references and the token as written
    otherwise, and returns the new reference: a post id, or a file's id such as "p12"
    when dumping (one token without blanks, ";" or "]"). When it returns None,
    ";reference" is dropped, leaving [quote=username].
    Only tags that render as quotes are touched: the rest is the author's text. The
    result has the normalisation render_post applies anyway (\n newlines, no sentinels).
    """
    source = _normalized(source)
    pieces: list[str] = []
    position = 0
    for tag in _quote_tags(source, fmt):
        if not isinstance(tag, QuoteOpen) or tag.ref is None or tag.ref_span is None:
            continue
        reference: int | str = tag.post_id if tag.post_id is not None else tag.ref
        new_reference = mapping(reference)
        start, end = tag.ref_span
        pieces.append(source[position:start])
        if new_reference is not None:
            written = str(new_reference)
            if not is_quote_reference(written):
                raise ValueError(f"a quote reference must be one token, not {written!r}")
            pieces.append(f";{written}")
        position = end
    pieces.append(source[position:])
    return "".join(pieces)
