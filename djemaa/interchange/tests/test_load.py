import io
import sys
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from djemaa.forums.models import Announcement, Category
from djemaa.interchange.models import LoadedObject
from djemaa.posts.models import Post
from djemaa.threads.models import Thread

AMINA = {"type": "user", "id": "u1", "username": "Amina"}
QUARTIER = {"type": "category", "id": "c1", "title": "Vie du quartier"}
MARCHE = {"type": "category", "id": "c2", "title": "Le marché", "parent": "c1"}
FIGUES = {
    "type": "thread",
    "id": "t1",
    "category": "c2",
    "title": "Où trouver des figues ?",
    "author": "u1",
    "created": "2021-09-04T10:00:00+02:00",
}


def post(file_id: str, created: str, body: str = "Un message.", **fields) -> dict:
    return {
        "type": "post",
        "id": file_id,
        "thread": "t1",
        "author": "u1",
        "created": created,
        "body": body,
        **fields,
    }


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def loaded(kind: str, file_id: str):
    """The object the file's id was loaded as."""
    model = {
        "user": get_user_model(),
        "category": Category,
        "thread": Thread,
        "post": Post,
        "announcement": Announcement,
    }[kind]
    return model.objects.get(pk=LoadedObject.objects.get(kind=kind, file_id=file_id).object_id)


def test_a_file_with_every_type_and_field_loads_as_written(load, forum_file):
    load(forum_file)

    amina, youssef, claire = (loaded("user", f"u{n}") for n in (1, 2, 3))
    assert amina.username == "Amina"
    assert amina.signature == "Jardinière du *quartier* nord"
    assert "<em>quartier</em>" in amina.signature_html
    assert amina.date_joined == at("2009-03-14T08:30:00+01:00")
    assert (amina.language, amina.timezone, amina.email) == (
        "fr",
        "Europe/Paris",
        "amina@exemple.fr",
    )
    assert (youssef.username, youssef.language, youssef.timezone) == (
        "يوسف",
        "ar",
        "Africa/Casablanca",
    )
    assert (claire.signature, claire.language, claire.email) == ("", "", "")

    quartier, marche, fruits = (loaded("category", f"c{n}") for n in (1, 2, 3))
    assert (quartier.depth, marche.parent, fruits.parent, fruits.depth) == (0, quartier, marche, 2)
    assert (quartier.position, marche.position, fruits.position) == (1, 2, 0)
    assert marche.description == "Étals, horaires, bonnes adresses."

    figues, horaires, doublon = (loaded("thread", f"t{n}") for n in (1, 2, 3))
    assert (figues.category, figues.author, figues.is_pinned, figues.is_locked) == (
        fruits,
        amina,
        True,
        True,
    )
    assert figues.created_at == at("2021-09-04T10:00:00+02:00")
    assert (horaires.is_pinned, horaires.is_locked, horaires.deleted_at) == (False, False, None)
    assert doublon.deleted_at is not None

    p1, p2, p3, p4, p5, p6, p7 = (loaded("post", f"p{n}") for n in range(1, 8))
    assert [(p.thread, p.number) for p in (p1, p2, p3, p6)] == [(figues, n) for n in (1, 2, 3, 4)]
    assert [(p.thread, p.number) for p in (p4, p5, p7)] == [
        (horaires, 1),
        (doublon, 1),
        (doublon, 2),
    ]
    assert p2.format == "bbcode" and p1.format == "markdown"
    assert p2.source.startswith(f"[quote=Amina;{p1.pk}]")
    assert f'href="{p1.get_absolute_url()}"' in p2.html
    assert (p2.reply_to, p3.reply_to) == (p1, p1)
    assert (p3.edited_by, p3.edited_at) == (amina, at("2021-09-04T11:00:00+02:00"))
    assert f'href="{amina.get_absolute_url()}"' in p3.html
    assert p6.deleted_at is not None and p1.deleted_at is None
    # p4 quotes p6, which comes further down the file.
    assert p4.source.startswith(f"[quote=Amina;{p6.pk}]")
    assert f'href="{p6.get_absolute_url()}"' in p4.html
    assert p4.edited_at is None

    figues.refresh_from_db()
    assert (figues.post_count, figues.last_number, figues.last_post) == (3, 4, p3)
    assert (fruits.thread_count, fruits.post_count) == (1, 3)
    marche.refresh_from_db()
    assert (marche.thread_count, marche.post_count) == (1, 3)  # the deleted thread counts no more
    amina.refresh_from_db()
    youssef.refresh_from_db()
    claire.refresh_from_db()
    assert (amina.post_count, youssef.post_count, claire.post_count) == (1, 2, 1)

    fermeture, general = loaded("announcement", "a1"), loaded("announcement", "a2")
    assert (fermeture.category, fermeture.author) == (marche, amina)
    assert fermeture.starts_at == at("2021-10-25T00:00:00+02:00")
    assert fermeture.ends_at == at("2021-11-02T00:00:00+01:00")
    assert "<strong>fermé</strong>" in fermeture.body_html
    assert (general.category, general.author, general.starts_at, general.ends_at) == (
        None,
        None,
        None,
        None,
    )


