"""Whole pages kept and sent again before Django runs, for as long as they are true.

Guests (no session cookie) who ask for the same address in the same language and time zone get
the same HTML, so the forum index, forum pages and thread pages are kept in each server
process's memory and sent again without routing, middleware, queries or templates. Reading a
forum is mostly guests reading.

Members' thread pages are kept too, once per rights class (permissions.rules: people of a
class see the same forums with the same actions), language and time zone. What is the
member's own is left out of the kept page as *slots* (their name in the header, their form
tokens) and filled in for each member on the way out (`register_slot`). A kept page goes only to
members it is true for: a plain signed-in session (accounts.signed_in: nothing waiting in it,
not banned), who have read the page already, wrote none of its posts, and have no draft or
post held in its thread (`keep_for_members_if`). Anyone else gets Django.

A kept page carries the *token* it was rendered from: a few values read with one indexed query
(the site's generation, and for a thread page the thread's row and version). Every hit reads the
token again; when it differs, or the page is older than its time limit, the request goes to
Django, which renders and keeps a new page. What changes a token:

- a post written, edited, moved, deleted or restored: a database trigger (see
  `install_triggers`) adds one to its thread's `version` in the same transaction, whatever
  wrote it (services, the loader, repairs), so a thread page is never shown stale;
- the thread's own row (title, lock, pin, numbering, deletion, forum);
- `site_changed()`, called by the services that change what every page may show (rights,
  forums, announcements, bans, names and signatures).

Index and forum pages list the newest activity of many threads: they are kept for
`DJEMAA_GUEST_LIST_SECONDS` only, and thread pages for `DJEMAA_GUEST_THREAD_SECONDS` (members'
post counts and view counters beside the posts may lag that long).
"""

import re
import secrets
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import F
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, _mask_cipher_secret

from .middleware import TIME_ZONE_COOKIE

# The request's scope carries the page's key from the wrapper to the view, and the view's
# token back to the wrapper (Django's ASGI request keeps the scope it was made from).
KEY_SCOPE = "djemaa.page_key"
TOKEN_SCOPE = "djemaa.page_token"  # noqa: S105 - a name, not a secret
# A member's requests also carry who the wrapper found signed in (a Visit), whether the page
# is rendered with slots for the wrapper to fill, and which members may share it.
VISIT_SCOPE = "djemaa.member_visit"
SLOTS_SCOPE = "djemaa.member_slots"
CHECK_SCOPE = "djemaa.member_check"

SITE = "site"
THREAD = "thread"
# Pages, and the redirects of permalinks to them; never errors.
KEPT_STATUSES = frozenset({200, 301, 302})

TOKEN_SQL = {
    SITE: "SELECT (SELECT value FROM core_generation WHERE name = 'site')",
    THREAD: (
        "SELECT (SELECT value FROM core_generation WHERE name = 'site'), version, title, slug, "
        "last_number, post_count, is_locked, is_pinned, is_held, category_id, "
        "CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END FROM threads_thread WHERE id = %s"
    ),
}


@dataclass(frozen=True, slots=True)
class Token:
    """What a page was rendered from: a kind of query, its argument, and what it read."""

    kind: str
    argument: int | None
    value: tuple | None


@dataclass(frozen=True, slots=True)
class Member:
    """A signed-in member as a kept page needs them: what picks the page, what fills its slots."""

    user_id: int
    username: str
    language: str  # their setting ("" when none): it comes before the request's
    time_zone: str
    rights_key: tuple  # permissions.rules.RightsClass.key


@dataclass(frozen=True, slots=True)
class Visit:
    member: Member
    csrf_secret: str  # from their CSRF cookie: each page gets it masked afresh


# Stands for the member's id in a MemberCheck's parameters.
MEMBER = object()


@dataclass(frozen=True, slots=True)
class MemberCheck:
    """One query that says whether a kept page may be sent to a member (keep_for_members_if):
    it answers one row whose first value is true when it may; MEMBER in `params` is their id.
    The page's `authors` never get it: their own posts carry their own actions."""

    sql: str
    params: tuple
    authors: frozenset[int]

    def query(self, user_id: int) -> tuple[str, tuple]:
        return self.sql, tuple(user_id if p is MEMBER else p for p in self.params)

    def admits(self, user_id: int, rows: list) -> bool:
        """Whether the query's answer (its rows, for `user_id`) lets them have the page."""
        return user_id not in self.authors and bool(rows and rows[0][0])


