"""Who a session cookie signs in, read before Django runs, for core.pagecache's members' pages.

The wrapper answers a member from a kept page only when Django would find the same member
signed in and nothing of theirs waiting: so this accepts a session that holds the sign-in
alone (Django's three keys, as `login` wrote them with the configured backend) and nothing
else but an empty multi-quote, not expired, of an active member who is not banned, whose
password and "log out everywhere" epoch still match the session's hash. Anything else — a
message waiting, gathered quotes, a two-factor step, a hash made with an older secret key —
answers None and Django serves the request as usual.
"""

import threading
from functools import lru_cache
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from djemaa.core.pagecache import BoundedStore, Member
from djemaa.permissions.rules import member_class_query, member_rights_key
from djemaa.posts.multiquote import SESSION_KEY as MULTIQUOTE_KEY

SIGN_IN_KEYS = frozenset({SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY})
SESSION_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"
USER_SQL = (
    "SELECT username, password, session_epoch, is_active, is_staff, is_superuser, "
    "current_ban_id, language, timezone FROM accounts_user WHERE id = %s"
)

# Decoding a session checks its signature (~30 µs): the same session comes back on every
# page its member reads, so each process keeps what it decoded, by the stored text.
_decoded = BoundedStore(1024 * 1024)
_decoded_lock = threading.Lock()


def _session_data(session_data: str) -> dict:
    with _decoded_lock:
        data = _decoded.get(session_data)
    if data is None:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        data = store().decode(session_data)
        with _decoded_lock:
            _decoded.put(session_data, data, len(session_data))
    return data


@lru_cache(maxsize=1024)
def _session_hash(password: str, session_epoch: int) -> str:
    from .models import User

    return User(password=password, session_epoch=session_epoch).get_session_auth_hash()


def _sign_in(data: dict) -> tuple[int, str] | None:
    """The user id and hash of a session that holds the sign-in and nothing else of theirs."""
    if not data.keys() >= SIGN_IN_KEYS or data.keys() - SIGN_IN_KEYS - {MULTIQUOTE_KEY}:
        return None
    if data.get(MULTIQUOTE_KEY):
        return None
    if data[BACKEND_SESSION_KEY] not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        return int(data[SESSION_KEY]), str(data[HASH_SESSION_KEY])
    except (TypeError, ValueError):
        return None


def read_member(fetch_each, session_key: str) -> Member | None:
    """The member `session_key` signs in, read with `fetch_each([(sql, params), ...])` (the
    wrapper's own connection); None when Django must decide."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    answers = fetch_each([(SESSION_SQL, (session_key, now))])
    if not answers or not answers[0]:
        return None
    sign_in = _sign_in(_session_data(answers[0][0][0]))
    if sign_in is None:
        return None
    user_id, session_hash = sign_in
    # The user and their rights class in one round trip.
    answers = fetch_each([(USER_SQL, (user_id,)), member_class_query(user_id)])
    if not answers or not answers[0]:
        return None
    (user, *_), class_rows = answers
    username, password, epoch, is_active, is_staff, is_superuser, ban_id, language, zone = user
    if not is_active or ban_id is not None:
        return None
    if not constant_time_compare(session_hash, _session_hash(password, epoch)):
        return None
    rights_key = member_rights_key(class_rows, bool(is_staff), bool(is_superuser))
    return Member(user_id, username, language, zone, rights_key)
