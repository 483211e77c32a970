"""vBulletin BBCode (imported posts) to HTML, before sanitising.

No library fits: PyPI's `bbcode` (last release 2019) renders tags through format
strings and cannot hand quote pairing, mentions and link policy to our code. This is
a small tokenizer plus a writer. [quote] tags are handled by the caller (quotes.py):
this module sees the text between two quote tags.

Tags pair within that text; a closing tag closes the nearest open tag of its name and
any tags opened after it stay visible text, so the output nests by construction.
Everything that is not a known, paired tag is escaped text.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from markdown_it.common.normalize_url import normalizeLink

from djemaa.markup.links import LINKIFY, clean_url, is_allowed_url
from djemaa.markup.state import Mention, RenderState

_TAG_RE = re.compile(
    r"\[(/?)(b|i|u|s|url|email|img|code|php|html|noparse|color|size|font|list|\*"
    r"|left|center|right|indent|mention)(?:=([^\]\n]*))?\]",
    re.IGNORECASE,
)
# Tags whose content is taken as it is, up to the first closing tag of the same name.
_CODE_TAGS = frozenset({"code", "php", "html"})
_RAW_TAGS = _CODE_TAGS | {"noparse", "img", "mention"}
_RAW_WITHOUT_ARGUMENT = frozenset({"url", "email"})
_CLOSING_RE = {
    name: re.compile(rf"\[/{re.escape(name)}\]", re.IGNORECASE)
    for name in _RAW_TAGS | _RAW_WITHOUT_ARGUMENT
}
_CODE_RANGE_OPEN_RE = re.compile(r"\[(code|php|html|noparse)\]", re.IGNORECASE)

_INLINE_HTML = {
    "b": ("<strong>", "</strong>"),
    "i": ("<em>", "</em>"),
    "u": ("<u>", "</u>"),
    "s": ("<s>", "</s>"),
}
# Presentation people chose in 2005: kept as its text only (no style attributes).
_DROPPED = frozenset({"color", "size", "font"})
_ALIGNMENT = frozenset({"left", "center", "right", "indent"})
_LINK_TAGS = frozenset({"url", "email"})


@dataclass
class _Text:
    content: str
    in_link: bool = False
    parse: bool = True  # False for [noparse]: no links, no mentions


@dataclass
class _Tag:
    name: str
    closing: bool
    argument: str | None
    literal: str  # the tag as typed, shown as text when it has no partner
    raw: str | None = None  # content of a tag in _RAW_TAGS (or url/email without argument)
    in_link: bool = False


_Node = _Text | _Tag


class _ClosingFinder:
    """Finds the closing tag of a raw tag; remembers misses, so no input is quadratic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.missing: set[str] = set()

    def find(self, name: str, start: int) -> re.Match[str] | None:
        if name in self.missing:
            return None
        closing = _CLOSING_RE[name].search(self.text, start)
        if closing is None:
            self.missing.add(name)
        return closing


def code_ranges(source: str) -> list[tuple[int, int]]:
    """Where source has [code], [php], [html] or [noparse] blocks, as (start, end)."""
    finder = _ClosingFinder(source)
    ranges: list[tuple[int, int]] = []
    position = 0
    while opening := _CODE_RANGE_OPEN_RE.search(source, position):
        closing = finder.find(opening.group(1).lower(), opening.end())
        if closing is None:
            position = opening.end()
        else:
            ranges.append((opening.start(), closing.end()))
            position = closing.end()
    return ranges


def _tokens(text: str) -> Iterator[_Node]:
    finder = _ClosingFinder(text)
    position = 0
    while match := _TAG_RE.search(text, position):
        slash, name, argument = match.group(1), match.group(2).lower(), match.group(3)
        if match.start() > position:
            yield _Text(text[position : match.start()])
        position = match.end()
        if slash and argument is not None:
            yield _Text(match.group(0))
        elif not slash and (
            name in _RAW_TAGS or (name in _RAW_WITHOUT_ARGUMENT and argument is None)
        ):
            closing = finder.find(name, match.end())
            if closing is None:
                yield _Text(match.group(0))
            else:
                raw = text[match.end() : closing.start()]
                yield _Tag(name, False, argument, match.group(0), raw=raw)
                position = closing.end()
        else:
            yield _Tag(name, bool(slash), argument, match.group(0))
    if position < len(text):
        yield _Text(text[position:])