@dataclass(slots=True)
class Page:
    token: Token
    expires_at: float
    status: int
    headers: list[tuple[bytes, bytes]]
    # A guest's page as it is sent; a member's split at its slots (see split_at_slots).
    body: bytes | list[bytes]
    # What the view would have done again for this request (a thread page counts a view).
    on_hit: Callable[[], None] | None
    # Members' pages: who else it is true for. Their headers have no length (slots vary).
    member_check: MemberCheck | None = None

    @property
    def size(self) -> int:
        body = len(self.body) if isinstance(self.body, bytes) else sum(map(len, self.body))
        return body + sum(len(name) + len(value) for name, value in self.headers)


class BoundedStore:
    """Values by key, least recently used first out when their sizes add up past a bound.

    Not locked: the guests' pages are used from the event loop's thread only; other users
    hold their own lock.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()

    def get(self, key) -> Any:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key, value, size: int) -> None:
        self.discard(key)
        if size > self.max_bytes:
            return
        self._items[key] = (value, size)
        self.size += size
        while self.size > self.max_bytes:
            _, (_, oldest) = self._items.popitem(last=False)
            self.size -= oldest

    def discard(self, key) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self.size -= item[1]

    def clear(self) -> None:
        self._items.clear()
        self.size = 0


# Cookies a guest may carry that change nothing on a page, or that the key below includes;
# members carry their session too (a message waiting, for one, is another cookie).
GUEST_COOKIES = frozenset(
    {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, TIME_ZONE_COOKIE}
)
MEMBER_COOKIES = GUEST_COOKIES | {settings.SESSION_COOKIE_NAME}


def _cookies(header: bytes) -> dict[str, str] | None:
    """The cookies by name, or None when one of them may make the page the visitor's own."""
    cookies = {}
    for part in header.decode("latin-1").split(";"):
        name, _, value = part.strip().partition("=")
        if not name:
            continue
        if name not in MEMBER_COOKIES:
            return None
        cookies[name] = value
    return cookies


def _request_key(scope: dict, headers: dict, cookies: dict) -> tuple:
    """What of a request, besides who sends it, makes the page it gets."""
    return (
        scope.get("scheme", "http"),
        headers.get(b"x-forwarded-proto", b""),  # behind the TLS proxy (SECURE_PROXY_SSL_HEADER)
        headers.get(b"host", b""),
        scope["path"],
        scope.get("query_string", b""),
        headers.get(b"accept-language", b""),
        headers.get(b"x-djemaa-fragment", b""),
        cookies.get(settings.LANGUAGE_COOKIE_NAME, ""),
        cookies.get(TIME_ZONE_COOKIE, ""),
    )


def _csrf_secret(cookies: dict) -> str | None:
    """The CSRF cookie's secret when Django would take it as it is (else it sends a new one)."""
    secret = cookies.get(settings.CSRF_COOKIE_NAME, "")
    if len(secret) == CSRF_SECRET_LENGTH and not set(secret) - set(CSRF_ALLOWED_CHARS):
        return secret
    return None


def page_key(scope: dict, reader: "DatabaseReader") -> tuple[tuple, Visit | None] | None:
    """What makes two requests give the same page, and for a member who sends it; None when
    only Django may answer (another cookie, a message waiting, a session that is not a plain
    sign-in, a member without a CSRF cookie to mask)."""
    from djemaa.accounts.signed_in import read_member  # accounts stands on this module

    headers = dict(scope["headers"])  # a repeated header counts once: none of these repeat
    cookies = _cookies(headers.get(b"cookie", b""))
    if cookies is None:
        return None
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if session_key is None:
        return _request_key(scope, headers, cookies), None
    secret = _csrf_secret(cookies)
    if secret is None:
        return None
    member = read_member(reader.fetch_each, session_key)
    if member is None:
        return None
    key = (
        *_request_key(scope, headers, cookies),
        member.language,
        member.time_zone,
        member.rights_key,
    )
    return key, Visit(member, secret)


def site_changed() -> None:
    """Every kept page is out of date: rights, forums, announcements or names changed.

    Inside the caller's transaction, so guests see the change exactly when it is committed.
    """
    from .models import Generation

    if not Generation.objects.filter(name=SITE).update(value=F("value") + 1):
        # A random start: a database emptied and filled again (a flush, a fresh load) must not
        # bring back a generation that running processes kept other rights and pages for.
        Generation.objects.get_or_create(name=SITE, defaults={"value": secrets.randbits(48)})


def _token_query(kind: str, argument: int | None) -> tuple[str, tuple]:
    return TOKEN_SQL[kind], () if argument is None else (argument,)