def test_posts_out_of_time_order_are_numbered_by_time_then_file_order(load, write_file):
    load(
        write_file(
            AMINA,
            QUARTIER,
            MARCHE,
            FIGUES,
            post("midi", "2021-09-04T12:00:00+02:00"),
            post("matin", "2021-09-04T09:00:00+02:00"),
            # The same instant as "midi", written in another zone: file order decides.
            post("midi-bis", "2021-09-04T10:00:00Z"),
        )
    )

    numbers = {file_id: loaded("post", file_id).number for file_id in ("midi", "matin", "midi-bis")}
    assert numbers == {"matin": 1, "midi": 2, "midi-bis": 3}
    thread = loaded("thread", "t1")
    assert (thread.last_number, thread.last_post) == (3, loaded("post", "midi-bis"))


def test_loading_the_same_file_twice_adds_nothing(load, forum_file, row_counts):
    load(forum_file)
    counts = row_counts()
    counters = list(Category.objects.order_by("pk").values_list("thread_count", "post_count"))

    output = load(forum_file)

    assert row_counts() == counts
    assert list(Category.objects.order_by("pk").values_list("thread_count", "post_count")) == (
        counters
    )
    assert output.endswith(
        "new none; already there user 3, category 5, thread 3, post 7, announcement 2.\n"
    )


def test_new_posts_for_a_thread_loaded_before_go_at_its_end(load, write_file):
    load(write_file(AMINA, QUARTIER, MARCHE, FIGUES, post("p1", "2021-09-04T10:00:00+02:00")))

    load(
        write_file(
            AMINA,
            QUARTIER,
            MARCHE,
            FIGUES,
            post("p1", "2021-09-04T10:00:00+02:00"),
            post("p0", "2021-09-01T08:00:00+02:00", "Écrit avant, arrivé après."),
        )
    )

    # The thread was on the site already: its numbers stay as readers have seen them.
    assert (loaded("post", "p1").number, loaded("post", "p0").number) == (1, 2)


def test_a_username_already_on_the_site_is_that_member_whatever_its_case(
    load, write_file, make_member
):
    amina = make_member(username="Amina")

    load(write_file({**AMINA, "username": "amina"}, QUARTIER, MARCHE, FIGUES))

    assert get_user_model().objects.count() == 1
    assert loaded("thread", "t1").author == amina


def test_a_quote_of_a_post_missing_from_the_file_keeps_its_author_only(load, write_file):
    load(
        write_file(
            AMINA,
            QUARTIER,
            MARCHE,
            FIGUES,
            post("p1", "2021-09-04T10:00:00+02:00", "[quote=Karim;p404]Disparu[/quote]\nTant pis."),
        )
    )

    assert loaded("post", "p1").source == "[quote=Karim]Disparu[/quote]\nTant pis."


def test_blank_lines_and_a_byte_order_mark_are_accepted(load, write_file):
    path = write_file(AMINA, "", "   ", QUARTIER)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    load(path)

    assert loaded("category", "c1").title == "Vie du quartier"


