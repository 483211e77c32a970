"""Markdown (CommonMark + tables, strikethrough, bare links) to HTML, before sanitising."""

import bisect
import re
from collections.abc import Iterator
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from djemaa.markup.links import LINKIFY, is_allowed_url
from djemaa.markup.state import Mention, RenderState

# Blocks that hold the author's words: each takes its direction from its own text.
_OWN_DIRECTION = {
    "paragraph_open",
    "list_item_open",
    "blockquote_open",
    "heading_open",
    "th_open",
    "td_open",
}
# A post sits under the page's h1 and the thread's h2.
_DEMOTED_HEADING = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}


def _table_open(*_: Any) -> str:
    return '<div class="table-wrap"><table>\n'


def _table_close(*_: Any) -> str:
    return "</table></div>\n"


def _parser(*, signature: bool) -> MarkdownIt:
    # "breaks": a newline typed in the reply box is a line break, as on the forums
    # people come from (vBulletin, Discourse's default).
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.linkify = LINKIFY
    md.enable(["linkify", "table", "strikethrough"])
    # Only http(s), mailto and relative links; markdown-it's own check lets data: through.
    md.validateLink = is_allowed_url  # type: ignore[method-assign]
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    if signature:
        md.disable(["table", "code", "fence", "blockquote", "hr", "list", "heading", "lheading"])
    return md


# Built once: a parser costs far more to build than a short post does to render.
_POST_PARSER = _parser(signature=False)
_SIGNATURE_PARSER = _parser(signature=True)


def code_ranges(source: str) -> list[tuple[int, int]]:
    """Where source has code (blocks and inline spans), as sorted (start, end) offsets."""
    line_starts = [0] + [match.end() for match in re.finditer("\n", source)]
    line_starts.append(len(source))
    ranges: list[tuple[int, int]] = []
    scanned: set[tuple[int, int]] = set()
    for token in _POST_PARSER.parse(source):
        if token.map is None:
            continue
        start, end = line_starts[token.map[0]], line_starts[min(token.map[1], len(line_starts) - 1)]
        if token.type in ("fence", "code_block"):
            ranges.append((start, end))
        elif token.type == "inline" and (start, end) not in scanned:
            # Table cells of one row share a map: scan the row once.
            scanned.add((start, end))
            ranges.extend(_code_spans(source, start, end))
    ranges.sort()
    return ranges


_BACKTICKS_RE = re.compile(r"`+")


def _code_spans(source: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Inline code spans in source[start:end], per CommonMark's backtick-string rule.

    A span ends at the next backtick string of the same length; runs are indexed by
    length so that finding it is a bisection, not a scan (no quadratic inputs).
    """
    runs = list(_BACKTICKS_RE.finditer(source, start, end))
    by_length: dict[int, list[int]] = {}
    for index, run in enumerate(runs):
        by_length.setdefault(run.end() - run.start(), []).append(index)
    index = 0
    while index < len(runs):
        opener = runs[index]
        opener_start = opener.start()
        if opener_start > start and source[opener_start - 1] == "\\":
            opener_start += 1  # the escaped first backtick is text
        same_length = by_length.get(opener.end() - opener_start, [])
        following = bisect.bisect_right(same_length, index)
        if following < len(same_length):
            closer = runs[same_length[following]]
            yield (opener_start, closer.end())
            index = same_length[following] + 1
        else:
            index += 1


def parse(text: str, env: dict[str, Any], *, signature: bool = False) -> list[Token]:
    """Block and inline tokens of text; env carries link references across pieces."""
    parser = _SIGNATURE_PARSER if signature else _POST_PARSER
    return parser.parse(text, env)


def _outside_links(children: list[Token]) -> Iterator[tuple[int, Token]]:
    depth = 0
    for index, token in enumerate(children):
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth -= 1
        elif depth == 0:
            yield index, token


def collect_mentions(tokens: list[Token], state: RenderState) -> None:
    for token in tokens:
        for _, child in _outside_links(token.children or []):
            if child.type == "text":
                state.collect_mentions(child.content)


def render(tokens: list[Token], state: RenderState, env: dict[str, Any]) -> str:
    for token in tokens:
        if token.type in _OWN_DIRECTION:
            token.attrs.pop("style", None)  # table cell alignment: no style attributes
            token.attrSet("dir", "auto")
        if token.type in ("heading_open", "heading_close"):
            token.tag = _DEMOTED_HEADING[token.tag]
        elif token.type == "fence":
            token.info = ""  # no class="language-…" from user input
        elif token.children:
            token.children = _inline(token.children, state)
    return _POST_PARSER.renderer.render(tokens, _POST_PARSER.options, env)


def _inline(children: list[Token], state: RenderState) -> list[Token]:
    replaced: dict[int, list[Token]] = {}
    state.has_links = state.has_links or any(child.type == "link_open" for child in children)
    for index, child in _outside_links(children):
        if child.type == "text":
            pieces = state.split_mentions(child.content)
            if any(isinstance(piece, Mention) for piece in pieces):
                replaced[index] = [token for piece in pieces for token in _mention_or_text(piece)]
        elif child.type == "image":
            replaced[index] = _image_as_link(child, state)
    # Images inside a link text (a linked picture) keep only their description.
    for index, child in enumerate(children):
        if child.type == "image" and index not in replaced:
            replaced[index] = [_text(_image_alt(child))]
    if not replaced:
        return children
    result: list[Token] = []
    for index, child in enumerate(children):
        result.extend(replaced.get(index, (child,)))
    return result


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _link(href: str, css_class: str, content: str) -> list[Token]:
    link_open = Token("link_open", "a", 1)
    link_open.attrs = {"class": css_class, "href": href}
    return [link_open, _text(content), Token("link_close", "a", -1)]


def _mention_or_text(piece: str | Mention) -> list[Token]:
    if isinstance(piece, str):
        return [_text(piece)]
    return _link(piece.href, "mention", f"@{piece.canonical}")


def _image_alt(image: Token) -> str:
    return _POST_PARSER.renderer.renderInlineAsText(image.children, _POST_PARSER.options, {})


def _image_as_link(image: Token, state: RenderState) -> list[Token]:
    """A remote picture becomes a link to it: nothing loads without the reader's click."""
    src = image.attrGet("src")
    alt = _image_alt(image)
    if not isinstance(src, str) or not src:
        return [_text(alt)]
    state.has_links = True
    return _link(src, "remote-image", alt or src)
