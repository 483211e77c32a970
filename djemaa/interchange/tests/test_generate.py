import io
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from djemaa.core.tests.commandline import run_djemaa
from djemaa.forums.models import Announcement, Category
from djemaa.interchange.generate import (
    BIG_THREAD_FORUM,
    BIG_THREAD_ID,
    BIG_THREAD_TITLE,
    Sizes,
    generate_records,
    write_records,
)
from djemaa.posts.models import Post
from djemaa.posts.tests.test_services import assert_counters_are_exact
from djemaa.threads.models import Thread

SMALL = Sizes(users=60, forums=10, threads=30, posts=400, big_thread_posts=100)
# Big enough for the rare things (deleted threads, pinned ones) to occur.
MEDIUM = Sizes(users=1500, forums=40, threads=2000, posts=20000, big_thread_posts=2000)

QUOTE = re.compile(r"\[quote=([^;\]]*);([^\]]*)\]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN = re.compile(r"[A-Za-zÀ-ÿ]")
# What names or points elsewhere rather than says something: quotes, mentions, addresses, tags.
NOT_PROSE = re.compile(
    r"\[quote=[^\]]*\].*?\[/quote\]|@\S+|https?://\S+|\[/?[a-z*]+(=[^\]]*)?\]", re.DOTALL
)


def file_text(sizes: Sizes, seed: int = 1) -> str:
    out = io.StringIO()
    write_records(generate_records(sizes, seed), out)
    return out.getvalue()


@pytest.fixture(scope="module")
def medium() -> list[dict]:
    return list(generate_records(MEDIUM))


def of_type(records: list[dict], kind: str) -> list[dict]:
    return [record for record in records if record["type"] == kind]


def test_the_same_options_give_the_same_bytes_and_another_seed_another_forum():
    first = file_text(SMALL)

    assert file_text(SMALL) == first
    assert file_text(SMALL, seed=2) != first
    assert first.count("\n") == SMALL.records


def test_the_defaults_are_the_benchmark_forum():
    sizes = Sizes()

    assert (sizes.posts, sizes.big_thread_posts, sizes.threads) == (1_000_000, 100_000, 50_000)


def test_the_sizes_asked_are_the_sizes_written(medium):
    counts = Counter(record["type"] for record in medium)
    posts_per_thread = Counter(post["thread"] for post in of_type(medium, "post"))

    assert counts == {
        "user": MEDIUM.users,
        "category": MEDIUM.categories,
        "announcement": 2,
        "thread": MEDIUM.threads,
        "post": MEDIUM.posts,
    }
    assert posts_per_thread[BIG_THREAD_ID] == MEDIUM.big_thread_posts
    assert len(posts_per_thread) == MEDIUM.threads
    big = next(thread for thread in of_type(medium, "thread") if thread["id"] == BIG_THREAD_ID)
    assert (big["title"], big["category"]) == (BIG_THREAD_TITLE, BIG_THREAD_FORUM)


def test_most_threads_are_short_and_a_few_are_long(medium):
    lengths = sorted(
        Counter(
            p["thread"] for p in of_type(medium, "post") if p["thread"] != BIG_THREAD_ID
        ).values()
    )
    average = sum(lengths) / len(lengths)

    assert lengths[len(lengths) // 2] < average / 2
    assert lengths[-1] > 10 * average


def test_without_a_big_thread_every_thread_is_an_ordinary_one():
    sizes = Sizes(users=20, forums=3, threads=10, posts=50, big_thread_posts=0)
    records = list(generate_records(sizes))

    assert len(of_type(records, "post")) == 50
    assert all(thread["id"] != BIG_THREAD_ID for thread in of_type(records, "thread"))


def test_usernames_are_unique_whatever_their_case_in_latin_and_arabic_script(medium):
    names = [user["username"] for user in of_type(medium, "user")]

    assert len({name.casefold() for name in names}) == len(names)
    assert any(ARABIC.search(name) for name in names)
    assert any(LATIN.search(name) for name in names)


def test_posts_are_in_french_in_arabic_and_in_both(medium):
    kinds = Counter()
    for post in of_type(medium, "post"):
        prose = NOT_PROSE.sub("", post["body"])
        kinds[(bool(LATIN.search(prose)), bool(ARABIC.search(prose)))] += 1

    french, arabic, mixed = kinds[(True, False)], kinds[(False, True)], kinds[(True, True)]
    assert min(french, arabic, mixed) > MEDIUM.posts / 10


def test_quotes_and_replies_name_earlier_posts_of_the_same_thread(medium):
    seen: dict[str, tuple[str, str]] = {}  # post id: thread, author's username
    usernames = {user["id"]: user["username"] for user in of_type(medium, "user")}
    quotes = replies = 0
    for post in of_type(medium, "post"):
        for name, quoted in QUOTE.findall(post["body"]):
            assert seen[quoted] == (post["thread"], name)
            quotes += 1
        if "reply_to" in post:
            assert seen[post["reply_to"]][0] == post["thread"]
            replies += 1
        seen[post["id"]] = (post["thread"], usernames[post["author"]])

    assert quotes > MEDIUM.posts / 10 and replies > MEDIUM.posts / 10


def test_times_increase_in_each_thread_and_nobody_posts_before_joining(medium):
    joined = {user["id"]: user["joined"] for user in of_type(medium, "user")}
    latest: dict[str, str] = {}
    for record in medium:
        if record["type"] == "thread":
            assert record["created"] >= joined[record["author"]]
            latest[record["id"]] = record["created"]
        elif record["type"] == "post":
            # Same format and zone everywhere, so the text compares as the time does.
            assert record["created"] >= latest[record["thread"]]
            assert record["created"] >= joined[record["author"]]
            latest[record["thread"]] = record["created"]
            if "edited" in record:
                assert record["edited"]["at"] > record["created"]


def test_the_forum_has_everything_a_real_one_has(medium):
    users, posts = of_type(medium, "user"), of_type(medium, "post")
    threads, categories = of_type(medium, "thread"), of_type(medium, "category")
    bodies = "\n".join(post["body"] for post in posts)
    first_posts = {post["thread"]: post["id"] for post in reversed(posts)}

    assert sum("signature" in user for user in users) > len(users) / 2
    assert {"pinned", "locked", "deleted"} <= {key for thread in threads for key in thread}
    assert any(post.get("deleted") for post in posts)
    assert not any(post.get("deleted") for post in posts if post["id"] in first_posts.values())
    assert sum("edited" in post for post in posts) > len(posts) / 50
    assert sum(post.get("format") == "bbcode" for post in posts) > len(posts) / 20
    assert re.search(r"https://[a-z.-]*\.example/\w+/\d{4}/\d\d/", bodies)
    assert "https://example.org/" in bodies and "\n- " in bodies and "**" in bodies
    assert re.search(r"(?m)^@\w", bodies)
    sub_forums = {c["id"] for c in categories if c.get("parent", "").startswith("f")}
    assert sub_forums and all(thread["category"].startswith("f") for thread in threads)


@pytest.mark.django_db
def test_the_generated_forum_loads_with_the_counts_asked():
    out = io.StringIO()
    call_command(
        "generate",
        users=SMALL.users,
        forums=SMALL.forums,
        threads=SMALL.threads,
        posts=SMALL.posts,
        big_thread_posts=SMALL.big_thread_posts,
        stdout=out,
    )

    assert out.getvalue().startswith("Loaded into the database: user 60, category 12,")
    assert get_user_model().objects.count() == SMALL.users
    assert Category.objects.count() == SMALL.categories
    assert (Thread.objects.count(), Post.objects.count()) == (SMALL.threads, SMALL.posts)
    assert Announcement.objects.count() == 2
    big = Thread.objects.get(title=BIG_THREAD_TITLE)
    assert big.last_number == SMALL.big_thread_posts
    quoting = Post.objects.filter(has_quotes=True)
    assert quoting.exists()
    for post in quoting:
        for name, quoted in QUOTE.findall(post.source):
            # Rewritten to the loaded post: an earlier one of the same thread, by that member.
            target = Post.objects.get(pk=int(quoted))
            assert (target.thread_id, target.author.username) == (post.thread_id, name)
            assert target.number < post.number
    assert_counters_are_exact()


def test_a_generated_file_loads_with_djemaa_load(tmp_path):
    path = tmp_path / "forum.jsonl"
    sizes = ["--users", "30", "--forums", "5", "--threads", "12", "--posts", "150"]

    written = run_djemaa(
        "generate", *sizes, "--big-thread-posts", "40", "--output", str(path), tmp_path=tmp_path
    )
    assert run_djemaa("migrate", "--verbosity", "0", tmp_path=tmp_path).returncode == 0
    loaded = run_djemaa("load", str(path), tmp_path=tmp_path)

    assert written.returncode == 0, written.stderr
    assert written.stdout.splitlines() == [
        f"Wrote {path}: user 30, category 6, announcement 2, thread 12, post 150; "
        "big thread t-big (40 posts) in forum f1."
    ]
    assert loaded.returncode == 0, loaded.stderr
    assert "post 150" in loaded.stdout


def test_generate_to_standard_output_writes_the_records_there_and_the_summary_to_stderr(
    tmp_path,
):
    sizes = ["--users", "30", "--forums", "5", "--threads", "12", "--posts", "150"]

    result = run_djemaa(
        "generate", *sizes, "--big-thread-posts", "0", "--output", "-", tmp_path=tmp_path
    )

    assert result.returncode == 0
    assert result.stdout == file_text(
        Sizes(users=30, forums=5, threads=12, posts=150, big_thread_posts=0)
    )
    assert result.stderr.splitlines() == [
        "Wrote standard output: user 30, category 6, announcement 2, thread 12, post 150."
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--posts", "-1"], "--posts must be 0 or more"),
        (["--users", "0"], "--users must be at least 1"),
        (["--threads", "ten"], "--threads 'ten' is not a whole number"),
        (["--threads", "20", "--posts", "10"], "--posts (10) must be at least --threads (20)"),
        (["--posts", "100", "--big-thread-posts", "99", "--threads", "5"], "--big-thread-posts"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(tmp_path, options, message):
    result = run_djemaa(
        "generate", *options, "--output", str(tmp_path / "f.jsonl"), tmp_path=tmp_path
    )

    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert not (tmp_path / "f.jsonl").exists()
