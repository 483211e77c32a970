"""Loading an interchange file: one JSON object a line, written through the forum's own verbs.

The file is read as a stream: only maps from the file's ids to database ids stay in
memory, plus what must wait for the end (quotes of posts further down, numbering,
deletions). Everything runs in one transaction, so a bad line leaves the site untouched.
The format is described in the README ("The interchange file").

Members, forums and announcements go through the verbs people use, one by one. Threads
and posts, the bulk of any forum, are written in batches (threads.services.
add_threads_in_bulk, posts.services.add_posts_in_bulk): each is checked as create_thread or
create_post checks it when its line is read, posts are rendered by a pool of worker
processes while this one goes on reading, and every counter and "last post" they move is
worked out in memory and written once at the end, so that the site ends exactly as
create_thread, create_post, delete_post and delete_thread would have left it.
"""

import itertools
import json
import multiprocessing
import os
import re
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from multiprocessing.pool import AsyncResult
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from tqdm import tqdm

from djemaa.accounts.services import clean_username, create_member
from djemaa.core.errors import ServiceError
from djemaa.forums.models import Category
from djemaa.forums.services import (
    adjust_counters,
    create_announcement,
    create_category,
    offer_last_post,
    recompute_last_post,
)
from djemaa.markup.render import FORMATS, Rendered, rewrite_quote_refs
from djemaa.posts.models import Post
from djemaa.posts.rendering import members_named
from djemaa.posts.services import (
    MembersNeeded,
    add_posts_in_bulk,
    check_deletable,
    check_post_source,
    check_reply_target,
    recompute_thread_last_post,
    render_without_database,
    renumber_thread_by_time,
)
from djemaa.search import services as search_services
from djemaa.threads.models import Thread
from djemaa.threads.services import (
    add_threads_in_bulk,
    check_new_thread,
    delete_thread,
    set_thread_counters,
)

from .idmap import IdMap
from .models import LoadedObject

Kind = LoadedObject.Kind

FIELDS: dict[str, frozenset[str]] = {
    Kind.USER: frozenset({"username", "signature", "joined", "language", "timezone", "email"}),
    Kind.CATEGORY: frozenset({"title", "description", "parent", "position"}),
    Kind.THREAD: frozenset(
        {"category", "title", "author", "created", "pinned", "locked", "deleted"}
    ),
    Kind.POST: frozenset(
        {"thread", "author", "created", "body", "format", "edited", "reply_to", "deleted"}
    ),
    Kind.ANNOUNCEMENT: frozenset({"title", "body", "category", "author", "starts", "ends"}),
}
EDITED_FIELDS = frozenset({"by", "at"})
MAX_ID_LENGTH = LoadedObject._meta.get_field("file_id").max_length
# Rows of the id map are written in batches: nothing reads them back during the load.
LINK_BATCH = 1000
# Posts are rendered and written this many at a time, with at most RENDER_AHEAD batches
# in the render pool: that bounds what the pipeline holds (a few MB of text).
POST_BATCH = 500
RENDER_AHEAD = 2 * (os.cpu_count() or 1) + 2
# Names a query looks up at most, when the posts of a batch mention people.
NAMES_PER_QUERY = 500
# The SQLite page cache during a load, in KiB: part of the peak memory the README states.
SQLITE_CACHE_KIB = 128 * 1024


class LoadError(Exception):
    """A record the loader refuses; str() is the one line shown to the admin."""

    def __init__(self, message: str, line: int | None = None) -> None:
        # One line on the terminal, whatever the file's values contained.
        super().__init__(" ".join(message.splitlines()))
        self.line = line

    def __str__(self) -> str:
        message = super().__str__()
        return f"line {self.line}: {message}" if self.line is not None else message