def _token_of(kind: str, argument: int | None, rows: list) -> Token:
    return Token(kind, argument, tuple(rows[0]) if rows else None)


def _django_fetch_each(queries: list[tuple[str, tuple]]) -> list[list]:
    """Each query's rows, read through Django's connection (inside a request)."""
    with connection.cursor() as cursor:
        answers = []
        for sql, params in queries:
            cursor.execute(sql, params)
            answers.append(cursor.fetchall())
        return answers


def read_token(kind: str, argument: int | None = None) -> Token:
    """The token as it is now, read through Django's connection (inside a request)."""
    (rows,) = _django_fetch_each([_token_query(kind, argument)])
    return _token_of(kind, argument, rows)


def may_keep_for_guests(request) -> bool:
    """Whether the wrapper would keep this request's answer (a guest's, through the wrapper)."""
    scope = getattr(request, "scope", None)
    return scope is not None and KEY_SCOPE in scope and not request.user.is_authenticated


def _member_visit_of(request) -> Visit | None:
    """The wrapper's Visit when Django found the same member signed in."""
    visit = request.scope.get(VISIT_SCOPE)
    if visit is None or visit.member.user_id != request.user.pk:
        return None
    return visit


def keep_page(
    request,
    kind: str,
    argument: int | None = None,
    on_hit: Callable[[], None] | None = None,
    *,
    for_members: bool = False,
) -> None:
    """Let the wrapper keep this guest's page (or redirect), valid while the token read *now*
    holds; `on_hit` runs, on the event loop, each time the kept page is sent instead.

    With `for_members`, a member's page is rendered with slots (see `slot`) and kept once the
    view says who else it is true for (`keep_for_members_if`).

    Views call it before they read what they show, so that a change committed while the
    page renders makes the kept page out of date instead of hiding in it.
    """
    scope = getattr(request, "scope", None)
    if scope is None or KEY_SCOPE not in scope:
        return
    if request.user.is_authenticated:
        if not for_members or _member_visit_of(request) is None:
            return
        scope[SLOTS_SCOPE] = True
    elif VISIT_SCOPE in scope:
        return  # the wrapper took the session for a member's, Django did not: not a guest's page
    scope[TOKEN_SCOPE] = (read_token(kind, argument), on_hit)


def keep_for_members_if(request, check: MemberCheck) -> None:
    """Keep this member's page (after `keep_page(..., for_members=True)`) for the members
    `check` holds for; a member's page the view says nothing about is not kept.

    It must hold for this member too: a page that shows their own posts, their draft or their
    held post is theirs alone.
    """
    scope = getattr(request, "scope", None)
    if scope is None or TOKEN_SCOPE not in scope or SLOTS_SCOPE not in scope:
        return
    (rows,) = _django_fetch_each([check.query(request.user.pk)])
    if check.admits(request.user.pk, rows):
        scope[CHECK_SCOPE] = check


def do_not_keep(request) -> None:
    """Withdraw `keep_page`: what was read turned out not to follow its token."""
    scope = getattr(request, "scope", None)
    if scope is not None:
        scope.pop(TOKEN_SCOPE, None)
        scope.pop(CHECK_SCOPE, None)


# Slots: what of a member's page is theirs alone, rendered as a placeholder and filled in by
# the wrapper for each member it sends the page to. Placeholders are unguessable (a post cannot
# carry one to have somebody's token written into it) and change with each process.
_SLOT_SECRET = secrets.token_hex(16)
_SLOT_PLACEHOLDER = re.compile(rb"djemaa-slot-" + _SLOT_SECRET.encode() + rb"-([a-z_]+)")
_slot_fillers: dict[bytes, Callable[[Visit], str]] = {}


def register_slot(name: str, fill: Callable[[Visit], str]) -> None:
    """`fill(visit)` gives the HTML standing in the page where `slot(request, name)` was put;
    it runs on the event loop, so it must not touch the database."""
    _slot_fillers[name.encode()] = fill


def slot(request, name: str) -> str | None:
    """The placeholder to render instead of the member's own value, or None when the page is
    rendered whole (a guest, a page not kept for members): then render the value itself."""
    scope = getattr(request, "scope", None)
    if scope is None or SLOTS_SCOPE not in scope:
        return None
    return f"djemaa-slot-{_SLOT_SECRET}-{name}"


def split_at_slots(body: bytes) -> list[bytes]:
    """The body's text between its slots, and the slots' names at odd places: split once when
    the page is kept, joined with each member's values on every hit."""
    return _SLOT_PLACEHOLDER.split(body)