def test_no_progress_bar_is_drawn_when_stderr_is_not_a_terminal(load, forum_file, capfd):
    load(forum_file)

    assert capfd.readouterr().err == ""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_is_drawn_on_a_terminal(load, forum_file, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    load(forum_file)

    assert "100%" in terminal.getvalue()
    assert Post.objects.count() == 7


def test_a_missing_file_is_one_readable_error(db, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("load", str(tmp_path / "absent.jsonl"))

    assert str(error.value) == (
        f"cannot open {tmp_path / 'absent.jsonl'}: No such file or directory"
    )


BASE = [
    AMINA,
    QUARTIER,
    MARCHE,
    {"type": "category", "id": "c3", "title": "Fruits", "parent": "c2"},
    FIGUES,
    post("p1", "2021-09-04T10:00:00+02:00"),
]
ZOE = {"type": "user", "id": "u2", "username": "Zoé"}
SUJET = {**FIGUES, "id": "t9", "title": "Un autre sujet"}
REPLY = post("p2", "2021-09-04T11:00:00+02:00")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (
            '{"type": "user",',
            "not valid JSON (Expecting property name enclosed in double quotes, column 17)",
        ),
        ("[1, 2]", "expected a JSON object, not a list"),
        ({"id": "x"}, 'the object has no "type"'),
        (
            {"type": ["user"], "id": "x"},
            'unknown type ["user"] (expected one of user, category, thread, post, announcement)',
        ),
        (
            {"type": "member", "id": "m1"},
            'unknown type "member" (expected one of user, category, thread, post, announcement)',
        ),
        ({"type": "user", "username": "Zoé"}, 'this user has no "id"'),
        ({**ZOE, "id": 7}, 'this user has "id": 7, which is not a string'),
        ({**ZOE, "id": "u1"}, "user u1 is already defined above"),
        ({"type": "user", "id": "u2"}, 'user u2 has no "username"'),
        ({**ZOE, "username": "  "}, 'user u2 has an empty "username"'),
        ({**ZOE, "nickname": "Zo"}, 'user u2 has an unknown field "nickname"'),
        ({**ZOE, "language": "de"}, "user u2: Unknown language: de."),
        ({**ZOE, "timezone": "Mars/Olympus"}, "user u2: Unknown time zone: Mars/Olympus."),
        (
            {**ZOE, "joined": "hier"},
            'user u2 has "joined": "hier", which is not an ISO 8601 time',
        ),
        (
            {**ZOE, "joined": "2021-09-04T10:00:00"},
            'user u2 has "joined": "2021-09-04T10:00:00", which has no time zone'
            " (write it as 2021-10-13T19:21:00+02:00 or …Z)",
        ),
        (
            {"type": "category", "id": "c4", "title": "Trop profond", "parent": "c3"},
            "category c4: Forums can be nested at most three levels deep.",
        ),
        (
            {"type": "category", "id": "c4", "title": "Rangé", "position": "2"},
            'category c4 has "position": "2", which is not a whole number',
        ),
        (
            {**SUJET, "category": "c7"},
            "thread t9 refers to category c7, which is not defined above",
        ),
        (
            {**SUJET, "category": "c1"},
            "thread t9: Threads go in a forum, not directly in a top-level category.",
        ),
        ({**SUJET, "pinned": "oui"}, 'thread t9 has "pinned": "oui", which is not true or false'),
        ({**SUJET, "created": None}, 'thread t9 has no "created"'),
        ({**REPLY, "thread": None}, 'post p2 has no "thread"'),
        ({**REPLY, "author": 12}, 'post p2 has "author": 12, which is not a string'),
        ({**REPLY, "body": " \n "}, 'post p2 has an empty "body"'),
        (
            {**REPLY, "format": "html"},
            'post p2 has "format": "html", which is not "markdown" or "bbcode"',
        ),
        ({**REPLY, "reply_to": "p9"}, "post p2 refers to post p9, which is not defined above"),
        ({**REPLY, "edited": "hier"}, 'post p2 has "edited": "hier", which is not an object'),
        ({**REPLY, "edited": {"by": "u1"}}, 'post p2 has no "edited.at"'),
        (
            {**REPLY, "edited": {"by": "u9", "at": "2021-09-05T10:00:00Z"}},
            "post p2 refers to user u9, which is not defined above",
        ),
        (
            {**REPLY, "edited": {"at": "2021-09-05T10:00:00Z", "why": "typo"}},
            'post p2 has an unknown field "edited.why"',
        ),
        (
            {
                "type": "announcement",
                "id": "a1",
                "title": "Fermeture",
                "body": "Le marché ferme.",
                "starts": "2021-11-02T00:00:00+01:00",
                "ends": "2021-10-25T00:00:00+02:00",
            },
            "announcement a1: An announcement must end after it starts.",
        ),
        (b'{"type": "user", "id": "u2", "username": "Zo\xe9"}', "not UTF-8"),
        (
            {**REPLY, "created": "2021-09-01T10:00:00+02:00", "deleted": True},
            "post p2: The first post of a thread can only be deleted with the thread.",
        ),
    ],
)
def test_a_bad_line_stops_the_load_and_changes_nothing(
    load, write_file, make_thread, row_counts, bad_line, message
):
    make_thread(title="Déjà là")
    counts = row_counts()

    with pytest.raises(CommandError) as error:
        load(write_file(*BASE, bad_line, post("p3", "2021-09-04T12:00:00+02:00")))

    assert str(error.value) == f"line 7: {message}"
    assert row_counts() == counts