def _pair(nodes: list[_Node]) -> set[int]:
    """Indexes of the opening and closing tags that pair up."""
    stack: list[int] = []
    open_count: dict[str, int] = {}
    paired: set[int] = set()
    for index, node in enumerate(nodes):
        if not isinstance(node, _Tag) or node.raw is not None or node.name == "*":
            continue
        if not node.closing:
            stack.append(index)
            open_count[node.name] = open_count.get(node.name, 0) + 1
            continue
        if not open_count.get(node.name):
            continue
        depth = len(stack) - 1
        while nodes[stack[depth]].name != node.name:  # type: ignore[union-attr]
            depth -= 1
        for dropped in stack[depth:]:
            open_count[nodes[dropped].name] -= 1  # type: ignore[union-attr]
        paired.update((stack[depth], index))
        del stack[depth:]
    return paired


def parse(text: str) -> list[_Node]:
    """Nodes of text: paired tags, raw tags, and text (unpaired tags become text)."""
    nodes = list(_tokens(text))
    paired = _pair(nodes)
    result: list[_Node] = []
    link_depth = 0
    for index, token in enumerate(nodes):
        node = _resolved(token, index in paired) if isinstance(token, _Tag) else token
        is_link_tag = isinstance(node, _Tag) and node.raw is None and node.name in _LINK_TAGS
        if is_link_tag and node.closing:
            link_depth -= 1
        # A link inside a link (a [url] in a [url=…]'s text) is shown as text.
        node.in_link = link_depth > 0
        if is_link_tag and not node.closing:
            link_depth += 1
        previous = result[-1] if result else None
        if (
            isinstance(node, _Text)
            and isinstance(previous, _Text)
            and (previous.in_link, previous.parse) == (node.in_link, node.parse)
        ):
            # One text again, so that a URL cut by a stray tag-like text still links.
            previous.content += node.content
        else:
            result.append(node)
    return result


def _resolved(tag: _Tag, paired: bool) -> _Node:
    """[noparse] content is plain text; a tag without partner is text ([*] needs none)."""
    if tag.name == "noparse" and tag.raw is not None:
        return _Text(tag.raw, parse=False)
    if tag.raw is None and not paired and (tag.name != "*" or tag.closing):
        return _Text(tag.literal)
    return tag


def collect_mentions(nodes: list[_Node], state: RenderState) -> None:
    for node in nodes:
        if isinstance(node, _Text) and node.parse and not node.in_link:
            state.collect_mentions(node.content)
        elif isinstance(node, _Tag) and node.name == "mention" and node.raw is not None:
            state.collect_name(node.raw.strip())


class _Writer:
    """Assembles blocks: paragraphs (or list items) holding inline tags.

    Inline tags open when a paragraph or item is open are closed at its end and opened
    again in the next one, so the HTML nests properly whatever the BBCode did.
    """

    def __init__(self) -> None:
        self.out: list[str] = []
        self.inline: list[tuple[str, str]] = []
        self.unit_open = False
        self.newlines = 0
        # One entry per open list: (its closing tag, the outer inline tags, outer unit open).
        self.lists: list[tuple[str, list[tuple[str, str]], bool]] = []

    def _open_unit(self) -> None:
        self.out.append('<li dir="auto">' if self.lists else '<p dir="auto">')
        self.out.extend(opening for opening, _ in self.inline)
        self.unit_open = True
        self.newlines = 0

    def end_unit(self) -> None:
        if self.unit_open:
            self.out.extend(closing for _, closing in reversed(self.inline))
            self.out.append("</li>" if self.lists else "</p>")
            self.unit_open = False
        self.newlines = 0

    def _flush_newlines(self) -> None:
        if self.newlines >= 2 and not self.lists:
            self.end_unit()
        else:
            self.out.append("<br>" * self.newlines)
            self.newlines = 0

    def newline(self) -> None:
        if self.unit_open:
            self.newlines += 1

    def content(self, html: str, *, blank: bool) -> None:
        if blank and (self.newlines or not self.unit_open):
            return  # spaces that start a line or a block mean nothing
        if self.unit_open and self.newlines:
            self._flush_newlines()
        if not self.unit_open:
            self._open_unit()
        self.out.append(html)

    def open_inline(self, opening: str, closing: str) -> None:
        if self.unit_open and self.newlines:
            self._flush_newlines()
        self.inline.append((opening, closing))
        if self.unit_open:
            self.out.append(opening)

    def close_inline(self) -> None:
        _, closing = self.inline.pop()
        if self.unit_open:
            self.out.append(closing)

    def block(self, html: str) -> None:
        """A block such as a code block; inside a list it goes into the current item."""
        if not self.lists:
            self.end_unit()
            self.out.append(html)
            return
        if not self.unit_open:
            self._open_unit()
        self.out.extend(closing for _, closing in reversed(self.inline))
        self.out.append(html)
        self.out.extend(opening for opening, _ in self.inline)
        self.newlines = 0

    def paragraph_break(self) -> None:
        if not self.lists:
            self.end_unit()

    def open_list(self, ordered: bool) -> None:
        keeps_item = bool(self.lists) and self.unit_open  # a list nested in an item
        if keeps_item:
            self.out.extend(closing for _, closing in reversed(self.inline))
        else:
            self.end_unit()
        self.lists.append(("</ol>" if ordered else "</ul>", self.inline, keeps_item))
        self.inline = []
        self.unit_open = False
        self.out.append("<ol>" if ordered else "<ul>")

    def list_item(self) -> None:
        self.end_unit()
        self._open_unit()

    def close_list(self) -> None:
        self.end_unit()
        closing, self.inline, self.unit_open = self.lists.pop()
        self.out.append(closing)
        if self.unit_open:
            self.out.extend(opening for opening, _ in self.inline)

    def finish(self) -> str:
        self.end_unit()
        return "".join(self.out)


