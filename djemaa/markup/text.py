"""Plain text out of rendered HTML, for excerpts (and later the search index)."""

from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "br", "li", "pre", "div", "tr", "td", "th", "h3", "h4", "h5", "h6"})


class _OwnWords(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag in _BLOCKS:
            self.pieces.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self.quote_depth = max(self.quote_depth - 1, 0)
        elif tag in _BLOCKS:
            self.pieces.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.quote_depth:
            self.pieces.append(data)


def own_words(html: str) -> str:
    """The text of a post's HTML without what it quotes, on one line: the author's own words."""
    parser = _OwnWords()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.pieces).split())
