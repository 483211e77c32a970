"""The loader writes posts in bulk: the site must end as the per-post verbs leave it.

Each test builds a forum through the services (create_member, create_thread, create_post,
replace_source, renumber_thread_by_time, delete_post, delete_thread: what the loader called
for every record before it wrote in bulk), notes every row that matters, empties the site,
loads the same records and compares. Batches of a few posts make the load go through the
render pool and many batches.
"""

import re
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.urls import reverse

from djemaa.accounts.services import create_member
from djemaa.forums.models import Category
from djemaa.forums.services import create_category
from djemaa.interchange import loader
from djemaa.interchange.models import LoadedObject
from djemaa.markup.render import rewrite_quote_refs
from djemaa.posts.models import Post, PostRevision
from djemaa.posts.services import (
    create_post,
    delete_post,
    renumber_thread_by_time,
    replace_source,
)
from djemaa.search.models import PostEntry
from djemaa.threads.models import Thread
from djemaa.threads.services import create_thread, delete_thread


def user(file_id: str, username: str) -> dict:
    return {"type": "user", "id": file_id, "username": username, "joined": "2020-01-01T00:00Z"}


def category(file_id: str, title: str, parent: str | None = None) -> dict:
    return {"type": "category", "id": file_id, "title": title, "parent": parent}


def thread(file_id: str, forum: str, author: str, created: str, **fields) -> dict:
    return {
        "type": "thread",
        "id": file_id,
        "category": forum,
        "title": f"Sujet {file_id}",
        "author": author,
        "created": created,
        **fields,
    }


def post(file_id: str, in_thread: str, author: str, created: str, body: str, **fields) -> dict:
    return {
        "type": "post",
        "id": file_id,
        "thread": in_thread,
        "author": author,
        "created": created,
        "body": body,
        **fields,
    }


FORUM = [
    user("u1", "Amina"),
    user("u2", "يوسف"),
    user("u3", "Claire"),
    category("c1", "Vie du quartier"),
    category("c2", "Le marché", "c1"),
    category("c3", "Fruits", "c2"),
    category("c4", "منتدى الحي", "c1"),
    thread("t1", "c3", "u1", "2021-09-04T10:00:00+02:00", pinned=True),
    thread("t2", "c2", "u2", "2021-09-05T09:00:00Z"),
    thread("t3", "c4", "u1", "2021-09-06T18:00:00Z", deleted=True),
    thread("t4", "c2", "u3", "2021-09-07T18:00:00Z"),
    post("p1", "t1", "u1", "2021-09-04T10:00:00+02:00", "Qui vend des **figues** ? exemple.fr"),
    post(
        "p2",
        "t1",
        "u2",
        "2021-09-04T10:05:00+02:00",
        "[quote=Amina;p1]figues[/quote]\nعند البائع في الزاوية.",
        format="bbcode",
        reply_to="p1",
    ),
    # Earlier than p1 and p2: the thread is numbered again by time.
    post(
        "p3",
        "t1",
        "u3",
        "2021-09-04T09:00:00+02:00",
        "Merci @Amina, et [@Claire](https://exemple.fr) `@يوسف`.",
        edited={"by": "u1", "at": "2021-09-04T11:00:00+02:00"},
    ),
    # Quotes p9, further down the file, and a post that is nowhere.
    post(
        "p4",
        "t1",
        "u1",
        "2021-09-04T11:00:00+02:00",
        "[quote=Claire;p9]plus loin[/quote]\n[quote=Karim;p404]disparu[/quote]\nD'accord.",
    ),
    post("p5", "t1", "u2", "2021-09-04T11:30:00+02:00", "Effacé.", deleted=True),
    post("p6", "t2", "u2", "2021-09-05T09:00:00Z", "Premier message du sujet."),
    # @Zoé joins below: not a mention yet.
    post("p7", "t2", "u1", "2021-09-05T10:00:00Z", "@Zoé @personne [quote=Amina;007]x[/quote]"),
    user("u4", "Zoé"),
    post("p8", "t2", "u4", "2021-09-05T10:00:00Z", "Même heure que p7 : @Zoé arrive."),
    post("p9", "t2", "u3", "2021-09-05T11:00:00Z", "Réponse\n\n> citée", reply_to="p6"),
    post("p10", "t2", "u1", "2021-09-05T12:00:00Z", "Supprimé aussi.", deleted=True),
    post("p11", "t3", "u1", "2021-09-06T18:00:00Z", "Doublon."),
    post("p12", "t3", "u3", "2021-09-06T18:30:00Z", "À supprimer.", deleted=True),
    post("p13", "t3", "u2", "2021-09-06T19:00:00Z", "[quote=Amina;p11]Doublon.[/quote] oui"),
    post("p14", "t1", "u4", "2021-09-04T12:00:00+02:00", "[quote=Claire;p3]Merci[/quote]"),
    # At the same instant: the later one in the file is the thread's and forum's last post.
    post("p15", "t4", "u1", "2021-09-07T18:00:00Z", "Ouvert."),
    post("p16", "t4", "u2", "2021-09-07T19:00:00+01:00", "En même temps."),
]


