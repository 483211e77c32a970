"""Writing the forum as an interchange file, in the order the loader needs.

Each object is written under the id it was loaded with, else its database id, so that
dump -> load into an empty site -> dump gives the same bytes. Rows are streamed; only
the category tree is held in memory.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

from django.contrib.auth import get_user_model
from django.db.models import CharField, Exists, Max, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce

from djemaa.forums.models import Announcement, Category
from djemaa.markup.render import (
    drop_quotes_of,
    find_quote_refs,
    is_quote_reference,
    rewrite_quote_refs,
)
from djemaa.permissions import rules
from djemaa.posts.models import Post
from djemaa.threads.models import Thread

from .models import LoadedObject

Kind = LoadedObject.Kind
CHUNK = 2000
KIND_OF: dict[type[Model], str] = {
    get_user_model(): Kind.USER,
    Category: Kind.CATEGORY,
    Thread: Kind.THREAD,
    Post: Kind.POST,
    Announcement: Kind.ANNOUNCEMENT,
}
# JSON allows these raw, but line readers built on str.splitlines() would cut there.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _file_id(kind: str, field: str = "pk") -> Coalesce:
    """The id an object was loaded with, else its database id, for the object `field` names."""
    loaded = (
        LoadedObject.objects.filter(kind=kind, object_id=OuterRef(field))
        .order_by("pk")
        .values("file_id")[:1]
    )
    return Coalesce(Subquery(loaded), Cast(field, CharField()))


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Optional fields are left out when empty, as a hand-written file would."""
    return {key: value for key, value in record.items() if value not in (None, "", False, 0)}


