"""Multi-quote (vBulletin's): posts a member gathers, one by one, to quote in one reply.

Kept in the session, so that it works without JavaScript and survives page loads; the
thread page's script mirrors it in its buttons without reloading.
"""

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "djemaa_multiquote"
# Enough for any real reply; a bound keeps the session small.
MAX_GATHERED = 30


def gathered(session: SessionBase) -> list[int]:
    """The gathered post ids, in the order they were picked."""
    return list(session.get(SESSION_KEY, []))


def toggle(session: SessionBase, post_id: int) -> bool:
    """Add the post, or take it out if it was there; True when it is now gathered."""
    ids = gathered(session)
    if post_id in ids:
        ids.remove(post_id)
        now_gathered = False
    else:
        ids = [*ids, post_id][-MAX_GATHERED:]
        now_gathered = True
    session[SESSION_KEY] = ids
    return now_gathered


def clear(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