def _time(value: str | None) -> datetime | None:
    return None if value is None else loader.parse_time(value)


def build_through_the_services(
    records: list[dict], ids: dict[str, dict[str, int]] | None = None
) -> dict[str, dict[str, int]]:
    """The forum the records describe, made by the per-post verbs; file id -> database id.

    With the `ids` of an earlier build, what those name is there already, as on a second load.
    """
    ids = ids or {kind: {} for kind in LoadedObject.Kind.values}
    users = {file_id: get_user_model().objects.get(pk=pk) for file_id, pk in ids["user"].items()}
    new_threads = set()
    later_quotes, out_of_order, deleted_posts, deleted_threads = [], set(), [], []
    latest: dict[int, datetime] = {}

    def target(unresolved: list | None):
        def find(reference):
            pk = ids["post"].get(str(reference))
            if pk is None and unresolved is not None:
                unresolved.append(reference)
            return pk

        return find

    for record in records:
        kind, file_id = record["type"], record["id"]
        if file_id in ids[kind]:
            continue
        if kind == "user":
            users[file_id] = create_member(
                username=record["username"], joined_at=_time(record["joined"])
            )
            ids[kind][file_id] = users[file_id].pk
        elif kind == "category":
            parent = record["parent"] and Category.objects.get(pk=ids[kind][record["parent"]])
            ids[kind][file_id] = create_category(title=record["title"], parent=parent).pk
        elif kind == "thread":
            made = create_thread(
                author=users[record["author"]],
                category=Category.objects.get(pk=ids["category"][record["category"]]),
                title=record["title"],
                created_at=_time(record["created"]),
                is_pinned=record.get("pinned", False),
            )
            ids[kind][file_id] = made.pk
            new_threads.add(made.pk)
            if record.get("deleted"):
                deleted_threads.append(made)
        else:
            fmt = record.get("format", "markdown")
            unresolved: list = []
            edited = record.get("edited", {})
            in_thread = Thread.objects.get(pk=ids["thread"][record["thread"]])
            created = _time(record["created"])
            made = create_post(
                author=users[record["author"]],
                thread=in_thread,
                source=rewrite_quote_refs(record["body"], target(unresolved), fmt),
                fmt=fmt,
                created_at=created,
                reply_to=record.get("reply_to")
                and Post.objects.get(pk=ids["post"][record["reply_to"]]),
                edited_by=edited.get("by") and users[edited["by"]],
                edited_at=_time(edited.get("at")),
            )
            ids[kind][file_id] = made.pk
            if unresolved:
                later_quotes.append((made, record["body"]))
            if in_thread.pk not in new_threads:
                pass
            elif in_thread.pk in latest and created < latest[in_thread.pk]:
                out_of_order.add(in_thread.pk)
            else:
                latest[in_thread.pk] = created
            if record.get("deleted"):
                deleted_posts.append(made)
    for made, body in later_quotes:
        replace_source(post=made, source=rewrite_quote_refs(body, target(None), made.format))
    for pk in sorted(out_of_order):
        renumber_thread_by_time(Thread.objects.get(pk=pk))
    for made in deleted_posts:
        delete_post(post=Post.objects.get(pk=made.pk), actor=None)
    for made in deleted_threads:
        delete_thread(thread=Thread.objects.get(pk=made.pk), actor=None)
    return ids


def loaded_ids() -> dict[str, dict[str, int]]:
    ids: dict[str, dict[str, int]] = {kind: {} for kind in LoadedObject.Kind.values}
    for kind, file_id, pk in LoadedObject.objects.values_list("kind", "file_id", "object_id"):
        ids[kind][file_id] = pk
    return ids