def _show(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return "a number"


def parse_time(value: str) -> datetime:
    """An ISO 8601 time with its zone; ValueError says what is wrong."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("which is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError("which has no time zone (write it as 2021-10-13T19:21:00+02:00 or …Z)")
    return moment


class Record:
    """One object of the file, with typed access to its fields and messages naming it."""

    def __init__(self, data: dict[str, Any], kind: str) -> None:
        self.data, self.kind = data, kind
        file_id = data.get("id")
        if file_id is None or file_id == "":
            raise LoadError(f'this {kind} has no "id"')
        if not isinstance(file_id, str):
            raise LoadError(f'this {kind} has "id": {_show(file_id)}, which is not a string')
        if len(file_id) > MAX_ID_LENGTH:
            raise LoadError(f"this {kind} has an id longer than {MAX_ID_LENGTH} characters")
        self.id = file_id
        unknown = data.keys() - FIELDS[kind] - {"type", "id"}
        if unknown:
            raise self.error(f'has an unknown field "{min(unknown)}"')

    def error(self, message: str) -> LoadError:
        return LoadError(f"{self.kind} {self.id} {message}")

    def refused(self, exc: ServiceError) -> LoadError:
        """A service's own reason, after the record's name."""
        return LoadError(f"{self.kind} {self.id}: {' '.join(exc.messages)}")

    def _typed(self, field: str, expected: type, description: str, value: Any) -> Any:
        # bool is an int in Python; a position of `true` is still a mistake.
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise self.error(f'has "{field}": {_show(value)}, which is not {description}')
        return value

    def _get(self, field: str, within: str) -> tuple[str, Any]:
        """A field's name as the message shows it, and its value (None when absent)."""
        if within:
            return f"{within}.{field}", self.data.get(within, {}).get(field)
        return field, self.data.get(field)

    def text(self, field: str, *, required: bool = False, within: str = "") -> str:
        name, value = self._get(field, within)
        if value is None:
            if required:
                raise self.error(f'has no "{name}"')
            return ""
        value = self._typed(name, str, "a string", value)
        if required and not value.strip():
            raise self.error(f'has an empty "{name}"')
        return value

    def flag(self, field: str) -> bool:
        return self._typed(field, bool, "true or false", self.data.get(field, False))

    def number(self, field: str) -> int:
        return self._typed(field, int, "a whole number", self.data.get(field, 0))

    def choice(self, field: str, choices: Iterable[str], default: str) -> str:
        value = self.text(field) or default
        if value not in choices:
            listed = " or ".join(f'"{choice}"' for choice in choices)
            raise self.error(f'has "{field}": {_show(value)}, which is not {listed}')
        return value

    def time(self, field: str, *, required: bool = False, within: str = "") -> datetime | None:
        name = f"{within}.{field}" if within else field
        value = self.text(field, required=required, within=within)
        if not value:
            return None
        try:
            return parse_time(value)
        except ValueError as exc:
            raise self.error(f'has "{name}": {_show(value)}, {exc}') from None

    def nested(self, field: str, allowed: frozenset[str]) -> bool:
        """Check an optional object field's shape; whether the record has it."""
        value = self.data.get(field)
        if value is None:
            return False
        self._typed(field, dict, "an object", value)
        if unknown := value.keys() - allowed:
            raise self.error(f'has an unknown field "{field}.{min(unknown)}"')
        return True


@dataclass(slots=True)
class _ThreadTally:
    """What this load's posts change in one thread, written once at the end."""

    category_id: int
    last_number: int
    post_count: int
    last_post_id: int | None
    last_activity_at: datetime
    # Opened by this load: its posts are numbered by time at the end if they came out of
    # time order. `latest` is the newest post time so far (None: no post yet).
    is_new: bool
    latest: datetime | None = None
    out_of_order: bool = False
    # Deleted before this load: create_post counts its posts in the forum all the same.
    was_deleted: bool = False
    has_deleted_posts: bool = False
    # The newest post not deleted, as (created, number, id): the thread's last post once
    # delete_post has found it again (recompute_thread_last_post), if numbered as it came.
    newest_live: tuple[datetime, int, int] | None = None


def _new_ids(model: type[Model], block: int = 1000) -> Iterator[int]:
    """Ids for rows of `model` that this load writes later in its transaction.

    Taken in advance so that records can name each other (posts their thread, quotes and
    replies their post) before they are written; increasing, so that ordering by id is
    ordering by arrival.
    """
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
                    " FROM generate_series(1, %s) ORDER BY 1",
                    [table, block],
                )
                yield from (row[0] for row in cursor.fetchall())
    # SQLite: the transaction holds the database's write lock (transactions begin
    # IMMEDIATE), so nobody else takes an id before it ends. AUTOINCREMENT never reuses an
    # id, even a deleted row's: its high-water mark is in sqlite_sequence.
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    highest = max(row[0] if row else 0, model.objects.aggregate(m=Max("id"))["m"] or 0)
    yield from itertools.count(highest + 1)