def fill_slots(parts: list[bytes], visit: Visit) -> bytes:
    filled = list(parts)
    values: dict[bytes, bytes] = {}
    for index in range(1, len(filled), 2):
        name = filled[index]
        if name not in values:  # one value per page: one masked token, one submission token
            values[name] = _slot_fillers[name](visit).encode()
        filled[index] = values[name]
    return b"".join(filled)


# The form token of every member's page: their CSRF secret, masked afresh for each page as
# Django's get_token does (BREACH), so that no two pages carry the same bytes.
register_slot("csrf_token", lambda visit: _mask_cipher_secret(visit.csrf_secret))


class DatabaseReader:
    """Reads outside Django's connections, from the event loop, in a few microseconds on
    SQLite: the checks on every hit must cost far less than the page they save."""

    def __init__(self) -> None:
        self._connection: Any = None
        self._for: tuple | None = None

    def _connect(self):
        database = settings.DATABASES["default"]
        # Tests switch databases between runs: reconnect when the settings moved.
        target = (database["ENGINE"], str(database["NAME"]), database.get("HOST"))
        if self._connection is not None and self._for == target:
            return self._connection
        self.close()
        if connection.vendor == "sqlite":
            path = Path(database["NAME"]).resolve()
            self._connection = sqlite3.connect(
                f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            import psycopg

            self._connection = psycopg.connect(
                **connection.get_connection_params(), autocommit=True
            )
        self._for = target
        return self._connection

    def fetch_each(self, queries: list[tuple[str, tuple]]) -> list[list] | None:
        """Each (sql, params)'s rows, or None when the database could not be read (the caller
        goes to Django). PostgreSQL gets them in one round trip (a pipeline): the event loop
        waits once, not once per query."""
        try:
            database = self._connect()
            if connection.vendor == "sqlite":
                return [
                    database.execute(sql.replace("%s", "?"), params).fetchall()
                    for sql, params in queries
                ]
            with database.pipeline():
                cursors = [database.execute(sql, params) for sql, params in queries]
            return [cursor.fetchall() for cursor in cursors]
        except Exception:  # noqa: BLE001 - any driver's error: sqlite3's, psycopg's
            # A lost connection: Django serves, and the next hit reconnects.
            self.close()
            return None

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None


def _without_length(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers if name.lower() != b"content-length"]


def _with_length(headers: list[tuple[bytes, bytes]], body: bytes) -> list[tuple[bytes, bytes]]:
    return [*_without_length(headers), (b"content-length", str(len(body)).encode())]


class PageCache:
    """ASGI wrapper around Django: answers guests and members from kept pages, keeps what
    views allow, and fills the slots of members' pages."""

    def __init__(self, app, store: BoundedStore | None = None) -> None:
        self.app = app
        self.store = store or BoundedStore(settings.DJEMAA_GUEST_CACHE_MB * 1024 * 1024)
        self.reader = DatabaseReader()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or not self.store.max_bytes:
            return await self.app(scope, receive, send)
        found = page_key(scope, self.reader)
        if found is None:
            return await self.app(scope, receive, send)
        key, visit = found
        page = self.store.get(key)
        if page is not None:
            # Out of date pages are dropped without asking the database.
            answers = self._answers(page, visit) if time.monotonic() < page.expires_at else None
            if answers is None or (
                _token_of(page.token.kind, page.token.argument, answers[0]) != page.token
            ):
                self.store.discard(key)
            elif visit is None or page.member_check.admits(visit.member.user_id, answers[1]):
                await self._send(page, send, visit)
                return
            # Else true, but not for this member: kept for the others, Django renders theirs.
        await self._render_and_keep(key, visit, scope, receive, send)

    def _answers(self, page: Page, visit: Visit | None) -> list[list] | None:
        """The page's token as it is now, and for a member what the page's check answers."""
        queries = [_token_query(page.token.kind, page.token.argument)]
        if visit is not None:
            queries.append(page.member_check.query(visit.member.user_id))
        return self.reader.fetch_each(queries)

    async def _send(self, page: Page, send, visit: Visit | None) -> None:
        if page.on_hit is not None:
            page.on_hit()
        headers, body = page.headers, page.body
        if visit is not None:
            body = fill_slots(body, visit)
            headers = _with_length(headers, body)
        await send({"type": "http.response.start", "status": page.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _render_and_keep(self, key: tuple, visit: Visit | None, scope, receive, send):
        scope = {**scope, KEY_SCOPE: key}
        if visit is not None:
            scope[VISIT_SCOPE] = visit
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
                if SLOTS_SCOPE in scope:
                    return  # sent once the whole body is in and its slots filled
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if SLOTS_SCOPE in scope:
                    if message.get("more_body"):
                        return
                    body = fill_slots(split_at_slots(b"".join(chunks)), visit)
                    await send({**start, "headers": _with_length(start["headers"], body)})
                    message = {"type": "http.response.body", "body": body}
            await send(message)

        await self.app(scope, receive, capture)
        status = start.get("status")
        if TOKEN_SCOPE not in scope or status not in KEPT_STATUSES:
            return
        check = scope.get(CHECK_SCOPE)
        if visit is not None and check is None:
            return
        token, on_hit = scope[TOKEN_SCOPE]
        headers = [(bytes(name), bytes(value)) for name, value in start.get("headers", [])]
        if any(name.lower() == b"set-cookie" for name, _ in headers):
            return  # somebody's cookie is not everybody's page
        body = b"".join(chunks)
        if check is not None:
            headers, body = _without_length(headers), split_at_slots(body)
        seconds = (
            settings.DJEMAA_GUEST_THREAD_SECONDS
            if token.kind == THREAD
            else settings.DJEMAA_GUEST_LIST_SECONDS
        )
        page = Page(token, time.monotonic() + seconds, status, headers, body, on_hit, check)
        self.store.put(key, page, page.size)


# A post's thread page shows it: any write to a post makes its thread's kept pages stale.
# Triggers, not service code, so that every writer (services, the loader's bulk path, repairs,
# a shell) is covered. Installed after each `migrate`, because SQLite drops a table's triggers
# when a migration rebuilds the table. SQLite has row triggers only (an update in place there).
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS djemaa_post_inserted AFTER INSERT ON posts_post BEGIN
        UPDATE threads_thread SET version = version + 1 WHERE id = NEW.thread_id; END""",
    """CREATE TRIGGER IF NOT EXISTS djemaa_post_updated AFTER UPDATE ON posts_post BEGIN
        UPDATE threads_thread SET version = version + 1
        WHERE id = NEW.thread_id OR id = OLD.thread_id; END""",
    """CREATE TRIGGER IF NOT EXISTS djemaa_post_deleted AFTER DELETE ON posts_post BEGIN
        UPDATE threads_thread SET version = version + 1 WHERE id = OLD.thread_id; END""",
]
# PostgreSQL: once per statement, from its transition tables. A row trigger would update a
# thread's row once per post, and repeated updates of one row inside one transaction (a load,
# a merge) grow slower with each update.
_POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION djemaa_posts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE threads_thread SET version = version + 1
            WHERE id IN (SELECT thread_id FROM new_posts);
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE threads_thread SET version = version + 1
            WHERE id IN (SELECT thread_id FROM old_posts);
        ELSE
            UPDATE threads_thread SET version = version + 1
            WHERE id IN (SELECT thread_id FROM old_posts UNION SELECT thread_id FROM new_posts);
        END IF;
        RETURN NULL;
    END $$""",
    # The row trigger of earlier versions.
    "DROP TRIGGER IF EXISTS djemaa_post_changed ON posts_post",
    "DROP FUNCTION IF EXISTS djemaa_post_changed()",
    "DROP TRIGGER IF EXISTS djemaa_posts_inserted ON posts_post",
    """CREATE TRIGGER djemaa_posts_inserted AFTER INSERT ON posts_post
        REFERENCING NEW TABLE AS new_posts
        FOR EACH STATEMENT EXECUTE FUNCTION djemaa_posts_changed()""",
    "DROP TRIGGER IF EXISTS djemaa_posts_updated ON posts_post",
    """CREATE TRIGGER djemaa_posts_updated AFTER UPDATE ON posts_post
        REFERENCING OLD TABLE AS old_posts NEW TABLE AS new_posts
        FOR EACH STATEMENT EXECUTE FUNCTION djemaa_posts_changed()""",
    "DROP TRIGGER IF EXISTS djemaa_posts_deleted ON posts_post",
    """CREATE TRIGGER djemaa_posts_deleted AFTER DELETE ON posts_post
        REFERENCING OLD TABLE AS old_posts
        FOR EACH STATEMENT EXECUTE FUNCTION djemaa_posts_changed()""",
]


def install_triggers(using: str = "default", **kwargs) -> None:
    """(Re)create the triggers above; a post_migrate receiver."""
    database = connections[using]
    if not {"posts_post", "threads_thread"} <= set(database.introspection.table_names()):
        return
    statements = _SQLITE_TRIGGERS if database.vendor == "sqlite" else _POSTGRES_TRIGGERS
    with database.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
