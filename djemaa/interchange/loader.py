"""Loading an interchange file: one JSON object a line, written through the forum's own verbs.

The file is read as a stream: only maps from the file's ids to database ids stay in
memory, plus what must wait for the end (quotes of posts further down, numbering,
deletions). Everything runs in one transaction, so a bad line leaves the site untouched.
The format is described in the README ("The interchange file").
"""

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.db import transaction
from tqdm import tqdm

from djemaa.accounts.services import clean_username, create_member
from djemaa.core.errors import ServiceError
from djemaa.forums.models import Category
from djemaa.forums.services import create_announcement, create_category
from djemaa.markup.render import FORMATS, rewrite_quote_refs
from djemaa.posts.models import Post
from djemaa.posts.services import create_post, delete_post, renumber_thread_by_time, replace_source
from djemaa.threads.models import Thread
from djemaa.threads.services import create_thread, delete_thread

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


class Loader:
    """Turns records, in file order, into members, forums, threads, posts and announcements.

    `add` each record, then `finish`, inside one transaction. Importers from other forums
    can feed records here directly instead of writing a file.
    """

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.existing: Counter[str] = Counter()
        self._ids: dict[str, dict[str, int]] = {kind: {} for kind in Kind.values}
        # Kinds never loaded before need no look-up per record (the usual first load).
        self._kinds_loaded_before = set(
            LoadedObject.objects.values_list("kind", flat=True).distinct()
        )
        self._links: list[LoadedObject] = []
        self._line: int | None = None
        # Threads opened by this load, with their latest post time so far (None: no post yet).
        self._new_threads: dict[int, datetime | None] = {}
        self._out_of_order: set[int] = set()
        # (line, file id, post pk, body, format) of posts quoting a post not yet seen. The
        # file's body is kept because its references are rewritten only once all are known.
        self._forward_quotes: list[tuple[int | None, str, int, str, str]] = []
        self._deleted_posts: list[tuple[int | None, str, int]] = []
        self._deleted_threads: list[tuple[int | None, str, int]] = []
        # Posts come grouped by thread and author; services want model instances.
        self._thread = lru_cache(maxsize=1024)(self._fetch_thread)
        self._user = lru_cache(maxsize=4096)(self._fetch_user)
        self._handlers: dict[str, Callable[[Record, int | None], int]] = {
            Kind.USER: self._add_user,
            Kind.CATEGORY: self._add_category,
            Kind.THREAD: self._add_thread,
            Kind.POST: self._add_post,
            Kind.ANNOUNCEMENT: self._add_announcement,
        }

    def add(self, data: dict[str, Any], line: int | None = None) -> None:
        self._line = line
        try:
            self._add(data)
        except LoadError as exc:
            exc.line = line
            raise

    def _add(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind is None:
            raise LoadError('the object has no "type"')
        if not isinstance(kind, str) or kind not in self._handlers:
            known = ", ".join(Kind.values)
            raise LoadError(f"unknown type {_show(kind)} (expected one of {known})")
        record = Record(data, kind)
        if record.id in self._ids[kind]:
            raise record.error("is already defined above")
        known = self._loaded_before(kind, record.id)
        try:
            pk = self._handlers[kind](record, known)
        except ServiceError as exc:
            raise record.refused(exc) from None
        self._ids[kind][record.id] = pk
        if known is not None:
            self.existing[kind] += 1
            return
        self._links.append(LoadedObject(kind=kind, file_id=record.id, object_id=pk))
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
        LoadedObject.objects.bulk_create(self._links)
        self._links = []

    def _ref(
        self, record: Record, field: str, kind: str, *, required: bool = False, within: str = ""
    ) -> int | None:
        """The database id of the object a field names; it must be defined above."""
        file_id = record.text(field, required=required, within=within)
        if not file_id:
            return None
        pk = self._ids[kind].get(file_id)
        if pk is None:
            raise record.error(f"refers to {kind} {file_id}, which is not defined above")
        return pk

    def _fetch_thread(self, pk: int) -> Thread:
        return Thread.objects.select_related("category").get(pk=pk)

    def _fetch_user(self, pk: int):
        return get_user_model().objects.get(pk=pk)

    def _add_user(self, record: Record, known: int | None) -> int:
        username = record.text("username", required=True)
        fields = {
            "email": record.text("email"),
            "signature": record.text("signature"),
            "language": record.text("language"),
            "timezone_name": record.text("timezone"),
            "joined_at": record.time("joined"),
        }
        if known is not None:
            return known
        # A member of the site with the same name (whatever its case) is that person.
        same_name = (
            get_user_model()
            .objects.filter(username__iexact=clean_username(username))
            .values_list("pk", flat=True)
            .first()
        )
        if same_name is not None:
            self.existing[Kind.USER] += 1
            return same_name
        self.created[Kind.USER] += 1
        return create_member(username=username, **fields).pk

    def _add_category(self, record: Record, known: int | None) -> int:
        title = record.text("title", required=True)
        description = record.text("description")
        position = record.number("position")
        parent = self._ref(record, "parent", Kind.CATEGORY)
        if known is not None:
            return known
        self.created[Kind.CATEGORY] += 1
        return create_category(
            title=title,
            parent=None if parent is None else self._category(parent),
            description=description,
            position=position,
        ).pk

    def _category(self, pk: int) -> Category:
        # Only categories, threads and announcements name one: no cache needed.
        return Category.objects.get(pk=pk)

    def _add_thread(self, record: Record, known: int | None) -> int:
        category = self._ref(record, "category", Kind.CATEGORY, required=True)
        title = record.text("title", required=True)
        author = self._ref(record, "author", Kind.USER, required=True)
        created = record.time("created", required=True)
        pinned, locked = record.flag("pinned"), record.flag("locked")
        deleted = record.flag("deleted")
        if known is not None:
            return known
        thread = create_thread(
            author=self._user(author),
            category=self._category(category),
            title=title,
            created_at=created,
            is_pinned=pinned,
            is_locked=locked,
        )
        self._new_threads[thread.pk] = None
        if deleted:
            # Its posts are still to come: deleting now would leave their counts behind.
            self._deleted_threads.append((self._line, record.id, thread.pk))
        self.created[Kind.THREAD] += 1
        return thread.pk

    def _add_post(self, record: Record, known: int | None) -> int:
        thread = self._ref(record, "thread", Kind.THREAD, required=True)
        author = self._ref(record, "author", Kind.USER, required=True)
        created = record.time("created", required=True)
        body = record.text("body", required=True)
        fmt = record.choice("format", FORMATS, default=Post.Format.MARKDOWN)
        editor, edited_at = None, None
        if record.nested("edited", EDITED_FIELDS):
            edited_at = record.time("at", required=True, within="edited")
            editor = self._ref(record, "by", Kind.USER, within="edited")
        reply_to = self._ref(record, "reply_to", Kind.POST)
        deleted = record.flag("deleted")
        if known is not None:
            return known
        unresolved: list[int | str] = []
        source = rewrite_quote_refs(body, self._quote_target(unresolved), fmt)
        post = create_post(
            author=self._user(author),
            thread=self._thread(thread),
            source=source,
            fmt=fmt,
            created_at=created,
            reply_to=None if reply_to is None else Post.objects.only("thread").get(pk=reply_to),
            edited_by=None if editor is None else self._user(editor),
            edited_at=edited_at,
        )
        if unresolved:
            self._forward_quotes.append((self._line, record.id, post.pk, body, fmt))
        if thread in self._new_threads:
            latest = self._new_threads[thread]
            if latest is not None and created < latest:
                self._out_of_order.add(thread)
            else:
                self._new_threads[thread] = created
        if deleted:
            # After numbering: whether it is the opening post depends on the whole thread.
            self._deleted_posts.append((self._line, record.id, post.pk))
        self.created[Kind.POST] += 1
        return post.pk

    def _quote_target(self, unknown: list[int | str] | None) -> Callable[[int | str], int | None]:
        """Maps a quote's file post id to the loaded post; unknown ones are dropped (and noted)."""

        def target(reference: int | str) -> int | None:
            pk = self._ids[Kind.POST].get(str(reference))
            if pk is None and unknown is not None:
                unknown.append(reference)
            return pk

        return target

    def _add_announcement(self, record: Record, known: int | None) -> int:
        title = record.text("title", required=True)
        body = record.text("body", required=True)
        category = self._ref(record, "category", Kind.CATEGORY)
        author = self._ref(record, "author", Kind.USER)
        starts, ends = record.time("starts"), record.time("ends")
        if known is not None:
            return known
        self.created[Kind.ANNOUNCEMENT] += 1
        return create_announcement(
            title=title,
            body=body,
            category=None if category is None else self._category(category),
            author=None if author is None else self._user(author),
            starts_at=starts,
            ends_at=ends,
        ).pk

    def finish(self) -> None:
        """What needed the whole file: forward quotes, numbering by time, deletions."""
        self._save_links()
        for line, file_id, pk, body, fmt in self._forward_quotes:
            post = Post.objects.get(pk=pk)
            source = rewrite_quote_refs(body, self._quote_target(None), fmt)
            self._guarded(line, Kind.POST, file_id, replace_source, post=post, source=source)
        for pk in sorted(self._out_of_order):
            renumber_thread_by_time(Thread.objects.get(pk=pk))
        for line, file_id, pk in self._deleted_posts:
            post = Post.objects.select_related("thread__category").get(pk=pk)
            self._guarded(line, Kind.POST, file_id, delete_post, post=post, actor=None)
        for line, file_id, pk in self._deleted_threads:
            thread = Thread.objects.select_related("category").get(pk=pk)
            self._guarded(line, Kind.THREAD, file_id, delete_thread, thread=thread, actor=None)

    @staticmethod
    def _guarded(line: int | None, kind: str, file_id: str, verb: Callable, *args, **kwargs):
        try:
            verb(*args, **kwargs)
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


@transaction.atomic
def load_file(stream: BinaryIO, *, size: int | None = None) -> Loader:
    """Load a whole file, all or nothing; a progress bar shows on a terminal's stderr."""
    loader = Loader()
    # disable=None: no bar when stderr is not a terminal (logs, pipes, tests).
    with tqdm(
        total=size, unit="B", unit_scale=True, file=sys.stderr, disable=None, mininterval=0.5
    ) as progress:
        for line, raw in enumerate(stream, start=1):
            progress.update(len(raw))
            data = parse_line(raw, line)
            if data is not None:
                loader.add(data, line)
    loader.finish()
    return loader