class Dumper:
    """Writes users, categories (parents first), threads, posts (by thread, then number)
    and announcements, one JSON object a line.

    With a viewer, only what that member may see: the forums they see, the threads and posts
    they may read, and no quote of a post they may not see. Members are all written (their
    profiles are public).
    """

    def __init__(self, out: BinaryIO, viewer=None) -> None:
        self.out = out
        self.viewer = viewer
        self._shown: dict[type[Model], QuerySet] = {model: model.objects.all() for model in KIND_OF}
        if viewer is not None:
            categories = rules.visible_categories(viewer)
            self._shown.update(
                {
                    Category: categories,
                    Thread: rules.visible_threads(viewer),
                    Post: rules.visible_posts(viewer),
                    Announcement: Announcement.objects.filter(
                        Q(category__isnull=True) | Q(category__in=categories)
                    ),
                }
            )
        self.written: Counter[str] = Counter()
        # Objects added while the dump runs are left out, so that nothing refers to an
        # object the file lacks (a post whose thread came after the threads were written).
        self._last = {
            model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in KIND_OF
        }

    def _rows(
        self, model: type[Model], order: tuple[str, ...], *fields: str, **ids: Coalesce
    ) -> Iterator[dict[str, Any]]:
        return (
            self._shown[model]
            .filter(pk__lte=self._last[model])
            .order_by(*order)
            .values(*fields, file_id=_file_id(KIND_OF[model]), **ids)
            .iterator(chunk_size=CHUNK)
        )

    def _write(self, kind: str, file_id: str, record: dict[str, Any]) -> None:
        line = json.dumps(
            {"type": kind, "id": file_id, **record}, ensure_ascii=False, separators=(",", ":")
        )
        self.out.write(line.translate(_LINE_BREAKS).encode() + b"\n")
        self.written[kind] += 1

    def dump(self) -> None:
        self._users()
        self._categories()
        self._threads()
        self._posts()
        self._announcements()

    def _users(self) -> None:
        fields = ("username", "signature", "date_joined", "language", "timezone", "email")
        for row in self._rows(get_user_model(), ("pk",), *fields):
            record = {
                "username": row["username"],
                "joined": format_time(row["date_joined"]),
                "signature": row["signature"],
                "language": row["language"],
                "timezone": row["timezone"],
                "email": row["email"],
            }
            self._write(Kind.USER, row["file_id"], _compact(record))

    def _categories(self) -> None:
        """Depth first, each parent before its children, siblings in their order on the index."""
        fields = ("pk", "parent_id", "title", "description", "position")
        children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        file_ids: dict[int, str] = {}
        for row in self._rows(Category, ("position", "pk"), *fields):
            children[row["parent_id"]].append(row)
            file_ids[row["pk"]] = row["file_id"]
        waiting = list(reversed(children[None]))
        while waiting:
            row = waiting.pop()
            record = {
                "title": row["title"],
                "description": row["description"],
                "parent": file_ids.get(row["parent_id"]),
                "position": row["position"],
            }
            self._write(Kind.CATEGORY, row["file_id"], _compact(record))
            waiting.extend(reversed(children[row["pk"]]))

    def _threads(self) -> None:
        rows = self._rows(
            Thread,
            ("pk",),
            "title",
            "created_at",
            "is_pinned",
            "is_locked",
            "deleted_at",
            category_file_id=_file_id(Kind.CATEGORY, "category_id"),
            author_file_id=_file_id(Kind.USER, "author_id"),
        )
        for row in rows:
            record = {
                "category": row["category_file_id"],
                "title": row["title"],
                "author": row["author_file_id"],
                "created": format_time(row["created_at"]),
                "pinned": row["is_pinned"],
                "locked": row["is_locked"],
                "deleted": row["deleted_at"] is not None,
            }
            self._write(Kind.THREAD, row["file_id"], _compact(record))

    def _posts(self) -> None:
        rows = self._rows(
            Post,
            ("thread_id", "number"),
            "source",
            "format",
            "has_quotes",
            "created_at",
            "edited_at",
            "edited_by_id",
            "deleted_at",
            thread_file_id=_file_id(Kind.THREAD, "thread_id"),
            author_file_id=_file_id(Kind.USER, "author_id"),
            editor_file_id=_file_id(Kind.USER, "edited_by_id"),
            reply_to_file_id=_file_id(Kind.POST, "reply_to_id"),
            # A reply to a post the viewer may not see is written as a plain post.
            reply_to_shown=(
                Value(True)
                if self.viewer is None
                else Exists(self._shown[Post].filter(pk=OuterRef("reply_to_id")))
            ),
        )
        for row in rows:
            body = row["source"]
            if row["has_quotes"]:
                if self.viewer is not None:
                    body = self._without_hidden_quotes(body, row["format"])
                body = self._quotes_as_file_ids(body, row["format"])
            edited = None
            if row["edited_at"] is not None:
                edited = {"at": format_time(row["edited_at"])}
                # An editor who joined after the dump began is not in the file.
                if row["edited_by_id"] and row["edited_by_id"] <= self._last[get_user_model()]:
                    edited = {"by": row["editor_file_id"], **edited}
            record = {
                "thread": row["thread_file_id"],
                "author": row["author_file_id"],
                "created": format_time(row["created_at"]),
                "body": body,
                "format": "" if row["format"] == Post.Format.MARKDOWN else row["format"],
                "edited": edited,
                "reply_to": row["reply_to_file_id"] if row["reply_to_shown"] else None,
                "deleted": row["deleted_at"] is not None,
            }
            self._write(Kind.POST, row["file_id"], _compact(record))

    def _without_hidden_quotes(self, source: str, fmt: str) -> str:
        quoted = {post_id for _, post_id in find_quote_refs(source, fmt)}
        return drop_quotes_of(source, rules.hidden_post_ids(self.viewer, quoted), fmt)

    def _quotes_as_file_ids(self, source: str, fmt: str) -> str:
        """Quote references name posts by their id in the file; a missing post's is dropped."""

        def file_id_of(reference: int | str) -> str | None:
            if not isinstance(reference, int):
                return None
            # One query per quote, inside the one parse of the body (a parse costs more).
            file_id = (
                Post.objects.filter(pk=reference, pk__lte=self._last[Post])
                .values_list(_file_id(Kind.POST), flat=True)
                .first()
            )
            return file_id if file_id is not None and is_quote_reference(file_id) else None

        return rewrite_quote_refs(source, file_id_of, fmt)

    def _announcements(self) -> None:
        rows = self._rows(
            Announcement,
            ("pk",),
            "title",
            "body",
            "starts_at",
            "ends_at",
            category_file_id=_file_id(Kind.CATEGORY, "category_id"),
            author_file_id=_file_id(Kind.USER, "author_id"),
        )
        for row in rows:
            record = {
                "title": row["title"],
                "body": row["body"],
                "category": row["category_file_id"],
                "author": row["author_file_id"],
                "starts": row["starts_at"] and format_time(row["starts_at"]),
                "ends": row["ends_at"] and format_time(row["ends_at"]),
            }
            self._write(Kind.ANNOUNCEMENT, row["file_id"], _compact(record))


def dump_forum(out: BinaryIO, viewer=None) -> Counter[str]:
    """Write the forum to `out` (with a viewer, what they may see); returns how many objects
    of each kind were written."""
    dumper = Dumper(out, viewer)
    dumper.dump()
    return dumper.written
