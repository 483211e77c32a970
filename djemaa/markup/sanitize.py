"""The last word on what HTML a post or signature may contain (nh3 allow-lists).

The renderers never emit user-written tags or attributes, so this is a second wall:
should a renderer bug let markup through, only these tags, attributes, classes and
URL schemes survive.
"""

import nh3

from djemaa.markup.links import ALLOWED_SCHEMES

_LINK_REL = "nofollow ugc noopener"

_SIGNATURE_TAGS = {"p", "br", "a", "strong", "em", "u", "s", "del", "code", "span"}
_POST_TAGS = _SIGNATURE_TAGS | {
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
_DIRECTED = {"p", "li", "blockquote", "h3", "h4", "h5", "h6", "th", "td", "a", "span"}

# The only classes are the ones the renderers give; user input cannot carry any.
_POST_CLASSES = {
    "a": {"mention", "quote-source", "remote-image"},
    "blockquote": {"quote"},
    "div": {"quote-header", "table-wrap"},
    "span": {"quote-author"},
}
_SIGNATURE_CLASSES = {"a": {"mention", "remote-image"}}


def _cleaner(tags: set[str], classes: dict[str, set[str]]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags={"script", "style"},
        # data-post: the id of a quoted post (quotes.quote_open_html), digits only there.
        attributes={"a": {"href", "title"}, "ol": {"start"}, "blockquote": {"data-post"}},
        tag_attribute_values={tag: {"dir": {"auto"}} for tag in _DIRECTED & tags},
        allowed_classes=classes,
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=_LINK_REL,
        strip_comments=True,
    )


_POST_CLEANER = _cleaner(_POST_TAGS, _POST_CLASSES)
_SIGNATURE_CLEANER = _cleaner(_SIGNATURE_TAGS, _SIGNATURE_CLASSES)


def clean_post(html: str) -> str:
    return _POST_CLEANER.clean(html)


def clean_signature(html: str) -> str:
    return _SIGNATURE_CLEANER.clean(html)
