"""A readable, word-level difference between two versions of a post's text.

difflib (standard library) is enough: the texts are one post long, and comparing words
rather than characters gives the "what changed" a reader expects (Wikipedia's history
pages do the same). Whitespace runs are tokens too, so line breaks survive.
"""

import re
from difflib import SequenceMatcher
from html import escape

from django.utils.safestring import SafeString, mark_safe

_WORDS = re.compile(r"\s+|[^\s]+")


def _changes(before: list[str], after: list[str]) -> list[tuple[str, str, str]]:
    """(kind, removed, added) runs; kind is "same" or "changed"."""
    # autojunk off: it would treat frequent words ("the", "de") as noise in longer posts.
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    runs: list[tuple[str, str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        if op == "equal":
            runs.append(("same", removed, added))
        elif runs and runs[-1][0] == "changed":
            runs[-1] = ("changed", runs[-1][1] + removed, runs[-1][2] + added)
        elif len(runs) >= 2 and runs[-2][0] == "changed" and not runs[-1][1].strip():
            # Two changes one space apart read as one: "<del>trop lourde</del>", not
            # "<del>trop</del> <del>lourde</del>".
            space = runs.pop()[1]
            runs[-1] = ("changed", runs[-1][1] + space + removed, runs[-1][2] + space + added)
        else:
            runs.append(("changed", removed, added))
    return runs


def word_diff(old: str, new: str) -> SafeString:
    """`new` with its insertions in <ins> and what it dropped from `old` in <del>."""
    parts: list[str] = []
    for kind, removed, added in _changes(_WORDS.findall(old), _WORDS.findall(new)):
        if kind == "same":
            parts.append(escape(added))
            continue
        if removed:
            parts.append(f"<del>{escape(removed)}</del>")
        if added:
            parts.append(f"<ins>{escape(added)}</ins>")
    return mark_safe("".join(parts))