# Every reference a [quote=name;ref] tag may hold: a superset, for the worker processes'
# look-ups. They decide which tags are quotes, and hand back a post that names a post not
# found here, to be written at the end.
_QUOTE_REFERENCE_RE = re.compile(r"\[quote=[^\]\n]*;([^\]\n;]*)\]", re.IGNORECASE)
_NUMBER_RE = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True, slots=True)
class _Refused:
    message: str


@dataclass(frozen=True, slots=True)
class _NeedsMembers:
    """A post that names people: rendered again once the loader has looked them up."""

    names: frozenset[str]


# A post that quotes a post further down the file.
_LATER = "later"


# What a worker is given for each post: its body, format, the posts its quotes may name
# (file id -> database id) and, on a second try, the members it names (members_named).
_Text = tuple[str, str, dict[int | str, int], dict[str, str] | None]
_Prepared = tuple[str, Rendered] | _Refused | _NeedsMembers | str


def _prepare_posts(texts: list[_Text]) -> list[_Prepared]:
    """In a worker process (no database): each body with its quotes' references rewritten
    to posts' ids, checked and rendered as create_post would."""
    return [_prepare_post(*text) for text in texts]


def _prepare_post(
    body: str, fmt: str, references: dict[int | str, int], members: dict[str, str] | None
) -> _Prepared:
    missing: list[int | str] = []

    def target(reference: int | str) -> int | None:
        pk = references.get(reference)
        if pk is None:
            missing.append(reference)
        return pk

    source = rewrite_quote_refs(body, target, fmt)
    if missing:
        return _LATER
    try:
        source = check_post_source(source, fmt)
    except ServiceError as exc:
        return _Refused(" ".join(exc.messages))
    try:
        return source, render_without_database(source, fmt, members)
    except MembersNeeded as exc:
        return _NeedsMembers(frozenset(exc.names))


