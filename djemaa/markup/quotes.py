"""vBulletin [quote] tags: finding and pairing them, their HTML, and read-time headers.

Quote tags are structural in both formats: they are paired first (outside code), and
the text between two tags is rendered on its own. Pairing is a single pass over the
tags with an explicit stack, so nesting depth costs neither recursion nor more than
linear time.
"""

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext, pgettext

# Private-use characters mark the author part of a quote header in stored HTML, so
# that localize_quote_headers can put it into the reader's language at read time.
# They are stripped from every piece of user input before rendering.
HEADER_START = "\ue000"
HEADER_END = "\ue001"
_SENTINELS = str.maketrans("", "", HEADER_START + HEADER_END)
_HEADER_RE = re.compile(f"{HEADER_START}([^{HEADER_START}{HEADER_END}]*){HEADER_END}")

_TAG_RE = re.compile(r"\[(?:(quote)(?:=([^\]\n]*))?|/quote)\]", re.IGNORECASE)
# Post ids we link to; the length cap keeps int() cheap and within a bigint.
_POST_ID_RE = re.compile(r"[0-9]{1,18}")

QUOTE_CLOSE_HTML = "</blockquote>"


def strip_sentinels(text: str) -> str:
    return text.translate(_SENTINELS)


@dataclass(frozen=True)
class QuoteOpen:
    """An opening tag, [quote], [quote=name] or [quote=name;ref], that has a closing tag."""

    start: int
    end: int
    name: str
    ref: str | None
    # Where ";ref" sits in the source, so the loader can rewrite just that part.
    ref_span: tuple[int, int] | None

    @property
    def post_id(self) -> int | None:
        return int(self.ref) if self.ref and _POST_ID_RE.fullmatch(self.ref) else None


@dataclass(frozen=True)
class QuoteClose:
    start: int
    end: int


QuoteTag = QuoteOpen | QuoteClose


def may_contain_quotes(source: str) -> bool:
    """Cheap test so that posts without quotes skip the pairing pass."""
    return _TAG_RE.search(source) is not None


def _opening(match: re.Match[str]) -> QuoteOpen:
    arg = match.group(2)
    if arg is None:
        return QuoteOpen(match.start(), match.end(), "", None, None)
    name, ref, ref_span = arg, None, None
    if ";" in arg:
        semicolon = arg.rindex(";")
        name, ref = arg[:semicolon], arg[semicolon + 1 :].strip() or None
        ref_span = (match.start(2) + semicolon, match.end(2))
    name = name.strip()
    # vBulletin also wrote [quote="Name With Spaces"].
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1].strip()
    return QuoteOpen(match.start(), match.end(), name, ref, ref_span)


def _escaped(source: str, position: int) -> bool:
    """Whether an odd number of backslashes precedes position."""
    backslashes = 0
    while position > backslashes and source[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def paired_quote_tags(
    source: str, code_ranges: Sequence[tuple[int, int]], *, backslash_escapes: bool
) -> list[QuoteTag]:
    """The quote tags of source that have a partner, in source order.

    Tags inside code_ranges (sorted, non-overlapping) are text. An unmatched tag is
    left out, so it stays visible text. With backslash_escapes (Markdown), "\\[quote]"
    is text too.
    """
    starts = [start for start, _ in code_ranges]
    stack: list[QuoteOpen] = []
    paired: list[QuoteTag] = []
    for match in _TAG_RE.finditer(source):
        position = match.start()
        index = bisect.bisect_right(starts, position) - 1
        if index >= 0 and position < code_ranges[index][1]:
            continue
        if backslash_escapes and _escaped(source, position):
            continue
        if match.group(1):
            stack.append(_opening(match))
        elif stack:
            paired.append(stack.pop())
            paired.append(QuoteClose(match.start(), match.end()))
    paired.sort(key=lambda tag: tag.start)
    return paired


def split_at_quotes(source: str, tags: Sequence[QuoteTag]) -> list[str | QuoteTag]:
    """source cut into text pieces and quote tags, in order.

    Spaces after a tag on its line are dropped so "[quote]    text" is not taken
    for an indented code block.
    """
    pieces: list[str | QuoteTag] = []
    position = 0
    for tag in tags:
        pieces.append(_after_tag(source, position, tag.start))
        pieces.append(tag)
        position = tag.end
    pieces.append(_after_tag(source, position, len(source)))
    return pieces


def _after_tag(source: str, start: int, end: int) -> str:
    text = source[start:end]
    return text.lstrip(" \t") if start else text


def quote_open_html(tag: QuoteOpen, post_url_for: str | None) -> str:
    """Start of a quote block; post_url_for is post_url(tag.post_id) when it has one.

    The header carries no dir: the blockquote's dir="auto" then follows the header
    sentence, which is in the reader's language, while dir="auto" on the name and on
    each paragraph isolates the user's own text.
    """
    if not tag.name:
        author = ""
    elif post_url_for is not None:
        href = escape(strip_sentinels(post_url_for))
        author = f'<a class="quote-source" dir="auto" href="{href}">{escape(tag.name)}</a>'
    else:
        author = f'<span class="quote-author" dir="auto">{escape(tag.name)}</span>'
    # data-post names the quoted post, so a page can hide quotes of posts its reader may not see.
    source = "" if tag.post_id is None else f' data-post="{tag.post_id}"'
    return (
        f'<blockquote class="quote"{source} dir="auto">'
        f'<div class="quote-header">{HEADER_START}{author}{HEADER_END}</div>'
    )


def _localized_header(match: re.Match[str]) -> str:
    author = match.group(1)
    if not author:
        return escape(pgettext("quote header without an author", "Quote"))
    # The translation is escaped, the author HTML (already sanitised) is not.
    return escape(gettext("%(author)s wrote:")) % {"author": author}


def localize_headers(html: str) -> str:
    if HEADER_START not in html:
        return html
    return _HEADER_RE.sub(_localized_header, html)


# Stored HTML is the sanitiser's output: "<blockquote" there is always a tag, never text.
_QUOTE_SOURCE_RE = re.compile(r'<blockquote class="quote" data-post="([0-9]+)"')
_BLOCKQUOTE_RE = re.compile(r"<blockquote\b|</blockquote>")


def quoted_post_ids(html: str) -> set[int]:
    """The ids of the posts quoted in stored HTML, nested quotes included."""
    return {int(post_id) for post_id in _QUOTE_SOURCE_RE.findall(html)}


def replace_quotes_of(html: str, post_ids: set[int], replacement: str) -> str:
    """Stored HTML with each quote of one of post_ids, and all it holds, put as replacement."""
    if not post_ids:
        return html
    pieces: list[str] = []
    position = 0
    for match in _QUOTE_SOURCE_RE.finditer(html):
        if match.start() < position or int(match.group(1)) not in post_ids:
            continue  # inside a quote already replaced, or a quote the reader may see
        depth, end = 0, len(html)
        for tag in _BLOCKQUOTE_RE.finditer(html, match.start()):
            depth += -1 if tag.group().startswith("</") else 1
            if depth == 0:
                end = tag.end()
                break
        pieces.append(html[position : match.start()])
        pieces.append(replacement)
        position = end
    pieces.append(html[position:])
    return "".join(pieces)
