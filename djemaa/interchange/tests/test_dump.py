import json
from datetime import UTC, datetime, timedelta

from djemaa.forums.services import create_announcement
from djemaa.posts.services import delete_post, edit_post
from djemaa.threads.services import delete_thread


def records(dumped: bytes) -> list[dict]:
    return [json.loads(line) for line in dumped.decode().splitlines()]


def test_dump_then_load_into_an_empty_site_then_dump_gives_the_same_bytes(
    load, dump, forum_file, empty_the_site, tmp_path
):
    load(forum_file)
    first = dump("first.jsonl")
    empty_the_site()

    load(tmp_path / "first.jsonl")

    assert dump("second.jsonl") == first


def test_a_dump_keeps_the_file_ids_and_the_order_the_loader_needs(load, dump, forum_file):
    load(forum_file)

    written = records(dump())

    assert [(r["type"], r["id"]) for r in written] == [
        ("user", "u1"),
        ("user", "u2"),
        ("user", "u3"),
        # Depth first, siblings by position: the Arabic category is at position 0.
        ("category", "c4"),
        ("category", "c5"),
        ("category", "c1"),
        ("category", "c2"),
        ("category", "c3"),
        ("thread", "t1"),
        ("thread", "t2"),
        ("thread", "t3"),
        # By thread, then number.
        ("post", "p1"),
        ("post", "p2"),
        ("post", "p3"),
        ("post", "p6"),
        ("post", "p4"),
        ("post", "p5"),
        ("post", "p7"),
        ("announcement", "a1"),
        ("announcement", "a2"),
    ]
    by_id = {r["id"]: r for r in written}
    assert by_id["p4"]["body"].startswith("[quote=Amina;p6]")
    assert by_id["p3"]["edited"] == {"by": "u1", "at": "2021-09-04T09:00:00Z"}
    assert by_id["p2"]["reply_to"] == "p1" and by_id["p2"]["format"] == "bbcode"
    assert by_id["p6"]["deleted"] is True and by_id["t3"]["deleted"] is True
    assert by_id["u2"]["username"] == "يوسف"
    assert by_id["a1"]["starts"] == "2021-10-24T22:00:00Z"


def test_a_forum_built_on_the_site_dumps_and_loads_back_the_same(
    dump, load, empty_the_site, make_member, make_forum, make_thread, make_post, tmp_path
):
    amina, karim = make_member(username="Amina", signature="Salam"), make_member(username="Karim")
    forum = make_forum(title="Cuisine", description="Recettes")
    thread = make_thread(title="Le couscous du vendredi", author=amina, category=forum)
    first = thread.posts.get()
    answer = make_post(thread, f"[quote=Amina;{first.pk}]vendredi[/quote]\nبالخضار", karim)
    edit_post(post=answer, editor=amina, source=answer.source + " !")
    make_post(thread, "Hors sujet.", karim, reply_to=answer)
    delete_post(post=thread.posts.get(number=3), actor=amina)
    gone = make_thread(title="Doublon", author=karim, category=forum)
    delete_thread(thread=gone, actor=amina)
    now = datetime.now(UTC)
    create_announcement(
        title="Pause estivale",
        body="Fermé en août.",
        category=forum,
        starts_at=now,
        ends_at=now + timedelta(days=30),
    )
    first_dump = dump("first.jsonl")
    empty_the_site()

    load(tmp_path / "first.jsonl")

    assert dump("second.jsonl") == first_dump
    written = {(r["type"], r["id"]): r for r in records(first_dump)}
    # Objects that were not loaded from a file go by their database id.
    assert written[("post", str(answer.pk))]["body"].startswith(f"[quote=Amina;{first.pk}]")
    assert written[("post", str(answer.pk))]["edited"]["by"] == str(amina.pk)


def test_a_quote_of_a_post_no_longer_there_loses_its_reference(dump, make_thread, make_post):
    thread = make_thread()
    make_post(thread, "[quote=Amina;999999]Perdu[/quote]\nQuel message ?")

    bodies = [r["body"] for r in records(dump()) if r["type"] == "post"]

    assert "[quote=Amina]Perdu[/quote]\nQuel message ?" in bodies


def test_an_empty_forum_dumps_to_an_empty_file(dump):
    assert dump() == b""


def test_quotes_keep_their_file_ids_among_numbers_of_the_text(load, dump, write_file):
    body = "[quote=Amina;p1]12 figues à 3 euros[/quote]\nEt `[quote=x;10]` reste ;10] 100"
    load(
        write_file(
            {"type": "user", "id": "u1", "username": "Amina"},
            {"type": "category", "id": "c1", "title": "Vie du quartier"},
            {"type": "category", "id": "c2", "title": "Le marché", "parent": "c1"},
            {
                "type": "thread",
                "id": "t1",
                "category": "c2",
                "title": "Prix",
                "author": "u1",
                "created": "2021-09-04T10:00:00Z",
            },
            {
                "type": "post",
                "id": "p1",
                "thread": "t1",
                "author": "u1",
                "created": "2021-09-04T10:00:00Z",
                "body": "12 figues pour 3 euros",
            },
            {
                "type": "post",
                "id": "p2",
                "thread": "t1",
                "author": "u1",
                "created": "2021-09-04T10:01:00Z",
                "body": body,
            },
        )
    )

    assert [r["body"] for r in records(dump()) if r["id"] == "p2"] == [body]