def snapshot(ids: dict[str, dict[str, int]]) -> dict:
    """Every row the load writes, with database ids put back as the file's ids."""
    name = {kind: {pk: file_id for file_id, pk in pks.items()} for kind, pks in ids.items()}
    posts, threads = name["post"], name["thread"]
    users, categories = name["user"], name["category"]
    url = re.escape(reverse("posts:permalink", args=[0])).replace("0", "([0-9]+)")

    def text(value: str) -> str:
        value = re.sub(url, lambda match: f"<post {posts[int(match.group(1))]}>", value)
        value = re.sub(r'data-post="([0-9]+)"', lambda m: f"data-post={posts[int(m[1])]}", value)
        return re.sub(r";([0-9]+)\]", lambda match: f";{posts[int(match.group(1))]}]", value)

    return {
        "posts": {
            posts[row.pk]: (
                threads[row.thread_id],
                row.number,
                users[row.author_id],
                text(row.source),
                row.format,
                text(row.html),
                row.renderer_version,
                row.has_links,
                row.has_quotes,
                row.created_at,
                row.edited_at,
                users.get(row.edited_by_id),
                posts.get(row.reply_to_id),
                row.deleted_at is not None,
                row.deleted_by_id,
                row.held_at,
                row.submission_token,
            )
            for row in Post.objects.all()
        },
        "revisions": sorted(
            (posts[row.post_id], row.number, text(row.source), row.format)
            + (users[row.author_id], row.created_at)
            for row in PostRevision.objects.all()
        ),
        "threads": {
            threads[row.pk]: (
                row.last_number,
                row.post_count,
                posts.get(row.last_post_id),
                row.last_activity_at,
                row.deleted_at is not None,
                row.is_pinned,
            )
            for row in Thread.objects.all()
        },
        "categories": {
            categories[row.pk]: (row.thread_count, row.post_count, posts.get(row.last_post_id))
            for row in Category.objects.all()
        },
        "members": {users[row.pk]: row.post_count for row in get_user_model().objects.all()},
        "search": {posts[row.post_id]: (row.title, row.body) for row in PostEntry.objects.all()},
    }


@pytest.fixture
def small_batches(monkeypatch):
    """A few posts a batch, so that a small file goes through the render pool."""
    monkeypatch.setattr(loader, "POST_BATCH", 2)
    monkeypatch.setattr(loader, "RENDER_AHEAD", 2)


@pytest.mark.parametrize("batch", [2, loader.POST_BATCH])
def test_a_bulk_load_ends_as_the_per_post_verbs_leave_the_forum(
    batch, load, write_file, empty_the_site, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(loader, "POST_BATCH", batch)
    # Committed work runs too: the search index takes the posts after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        ids = build_through_the_services(FORUM)
    expected = snapshot(ids)
    assert len(expected["search"]) == len(expected["posts"])
    empty_the_site()
    PostEntry.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        load(write_file(*FORUM))

    assert snapshot(loaded_ids()) == expected


def test_posts_added_to_threads_loaded_before_end_as_the_verbs_leave_them(
    load, write_file, empty_the_site, small_batches, django_capture_on_commit_callbacks
):
    # The second file adds posts to threads the first one loaded, a deleted one too.
    first, second = FORUM[:14], FORUM
    with django_capture_on_commit_callbacks(execute=True):
        built = build_through_the_services(second, build_through_the_services(first))
    expected = snapshot(built)
    empty_the_site()
    PostEntry.objects.all().delete()

    load(write_file(*first))
    load(write_file(*second, name="more.jsonl"))

    assert snapshot(loaded_ids()) == expected
    ids = loaded_ids()
    names = {pk: file_id for file_id, pk in ids["post"].items()}
    t1 = Thread.objects.get(pk=ids["thread"]["t1"])
    assert [names[pk] for pk in t1.posts.order_by("number").values_list("pk", flat=True)] == [
        "p3",
        "p1",
        "p2",
        "p4",
        "p5",
        "p14",
    ]


def test_a_post_refused_in_a_worker_is_reported_before_a_later_bad_line(
    load, write_file, small_batches, row_counts
):
    counts = row_counts()
    too_long = post("p2", "t1", "u1", "2021-09-04T10:05:00+02:00", "x" * 100_001)

    with pytest.raises(CommandError) as error:
        load(write_file(*FORUM[:12], too_long, *FORUM[13:16], '{"type": "post",'))

    assert str(error.value) == "line 13: post p2: A post can be at most 100000 characters long."
    assert row_counts() == counts
