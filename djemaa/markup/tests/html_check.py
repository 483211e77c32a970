"""An independent reading of rendered HTML: only allowed tags, attributes and URLs."""

import re
from html.parser import HTMLParser

SIGNATURE_TAGS = frozenset({"p", "br", "a", "strong", "em", "u", "s", "del", "code", "span"})
POST_TAGS = SIGNATURE_TAGS | {
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "div",
    "pre",
    "ul",
    "ol",
    "li",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
NEVER = frozenset({"script", "style", "iframe", "img", "form", "input", "object", "embed"})
ATTRIBUTES = {
    "a": {"href", "title", "rel", "class", "dir"},
    "ol": {"start"},
    "blockquote": {"class", "dir", "data-post"},
    "div": {"class"},
    "span": {"class", "dir"},
}
DIRECTED = {"p", "li", "h3", "h4", "h5", "h6", "th", "td"}
CLASSES = {
    "a": {"mention", "quote-source", "remote-image"},
    "blockquote": {"quote"},
    "div": {"quote-header", "table-wrap"},
    "span": {"quote-author"},
}
_SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_is_safe(url: str) -> bool:
    # Read the URL as a browser would: tabs and newlines vanish, leading junk is skipped.
    url = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21))))
    scheme = _SCHEME_RE.match(url)
    return scheme is None or scheme.group(1).lower() in {"http", "https", "mailto"}


class _Checker(HTMLParser):
    def __init__(self, tags: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.tags = tags
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.tags or tag in NEVER:
            self.problems.append(f"tag <{tag}>")
        allowed = ATTRIBUTES.get(tag, set()) | ({"dir"} if tag in DIRECTED else set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name == "style" or name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src") and not url_is_safe(value):
                self.problems.append(f"URL {value!r}")
            if name == "class" and not set(value.split()) <= CLASSES.get(tag, set()):
                self.problems.append(f"class {value!r} on <{tag}>")
            if name == "dir" and value != "auto":
                self.problems.append(f"dir {value!r}")
            if name == "data-post" and not (value.isascii() and value.isdigit()):
                self.problems.append(f"data-post {value!r}")
            if name == "rel" and value != "nofollow ugc noopener":
                self.problems.append(f"rel {value!r}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("declaration")


def assert_safe_html(html: str, tags: frozenset[str] = POST_TAGS) -> None:
    checker = _Checker(tags)
    checker.feed(html)
    checker.close()
    assert not checker.problems, (checker.problems, html)