def _link_html(href: str, text: str, css_class: str = "") -> str:
    class_attribute = f' class="{css_class}"' if css_class else ""
    return f'<a{class_attribute} href="{escape(href)}">{escape(text)}</a>'


def _mention_html(mention: Mention) -> str:
    return _link_html(mention.href, f"@{mention.canonical}", "mention")


def _prose_html(text: str, state: RenderState) -> str:
    """One line of text: escaped, with bare URLs and mentions linked."""
    pieces: list[str] = []
    position = 0
    for match in (LINKIFY.pretest(text) and LINKIFY.match(text)) or ():
        href = normalizeLink(match.url)
        if not is_allowed_url(href):
            continue
        pieces.append(_mentions_html(text[position : match.index], state))
        pieces.append(_link_html(href, match.text))
        state.has_links = True
        position = match.last_index
    pieces.append(_mentions_html(text[position:], state))
    return "".join(pieces)


def _mentions_html(text: str, state: RenderState) -> str:
    return "".join(
        _mention_html(piece) if isinstance(piece, Mention) else escape(piece)
        for piece in state.split_mentions(text)
    )


def _link_target(name: str, target: str) -> str | None:
    """The href for [url]/[img] (a URL) or [email] (an address), if it may be a link."""
    target = target.strip().strip("\"'")
    if name == "email" and not target.lower().startswith("mailto:"):
        target = f"mailto:{target}"
    return clean_url(target)


def _write_text(writer: _Writer, node: _Text, state: RenderState) -> None:
    for number, line in enumerate(node.content.split("\n")):
        if number:
            writer.newline()
        if line:
            html = _prose_html(line, state) if node.parse and not node.in_link else escape(line)
            writer.content(html, blank=line.isspace())


def _write_raw(writer: _Writer, tag: _Tag, state: RenderState) -> None:
    raw = tag.raw or ""
    if tag.name in _CODE_TAGS:
        writer.block(f"<pre><code>{escape(raw.strip(chr(10)))}</code></pre>")
        return
    if tag.name == "mention":
        mention = None if tag.in_link else state.mention(raw.strip())
        html = _mention_html(mention) if mention else escape(f"@{raw.strip()}")
        writer.content(html, blank=False)
        return
    target = raw.strip()
    href = None if tag.in_link else _link_target(tag.name, target)
    if href is None:
        _write_text(writer, _Text(target, in_link=True), state)
        return
    state.has_links = True
    css_class = "remote-image" if tag.name == "img" else ""
    writer.content(_link_html(href, target, css_class), blank=False)


def _write_tag(writer: _Writer, tag: _Tag, state: RenderState) -> None:
    name = tag.name
    if name == "*":
        if writer.lists:
            writer.list_item()
        else:
            writer.content(escape("[*]"), blank=False)
    elif name in _ALIGNMENT:
        writer.paragraph_break()
    elif name == "list":
        if tag.closing:
            writer.close_list()
        else:
            writer.open_list(ordered=tag.argument is not None)
    elif tag.closing:
        writer.close_inline()
    elif name in _INLINE_HTML:
        writer.open_inline(*_INLINE_HTML[name])
    elif name in _LINK_TAGS:
        href = None if tag.in_link else _link_target(name, tag.argument or "")
        if href is None:
            writer.open_inline("", "")
        else:
            state.has_links = True
            writer.open_inline(f'<a href="{escape(href)}">', "</a>")
    else:  # _DROPPED
        writer.open_inline("", "")


def render(nodes: list[_Node], state: RenderState) -> str:
    writer = _Writer()
    for node in nodes:
        if isinstance(node, _Text):
            _write_text(writer, node, state)
        elif node.raw is not None:
            _write_raw(writer, node, state)
        else:
            _write_tag(writer, node, state)
    return writer.finish()
