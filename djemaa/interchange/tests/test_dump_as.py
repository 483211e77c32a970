"""`djemaa dump --as USERNAME`: only what that member may see."""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from djemaa.forums.services import create_announcement
from djemaa.posts.models import Post
from djemaa.threads.services import start_thread


@pytest.fixture
def site(private_forum, make_forum, make_member, make_thread, make_post):
    """A public thread with a reply that quotes a post of a private forum and answers a
    deleted post."""
    author = make_member(username="Amina")
    secret = start_thread(
        author=author, category=private_forum, title="Sujet secret", source="Chut."
    ).last_post
    create_announcement(title="Réunion privée", body="Demain.", category=private_forum)
    create_announcement(title="Bienvenue", body="À tous.")
    thread = make_thread(title="Sujet public", category=make_forum())
    regretted = make_post(thread, source="Regrettable.")
    make_post(thread, source=f"[quote=Amina;{secret.pk}]Chut.[/quote]Entendu.", reply_to=regretted)
    Post.objects.filter(pk=regretted.pk).update(deleted_at=timezone.now())
    return thread


def dump_as(tmp_path, username=None) -> list[dict]:
    path = tmp_path / "dump.jsonl"
    options = {"viewer": username} if username else {}
    call_command("dump", str(path), stdout=io.StringIO(), **options)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_an_unknown_member_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no member named nobody"):
        dump_as(tmp_path, "nobody")


def test_a_member_s_dump_leaves_out_what_they_may_not_see(site, make_member, tmp_path):
    member = make_member()
    written = dump_as(tmp_path, member.username)
    text = json.dumps(written, ensure_ascii=False)
    for secret in ("Coulisses", "Sujet secret", "Chut.", "Réunion privée", "Regrettable."):
        assert secret not in text
    assert "Sujet public" in text and "Bienvenue" in text
    reply = next(record for record in written if "Entendu." in record.get("body", ""))
    assert reply["body"] == "Entendu." and "reply_to" not in reply
    assert {record["username"] for record in written if record["type"] == "user"} >= {
        "Amina",
        member.username,
    }


def test_a_member_s_dump_loads_into_an_empty_site(site, make_member, tmp_path, empty_the_site):
    path = tmp_path / "member.jsonl"
    call_command("dump", str(path), "--as", make_member().username, stdout=io.StringIO())
    empty_the_site()
    call_command("load", str(path), stdout=io.StringIO())


def test_a_moderator_s_dump_is_the_whole_forum(site, make_member, tmp_path):
    moderator = make_member()
    Group.objects.get(name="moderators").user_set.add(moderator)
    assert dump_as(tmp_path, moderator.username) == dump_as(tmp_path)
