"""Which URLs may become links, bare-URL detection, and @mention syntax."""

import re

from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it.common.normalize_url import normalizeLink

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Browsers drop leading C0 controls and spaces, and every tab/CR/LF anywhere, before
# reading the scheme (WHATWG URL standard), so "java\tscript:" is a javascript: URL.
_IGNORED_BY_BROWSERS = re.compile(r"[\t\n\r]")
_LEADING_JUNK = "".join(map(chr, range(0x21)))
# A scheme-less "www.example.com" or "example.com/path" typed inside [url] tags.
_BARE_HOST_RE = re.compile(r"[\w-]+(\.[\w-]+)+([/?#:].*)?", re.DOTALL)


def is_allowed_url(url: str) -> bool:
    """True for http(s) and mailto URLs and for scheme-less (relative) ones."""
    url = _IGNORED_BY_BROWSERS.sub("", url).lstrip(_LEADING_JUNK)
    scheme = _SCHEME_RE.match(url)
    return scheme is None or scheme.group(1).lower() in ALLOWED_SCHEMES


def clean_url(url: str) -> str | None:
    """The href for a URL typed in a BBCode tag, or None when it must not be a link."""
    url = _IGNORED_BY_BROWSERS.sub("", url).strip(_LEADING_JUNK + "\"'")
    if not url:
        return None
    scheme = _SCHEME_RE.match(url)
    if scheme is None and not url.startswith(("/", "#", "?")):
        # vBulletin accepted [url=www.example.com]; anything else without a scheme
        # ("&#106;avascript:…", "x y") is not a link we can vouch for.
        if not _BARE_HOST_RE.fullmatch(url):
            return None
        url = "http://" + url
    url = normalizeLink(url)
    return url if is_allowed_url(url) else None


class _Linkify(LinkifyIt):
    """linkify-it limited to what people mean as links in prose.

    Fuzzy host matching is on so that "www.example.com" links, but a fuzzy match must
    start with "www.": otherwise file names like "main.py" or "notes.md" (valid
    country TLDs) would become links.
    """

    def match(self, text: str) -> list[Match] | None:
        matches: list[Match] | None = super().match(text)
        if not matches:
            return None
        kept = [m for m in matches if m.schema or m.text.lower().startswith("www.")]
        return kept or None


# Bare e-mail addresses stay text (no harvestable mailto: links, and they are not
# "links" for the spam heuristics that read Rendered.has_links).
LINKIFY = _Linkify(options={"fuzzy_link": True, "fuzzy_email": False})
LINKIFY.add("ftp:", None).add("//", None)

# A mention is "@" plus letters/digits/_ (any script, Arabic vowel marks included),
# with single "." or "-" allowed inside the name but not at its end, so "@Amina." and
# "@Amina," mention Amina. The look-behind keeps e-mail addresses and paths out.
_NAME_CHAR = r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"
MENTION_RE = re.compile(rf"(?<![\w.@+\-/])@({_NAME_CHAR}+(?:[.\-]{_NAME_CHAR}+)*)")
