"""What one rendering call learns about a text while turning it into HTML."""

from collections.abc import Callable
from dataclasses import dataclass, field

from djemaa.markup.links import MENTION_RE
from djemaa.markup.quotes import strip_sentinels

# One post may name at most this many distinct people; beyond that "@x" stays text.
# It bounds the size of the resolve_users query (Discourse caps mentions likewise).
MAX_MENTION_CANDIDATES = 100


@dataclass(frozen=True)
class Mention:
    canonical: str
    href: str


@dataclass
class RenderState:
    resolve_users: Callable[[set[str]], dict[str, str]]
    profile_url: Callable[[str], str]
    has_links: bool = False
    mentioned: set[str] = field(default_factory=set)
    # dict as an ordered set: the first names typed are the ones looked up.
    _candidates: dict[str, None] = field(default_factory=dict)
    _users: dict[str, str] = field(default_factory=dict)

    def collect_mentions(self, text: str) -> None:
        """Note the @names of a text that may become mentions once resolved."""
        for match in MENTION_RE.finditer(text):
            if len(self._candidates) >= MAX_MENTION_CANDIDATES:
                return
            self._candidates.setdefault(match.group(1))

    def resolve_mentions(self) -> None:
        if self._candidates:
            self._users = self.resolve_users(set(self._candidates))

    def collect_name(self, name: str) -> None:
        """Note a name given whole, as in BBCode's [mention]Jean Pierre[/mention]."""
        if name and len(self._candidates) < MAX_MENTION_CANDIDATES:
            self._candidates.setdefault(name)

    def mention(self, name: str) -> Mention | None:
        """The mention of name if it was collected and is somebody's username."""
        canonical = self._users.get(name.lower()) if name in self._candidates else None
        if canonical is None:
            return None
        canonical = strip_sentinels(canonical)
        self.mentioned.add(canonical)
        return Mention(canonical, strip_sentinels(self.profile_url(canonical)))

    def split_mentions(self, text: str) -> list[str | Mention]:
        """text cut into plain strings and the mentions of people who exist."""
        if not self._users:
            return [text]
        pieces: list[str | Mention] = []
        position = 0
        for match in MENTION_RE.finditer(text):
            mention = self.mention(match.group(1))
            if mention is not None:
                pieces.append(text[position : match.start()])
                pieces.append(mention)
                position = match.end()
        pieces.append(text[position:])
        return [piece for piece in pieces if piece != ""]