class Loader:
    """Turns records, in file order, into members, forums, threads, posts and announcements.

    `add` each record, then `finish`, inside one transaction, and `close` in any case (it
    stops the render pool). Importers from other forums can feed records here directly
    instead of writing a file.
    """

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.existing: Counter[str] = Counter()
        # Set by load_file / load_records: until the commit, then indexing for search.
        self.load_seconds = self.index_seconds = 0.0
        # Kinds never loaded before need no look-up per record (the usual first load).
        self._kinds_loaded_before = set(
            LoadedObject.objects.values_list("kind", flat=True).distinct()
        )
        self._links: list[tuple[str, str, int]] = []
        self._line: int | None = None
        self._categories: dict[int, Category] = {}
        self._user = lru_cache(maxsize=4096)(self._fetch_user)
        # Posts: their ids are taken in advance, so that quotes and replies can name them
        # before they are written (the map keeps each one's thread: a reply stays in it).
        self._post_ids: Iterator[int] | None = None
        # Threads: the same, and written in batches (always before their posts).
        self._thread_ids: Iterator[int] | None = None
        self._unwritten_threads: list[Thread] = []
        self._threads: dict[int, _ThreadTally] = {}
        self._live_posts_by_author: Counter[int] = Counter()
        self._posts_by_category: Counter[int] = Counter()
        # The newest post of each forum as (created, id): what offer_last_post would keep.
        self._newest_by_category: dict[int, tuple[datetime, int]] = {}
        # (line, file id, post, body) of posts read and not yet written.
        self._batch: list[tuple[int | None, str, Post, str]] = []
        # Batches in the render pool, oldest first: (posts, their _Text, the pool's answer).
        self._rendering: deque[tuple[list, list[_Text], AsyncResult]] = deque()
        self._pool: multiprocessing.pool.Pool | None = None
        # (line, file id, post, body) of posts quoting a post not yet seen: they are
        # rendered and written at the end, once every reference is known.
        self._forward_quotes: list[tuple[int | None, str, Post, str]] = []
        self._deleted_posts: list[tuple[int | None, str, int]] = []
        self._deleted_threads: list[tuple[int | None, str, int]] = []
        self._sqlite_cache_size = self._enlarge_sqlite_cache()
        # Each returns the object's database id and, for a post, its thread's.
        self._handlers: dict[str, Callable[[Record, int | None], tuple[int, int | None]]] = {
            Kind.USER: self._add_user,
            Kind.CATEGORY: self._add_category,
            Kind.THREAD: self._add_thread,
            Kind.POST: self._add_post,
            Kind.ANNOUNCEMENT: self._add_announcement,
        }
        # The file's ids, kept on disk: a dict of them grew with the file. Made last, so
        # that `close` (which removes its file) follows whenever it was made.
        self._ids = IdMap()

    def add(self, data: dict[str, Any], line: int | None = None) -> None:
        self._line = line
        try:
            self._add(data)
        except LoadError as exc:
            if exc.line is None:
                exc.line = line
                # A post above may be refused too, once its text is checked: that comes first.
                self.flush()
            raise

    def _add(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind is None:
            raise LoadError('the object has no "type"')
        if not isinstance(kind, str) or kind not in self._handlers:
            known = ", ".join(Kind.values)
            raise LoadError(f"unknown type {_show(kind)} (expected one of {known})")
        record = Record(data, kind)
        if self._ids.get(kind, record.id) is not None:
            raise record.error("is already defined above")
        known = self._loaded_before(kind, record.id)
        try:
            pk, thread = self._handlers[kind](record, known)
        except ServiceError as exc:
            raise record.refused(exc) from None
        self._ids.add(kind, record.id, pk, thread)
        if known is not None:
            self.existing[kind] += 1
            return
        self._links.append((kind, record.id, pk))
        if len(self._links) >= LINK_BATCH:
            self._save_links()

    def _loaded_before(self, kind: str, file_id: str) -> int | None:
        if kind not in self._kinds_loaded_before:
            return None
        return (
            LoadedObject.objects.filter(kind=kind, file_id=file_id)
            .values_list("object_id", flat=True)
            .first()
        )

    def _save_links(self) -> None:
        # One prepared INSERT for every row: bulk_create's work on each value would cost
        # more than the insert itself, a million times over.
        table = connection.ops.quote_name(LoadedObject._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (kind, file_id, object_id) VALUES (%s, %s, %s)",  # noqa: S608
                self._links,
            )
        self._links = []

    def _ref(
        self, record: Record, field: str, kind: str, *, required: bool = False, within: str = ""
    ) -> int | None:
        """The database id of the object a field names; it must be defined above."""
        file_id = record.text(field, required=required, within=within)
        if not file_id:
            return None
        pk = self._ids.get(kind, file_id)
        if pk is None:
            raise record.error(f"refers to {kind} {file_id}, which is not defined above")
        return pk

    def _reply_target(self, record: Record) -> tuple[int, int] | None:
        """The post that `reply_to` names, and its thread."""
        file_id = record.text("reply_to")
        if not file_id:
            return None
        found = self._ids.get_post(file_id)
        if found is None:
            raise record.error(f"refers to {Kind.POST} {file_id}, which is not defined above")
        pk, thread = found
        if thread is None:  # loaded before: its thread is in the database
            thread = Post.objects.values_list("thread", flat=True).get(pk=pk)
        return pk, thread

    def _fetch_user(self, pk: int):
        return get_user_model().objects.get(pk=pk)

    def _category(self, pk: int) -> Category:
        # The tree is small: each node is kept, with its parents, for the counters' updates.
        if pk not in self._categories:
            self._categories[pk] = Category.objects.select_related("parent__parent").get(pk=pk)
        return self._categories[pk]

    def _add_user(self, record: Record, known: int | None) -> tuple[int, None]:
        username = record.text("username", required=True)
        fields = {
            "email": record.text("email"),
            "signature": record.text("signature"),
            "language": record.text("language"),
            "timezone_name": record.text("timezone"),
            "joined_at": record.time("joined"),
        }
        if known is not None:
            return known, None
        # A member of the site with the same name (whatever its case) is that person.
        same_name = (
            get_user_model()
            .objects.named(clean_username(username))
            .values_list("pk", flat=True)
            .first()
        )
        if same_name is not None:
            self.existing[Kind.USER] += 1
            return same_name, None
        # Posts above name (@mention) the members there were when they were written.
        self.flush()
        self.created[Kind.USER] += 1
        return create_member(username=username, **fields).pk, None

    def _add_category(self, record: Record, known: int | None) -> tuple[int, None]:
        title = record.text("title", required=True)
        description = record.text("description")
        position = record.number("position")
        parent = self._ref(record, "parent", Kind.CATEGORY)
        if known is not None:
            return known, None
        self.created[Kind.CATEGORY] += 1
        category = create_category(
            title=title,
            parent=None if parent is None else self._category(parent),
            description=description,
            position=position,
        )
        self._categories[category.pk] = category
        return category.pk, None

    def _add_thread(self, record: Record, known: int | None) -> tuple[int, None]:
        category = self._ref(record, "category", Kind.CATEGORY, required=True)
        title = record.text("title", required=True)
        author = self._ref(record, "author", Kind.USER, required=True)
        created = record.time("created", required=True)
        pinned, locked = record.flag("pinned"), record.flag("locked")
        deleted = record.flag("deleted")
        if known is not None:
            return known, None
        forum = self._category(category)
        title = check_new_thread(title=title, category=forum)
        if self._thread_ids is None:
            self._thread_ids = _new_ids(Thread)
        thread = Thread(
            pk=next(self._thread_ids),
            author_id=author,
            category=forum,
            title=title,
            created_at=created,
            last_activity_at=created,
            is_pinned=pinned,
            is_locked=locked,
        )
        self._unwritten_threads.append(thread)
        if len(self._unwritten_threads) >= POST_BATCH:
            self._write_threads()
        self._threads[thread.pk] = _ThreadTally(
            category_id=category,
            last_number=0,
            post_count=0,
            last_post_id=None,
            last_activity_at=created,
            is_new=True,
        )
        if deleted:
            # Its posts are still to come: deleting now would leave their counts behind.
            self._deleted_threads.append((self._line, record.id, thread.pk))
        self.created[Kind.THREAD] += 1
        return thread.pk, None

    def _thread_tally(self, pk: int) -> _ThreadTally:
        """The counters of a thread this load writes posts in; a thread loaded before is
        read (and on PostgreSQL locked, as create_post locks it) when its first post comes."""
        if pk not in self._threads:
            row = (
                Thread.objects.select_for_update()
                .values(
                    "category",
                    "last_number",
                    "post_count",
                    "last_post",
                    "last_activity_at",
                    "deleted_at",
                )
                .get(pk=pk)
            )
            self._threads[pk] = _ThreadTally(
                category_id=row["category"],
                last_number=row["last_number"],
                post_count=row["post_count"],
                last_post_id=row["last_post"],
                last_activity_at=row["last_activity_at"],
                is_new=False,
                was_deleted=row["deleted_at"] is not None,
            )
        return self._threads[pk]

    def _add_post(self, record: Record, known: int | None) -> tuple[int, int | None]:
        thread = self._ref(record, "thread", Kind.THREAD, required=True)
        author = self._ref(record, "author", Kind.USER, required=True)
        created = record.time("created", required=True)
        body = record.text("body", required=True)
        fmt = record.choice("format", FORMATS, default=Post.Format.MARKDOWN)
        editor, edited_at = None, None
        if record.nested("edited", EDITED_FIELDS):
            edited_at = record.time("at", required=True, within="edited")
            editor = self._ref(record, "by", Kind.USER, within="edited")
        reply_target = self._reply_target(record)
        deleted = record.flag("deleted")
        if known is not None:
            return known, None
        # create_post checks the text (in a worker process, with its quotes' references)
        # before the post it answers.
        reply_to = None
        if reply_target is not None:
            reply_to, reply_thread = reply_target
            check_reply_target(reply_thread, thread)
        tally = self._thread_tally(thread)
        if self._post_ids is None:
            self._post_ids = _new_ids(Post)
        pk = next(self._post_ids)
        tally.last_number += 1
        post = Post(
            pk=pk,
            thread_id=thread,
            author_id=author,
            number=tally.last_number,
            format=fmt,
            created_at=created,
            reply_to_id=reply_to,
            edited_by_id=editor,
            edited_at=edited_at,
            # What delete_post leaves; whether it may be deleted is known once all are in.
            deleted_at=timezone.now() if deleted else None,
        )
        self._count(tally, post)
        self._batch.append((self._line, record.id, post, body))
        if len(self._batch) >= POST_BATCH:
            self._send_batch()
        if deleted:
            self._deleted_posts.append((self._line, record.id, pk))
        self.created[Kind.POST] += 1
        return pk, thread

    def _count(self, tally: _ThreadTally, post: Post) -> None:
        """Move the counters as create_post, then delete_post for a deleted post, would."""
        created = post.created_at
        if tally.is_new:
            if tally.latest is not None and created < tally.latest:
                tally.out_of_order = True
            else:
                tally.latest = created
        if tally.last_post_id is None or created >= tally.last_activity_at:
            tally.last_post_id, tally.last_activity_at = post.pk, created
        newest = self._newest_by_category.get(tally.category_id)
        if newest is None or (created, post.pk) > newest:
            self._newest_by_category[tally.category_id] = (created, post.pk)
        if post.deleted_at is None:
            tally.post_count += 1
            self._live_posts_by_author[post.author_id] += 1
            live = (created, post.number, post.pk)
            if tally.newest_live is None or live > tally.newest_live:
                tally.newest_live = live
        else:
            tally.has_deleted_posts = True
        # delete_post takes a post out of its forum's count only if its thread is not deleted.
        if post.deleted_at is None or tally.was_deleted:
            self._posts_by_category[tally.category_id] += 1

    def _quote_target(self, unknown: list[int | str] | None) -> Callable[[int | str], int | None]:
        """Maps a quote's file post id to the loaded post; unknown ones are dropped (and noted)."""

        def target(reference: int | str) -> int | None:
            pk = self._ids.get(Kind.POST, str(reference))
            if pk is None and unknown is not None:
                unknown.append(reference)
            return pk

        return target

    def _references(self, body: str) -> dict[int | str, int]:
        """The posts loaded so far that the body's quotes may name."""
        found: dict[int | str, int] = {}
        for match in _QUOTE_REFERENCE_RE.finditer(body):
            token = match.group(1).strip()
            # Numeric references are compared as numbers (rewrite_quote_refs gives an int).
            reference: int | str = int(token) if _NUMBER_RE.fullmatch(token) else token
            pk = self._ids.get(Kind.POST, str(reference))
            if pk is not None:
                found[reference] = pk
        return found

    def _texts(self, batch: list[tuple[int | None, str, Post, str]]) -> list[_Text]:
        return [(body, post.format, self._references(body), None) for _, _, post, body in batch]

    def _send_batch(self) -> None:
        """Hand the batch to the render pool; write the oldest rendered batches meanwhile."""
        batch, self._batch = self._batch, []
        self._render(batch, self._texts(batch))
        while len(self._rendering) > RENDER_AHEAD:
            self._write_oldest()

    def _render(self, batch: list, texts: list[_Text]) -> None:
        if self._pool is None:
            # Forked, not spawned: the workers start with Django set up, and never use the
            # database connection they inherit (render_without_database needs none).
            self._pool = multiprocessing.get_context("fork").Pool(os.cpu_count())
        self._rendering.append((batch, texts, self._pool.apply_async(_prepare_posts, (texts,))))

    def _write_oldest(self) -> None:
        batch, texts, prepared = self._rendering.popleft()
        self._write_batch(batch, texts, prepared.get())

    def flush(self) -> None:
        """Write every post read so far; a LoadError names the first one refused."""
        self._write_threads()
        if self._batch:
            batch, self._batch = self._batch, []
            if self._pool is None:  # a small load: rendered here, without worker processes
                texts = self._texts(batch)
                self._write_batch(batch, texts, _prepare_posts(texts))
            else:
                self._render(batch, self._texts(batch))
        while self._rendering:
            self._write_oldest()

    def _write_threads(self) -> None:
        if self._unwritten_threads:
            add_threads_in_bulk(self._unwritten_threads)
            self._unwritten_threads = []

    def _write_batch(self, batch: list, texts: list[_Text], prepared: list[_Prepared]) -> None:
        self._write_threads()
        posts, renderings, naming = [], [], []
        for entry, text, result in zip(batch, texts, prepared, strict=True):
            line, file_id, post, body = entry
            if isinstance(result, _Refused):
                raise LoadError(f"{Kind.POST} {file_id}: {result.message}", line)
            if isinstance(result, _NeedsMembers):
                naming.append((entry, text, result.names))
                continue
            if result == _LATER:
                self._forward_quotes.append(entry)
                continue
            post.source, rendered = result
            posts.append(post)
            renderings.append(rendered)
        add_posts_in_bulk(posts, renderings)
        if naming:
            self._render_with_members(naming)

    def _render_with_members(self, naming: list[tuple[tuple, _Text, frozenset[str]]]) -> None:
        """Render posts that name people again, with the people looked up now (one query a
        batch), before any member below them in the file is added (_add_user flushes)."""
        names = sorted(set().union(*(names for _, _, names in naming)))
        members: dict[str, str] = {}
        for start in range(0, len(names), NAMES_PER_QUERY):
            members.update(members_named(set(names[start : start + NAMES_PER_QUERY])))
        batch = [entry for entry, _, _ in naming]
        texts = [(body, fmt, references, members) for _, (body, fmt, references, _), _ in naming]
        if self._pool is None:
            self._write_batch(batch, texts, _prepare_posts(texts))
        else:
            self._render(batch, texts)

    def close(self) -> None:
        """Stop the render pool, remove the id map and give the connection its cache size
        back (after finish, or after an error)."""
        self._stop_pool()
        self._ids.close()
        # After a database error the transaction takes no more statements: the setting
        # then ends with the connection.
        if self._sqlite_cache_size is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self._sqlite_cache_size)}")
            self._sqlite_cache_size = None

    def _stop_pool(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    @staticmethod
    def _enlarge_sqlite_cache() -> int | None:
        """On SQLite, keep the indexes that a big load writes into in memory (the default
        cache is 2 MB); returns the size to give back. WAL and synchronous stay as set."""
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (size,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        return size

    def _add_announcement(self, record: Record, known: int | None) -> tuple[int, None]:
        title = record.text("title", required=True)
        body = record.text("body", required=True)
        category = self._ref(record, "category", Kind.CATEGORY)
        author = self._ref(record, "author", Kind.USER)
        starts, ends = record.time("starts"), record.time("ends")
        if known is not None:
            return known, None
        self.created[Kind.ANNOUNCEMENT] += 1
        announcement = create_announcement(
            title=title,
            body=body,
            category=None if category is None else self._category(category),
            author=None if author is None else self._user(author),
            starts_at=starts,
            ends_at=ends,
        )
        return announcement.pk, None

    def finish(self) -> None:
        """What needed the whole file: forward quotes, counters, numbering by time, deletions."""
        self._save_links()
        self.flush()
        self._stop_pool()
        self._write_forward_quotes()
        self._write_counters()
        for pk, tally in self._threads.items():
            if tally.out_of_order:
                renumber_thread_by_time(Thread.objects.get(pk=pk))
        self._delete_posts()
        for line, file_id, pk in self._deleted_threads:
            thread = Thread.objects.select_related("category").get(pk=pk)
            self._guarded(line, Kind.THREAD, file_id, delete_thread, thread=thread, actor=None)

    def _write_forward_quotes(self) -> None:
        posts = []
        for line, file_id, post, body in self._forward_quotes:
            source = rewrite_quote_refs(body, self._quote_target(None), post.format)
            post.source = self._guarded(
                line, Kind.POST, file_id, check_post_source, source, post.format
            )
            posts.append(post)
        # Rendered here: they name the members there are at the end (as replace_source would).
        add_posts_in_bulk(posts, [None] * len(posts))

    def _write_counters(self) -> None:
        threads = []
        for pk, tally in self._threads.items():
            last_post_id, last_activity_at = tally.last_post_id, tally.last_activity_at
            if tally.has_deleted_posts and tally.is_new and tally.newest_live is not None:
                last_activity_at, _, last_post_id = tally.newest_live
            threads.append(
                Thread(
                    pk=pk,
                    last_number=tally.last_number,
                    post_count=tally.post_count,
                    last_post_id=last_post_id,
                    last_activity_at=last_activity_at,
                )
            )
        set_thread_counters(threads)
        get_user_model().objects.add_post_counts(self._live_posts_by_author)
        for category, posts in self._posts_by_category.items():
            adjust_counters(self._category(category), posts=posts)
        # Offered oldest first, as create_post offers each post in turn.
        offers = sorted((newest, category) for category, newest in self._newest_by_category.items())
        for (created, pk), category in offers:
            offer_last_post(self._category(category), Post(pk=pk, created_at=created))

    def _delete_posts(self) -> None:
        """Check the deleted posts once numbered, then find the threads' and forums' newest
        posts again, as delete_post does after each."""
        pks = [pk for _, _, pk in self._deleted_posts]
        numbers: dict[int, int] = {}
        for start in range(0, len(pks), 500):
            numbers.update(
                Post.objects.filter(pk__in=pks[start : start + 500]).values_list("pk", "number")
            )
        for line, file_id, pk in self._deleted_posts:
            self._guarded(line, Kind.POST, file_id, check_deletable, numbers[pk])
        categories = set()
        for pk, tally in self._threads.items():
            if not tally.has_deleted_posts:
                continue
            # Threads opened by this load had theirs found in memory (_write_counters); a
            # renumbered thread has had it found again by renumber_thread_by_time.
            if not tally.is_new:
                recompute_thread_last_post(Thread(pk=pk))
            categories.add(tally.category_id)
        for category in sorted(categories):
            recompute_last_post(self._category(category))

    @staticmethod
    def _guarded(line: int | None, kind: str, file_id: str, verb: Callable, *args, **kwargs):
        try:
            return verb(*args, **kwargs)
        except ServiceError as exc:
            raise LoadError(f"{kind} {file_id}: {' '.join(exc.messages)}", line) from None


def parse_line(raw: bytes, line: int) -> dict[str, Any] | None:
    """The object on one line of the file, or None for a blank line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LoadError("not UTF-8", line) from None
    if line == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        # Without the line break, an error at the end points into this line, not the next.
        data = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        raise LoadError(f"not valid JSON ({exc.msg}, column {exc.colno})", line) from None
    if not isinstance(data, dict):
        raise LoadError(f"expected a JSON object, not {_json_kind(data)}", line)
    return data


def _progress_bar(**options) -> tqdm:
    # disable=None: no bar when stderr is not a terminal (logs, pipes, tests).
    return tqdm(file=sys.stderr, disable=None, mininterval=0.5, **options)


def load_file(stream: BinaryIO, *, size: int | None = None) -> Loader:
    """Load a whole file, all or nothing, then index its posts for search; progress bars
    show on a terminal's stderr."""

    def read(loader: Loader) -> None:
        with _progress_bar(total=size, unit="B", unit_scale=True) as progress:
            for line, raw in enumerate(stream, start=1):
                progress.update(len(raw))
                try:
                    data = parse_line(raw, line)
                except LoadError:
                    loader.flush()  # a post above may be refused too: that comes first
                    raise
                if data is not None:
                    loader.add(data, line)

    return _load(read)


def load_records(records: Iterable[dict[str, Any]], *, total: int | None = None) -> Loader:
    """Load records a program makes (the generator, an importer) as if read from a file,
    all or nothing; errors name the record's position instead of a line."""

    def read(loader: Loader) -> None:
        with _progress_bar(total=total, unit=" records", unit_scale=True) as progress:
            for position, data in enumerate(records, start=1):
                loader.add(data, position)
                progress.update()

    return _load(read)


def _load(read: Callable[[Loader], None]) -> Loader:
    started, first_post = time.monotonic(), _next_post_id()
    with transaction.atomic():
        loader = Loader()
        try:
            read(loader)
            loader.finish()
        finally:
            loader.close()
    loader.load_seconds = time.monotonic() - started
    _index_for_search(first_post, loader)
    loader.index_seconds = time.monotonic() - started - loader.load_seconds
    return loader


def _next_post_id() -> int:
    return (Post.objects.aggregate(last=Max("pk"))["last"] or 0) + 1


def _index_for_search(first_post: int, loader: Loader) -> None:
    """After the commit, in short transactions of its own (the site may be open by then):
    the posts the load wrote go into the search index, as create_post's do one by one."""
    created = loader.created[Kind.POST]
    if not created:
        return
    with _progress_bar(total=created, unit=" posts indexed", unit_scale=True) as progress:
        search_services.reindex_all(progress=progress.update, after=first_post - 1)
