"""The search box's language, parsed into a Query that every backend can run.

    words           every word must match (in any form the analyser gives the same term)
    "exact phrase"  these words, next to each other
    -word -"phrase" must not match
    a OR b          either (OR binds the words on each side of it)
    author:NAME  forum:ID-or-TITLE  thread:ID  before:YYYY-MM-DD  after:YYYY-MM-DD

Malformed input never fails: an unclosed quote closes at the end, a filter with an unusable
value is left out, control characters count as spaces and an overlong query is cut. Each of
these leaves a note the results page shows, so the searcher knows what was searched.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from .analyser import tokens

# Longer input is cut (a pasted article is not a query); so is a query of too many parts.
MAX_QUERY_LENGTH = 500
MAX_PARTS = 16
FILTERS = ("author", "forum", "thread", "before", "after")
NUMBER = re.compile(r"[0-9]{1,18}")
_PIECE = re.compile(
    r"""(?P<empty>[a-z]+):(?=\s|$)"""
    r"""|(?P<negated>-)?(?:(?P<key>[a-z]+):)?(?:"(?P<quoted>[^"]*)("|$)|(?P<bare>[^\s"]+))"""
)


@dataclass(frozen=True)
class Alternative:
    """Terms that must appear in this order, next to each other (one term: a word)."""

    terms: tuple[str, ...]
    # The words as typed, folded but not stemmed: what spelling suggestions replace.
    words: tuple[str, ...]

    def holds(self, other: "Alternative") -> bool:
        """Whether every post matching this matches `other`: its terms are a run of ours."""
        size = len(other.terms)
        return any(
            self.terms[start : start + size] == other.terms
            for start in range(len(self.terms) - size + 1)
        )


@dataclass
class Query:
    """What to look for: each clause is a set of alternatives, one of which must match."""

    clauses: list[tuple[Alternative, ...]] = field(default_factory=list)
    excluded: list[Alternative] = field(default_factory=list)
    author: str | None = None
    forum: str | None = None
    thread: int | None = None
    before: date | None = None
    after: date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def has_filters(self) -> bool:
        return any(
            value is not None
            for value in (self.author, self.forum, self.thread, self.before, self.after)
        )

    @property
    def is_empty(self) -> bool:
        """Nothing to look for and nothing to narrow by: there is no search to run."""
        return not self.clauses and not self.has_filters

    def excludes_every_match(self) -> bool:
        """Whether an excluded word or phrase is in every post the clauses match (`a -a`,
        `"a b" -b`): then nothing matches, and no engine need read every match to say so."""
        return any(
            all(alternative.holds(excluded) for alternative in clause)
            for clause in self.clauses
            for excluded in self.excluded
        )

    def matched_terms(self) -> set[str]:
        """The terms a result may contain because of this query (what snippets highlight)."""
        return {term for clause in self.clauses for alt in clause for term in alt.terms}


def _clean(text: str) -> tuple[str, list[str]]:
    notes = []
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        notes.append(
            _("Your search was too long: only its first %(count)d characters were used.")
            % {"count": MAX_QUERY_LENGTH}
        )
    # Control and format characters (NUL, bidi overrides…) count as spaces.
    text = "".join(" " if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} else c for c in text)
    return text, notes


def _date(value: str, query: Query, key: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        query.notes.append(
            _("“%(key)s:%(value)s” was ignored: write dates as YYYY-MM-DD.")
            % {"key": key, "value": value}
        )
        return None


def _apply_filter(query: Query, key: str, value: str) -> None:
    value = value.strip()
    if not value:
        query.notes.append(_("“%(key)s:” was ignored: it needs a value.") % {"key": key})
    elif key == "author":
        query.author = value
    elif key == "forum":
        query.forum = value
    elif key == "thread":
        if NUMBER.fullmatch(value):
            query.thread = int(value)
        else:
            query.notes.append(
                _("“thread:%(value)s” was ignored: it needs a thread number.") % {"value": value}
            )
    elif key == "before":
        query.before = _date(value, query, key)
    else:
        query.after = _date(value, query, key)


def parse(text: str) -> Query:
    """The Query of what was typed in the search box."""
    text, notes = _clean(text or "")
    query = Query(notes=notes)
    if text.count('"') % 2:
        query.notes.append(_("A quotation mark was not closed: the phrase runs to the end."))
    pending: list[Alternative] = []  # the alternatives of the clause being read
    joining = False  # the previous piece was OR
    dropped_common = False
    for match in _PIECE.finditer(text):
        key, quoted, bare = match["key"], match["quoted"], match["bare"]
        if match["empty"] in FILTERS:
            _apply_filter(query, match["empty"], "")
            continue
        if match["empty"] is not None:
            bare = match["empty"]
        if key in FILTERS and not match["negated"]:
            _apply_filter(query, key, quoted if quoted is not None else bare)
            continue
        if key is not None:  # "word:thing" that is no filter is searched as it reads
            bare = f"{key}:{bare}" if bare is not None else bare
            quoted = quoted if bare is None else None
        if quoted is None and bare == "OR":
            joining = bool(pending)
            continue
        typed = quoted if quoted is not None else bare
        found = list(tokens(typed))
        if not found:
            dropped_common = dropped_common or bool(typed.strip())
            continue
        alternative = Alternative(
            tuple(token.term for token in found), tuple(token.word for token in found)
        )
        if match["negated"]:
            query.excluded.append(alternative)
        elif joining:
            pending.append(alternative)
        else:
            if pending:
                query.clauses.append(tuple(pending))
            pending = [alternative]
        joining = False
    if pending:
        query.clauses.append(tuple(pending))
    if dropped_common:
        query.notes.append(_("Some words were left out: they are too common or too long."))
    if query.excluded and not query.clauses:
        query.excluded = []
        query.notes.append(_("A minus only leaves posts out: add a word to look for."))
    if len(query.clauses) + len(query.excluded) > MAX_PARTS:
        query.clauses = query.clauses[:MAX_PARTS]
        query.excluded = query.excluded[: max(MAX_PARTS - len(query.clauses), 0)]
        query.notes.append(
            _("Only the first %(count)d words of your search were used.") % {"count": MAX_PARTS}
        )
    return query
