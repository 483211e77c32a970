"""bench/search_speed: latency of 200 mixed searches and the index's size, on one site.

    DJEMAA_DATA_DIR=DIR python -m bench.search_speed.run                  # that SQLite site
    DATABASE_URL=postgres://…/NAME python -m bench.search_speed.run        # that PostgreSQL site
    … python -m bench.search_speed.run --no-analyze     # only reads (statistics are fresh)

It measures an already loaded site (the step 3 dataset, `djemaa load`ed): it first completes
the search index with `reindex` when the index holds fewer posts than the site (and times
it), then draws 200 queries from the site's own text with a fixed seed, in six kinds (one
word, two words, a phrase, a OR b, a -b, a word with an author: filter), in French and
Arabic as the posts have them. Each search is what the results page does for a guest:
count, first page of 20, snippets. Reports p50 and p95, overall and per kind, as medians
over ROUNDS rounds (after one untimed warm-up pass, and ANALYZE), the load average, and the
slowest queries.
"""

import os
import random
import statistics
import sys
import time

QUERIES = 200
# Each round runs every query once; figures are the median over the rounds, since the
# machine is shared and one round can land on someone else's busy moment.
ROUNDS = 3
SEED = 4
KINDS = ("word", "two words", "phrase", "or", "not", "author")


def _index_size(connection) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('search_postentry') + "
                "pg_total_relation_size('search_word')"
            )
            return cursor.fetchone()[0]
        # FTS5 keeps its index in search_fts_* tables; the terms are in search_postentry.
        cursor.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_%' "
            "OR name IN (SELECT name FROM sqlite_master WHERE tbl_name LIKE 'search_%')"
        )
        return cursor.fetchone()[0] or 0


def _figures(rounds: list[list[float]]) -> str:
    """p50 and p95 of each round, as their medians over the rounds."""
    cuts = [statistics.quantiles(timings, n=100) for timings in rounds]
    p50 = statistics.median(cut[49] for cut in cuts)
    p95 = statistics.median(cut[94] for cut in cuts)
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"


def _queries(rng: random.Random) -> list[str]:
    from djemaa.accounts.models import User
    from djemaa.markup.text import own_words
    from djemaa.posts.models import Post

    highest = Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    names = list(User.objects.order_by("pk").values_list("username", flat=True)[:500])
    queries = []
    while len(queries) < QUERIES:
        post = Post.objects.filter(pk__gte=rng.randint(1, highest)).order_by("pk").first()
        if post is None:
            continue
        words = [w for w in own_words(post.html).split() if len(w) > 3 and w.isalpha()]
        if len(words) < 3:
            continue
        kind = KINDS[len(queries) % len(KINDS)]
        at = rng.randrange(len(words) - 1)
        first, second = words[at], words[at + 1]
        other = rng.choice(words)
        queries.append(
            {
                "word": first,
                "two words": f"{first} {other}",
                "phrase": f'"{first} {second}"',
                "or": f"{first} OR {other}",
                "not": f"{first} -{other}",
                "author": f'{first} author:"{rng.choice(names)}"' if names else first,
            }[kind]
        )
    return queries


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from djemaa.posts.models import Post
    from djemaa.search.models import PostEntry
    from djemaa.search.services import reindex_all, run_search

    posts = Post.objects.count()
    if PostEntry.objects.count() < posts:
        started = time.perf_counter()
        reindex_all()
        print(f"reindex: {posts} posts in {time.perf_counter() - started:.0f} s")
    if "--no-analyze" not in sys.argv:  # fresh already, or not ours to write (bench/.data)
        with connection.cursor() as cursor:
            # Fresh planner statistics, as a running site has them (autovacuum, PRAGMA
            # optimize): right after a bulk load, PostgreSQL thinks the tables nearly empty.
            cursor.execute("ANALYZE")
    queries = _queries(random.Random(SEED))
    guest = AnonymousUser()
    for text in queries:  # warm-up: caches and the OS page cache, as on a running site
        run_search(guest, text)
    rounds = []
    for _ in range(ROUNDS):
        timings = []
        for text in queries:
            started = time.perf_counter()
            run_search(guest, text)
            timings.append((time.perf_counter() - started) * 1000)
        rounds.append(timings)
    load = " ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(
        f"{connection.vendor}: {posts} posts, index {_index_size(connection) / 2**20:.0f} MiB, "
        f"{len(queries)} queries x {ROUNDS} rounds (load average after: {load})"
    )
    print(f"  all: {_figures(rounds)}")
    for kind in KINDS:
        of_kind = [[t for i, t in enumerate(r) if KINDS[i % len(KINDS)] == kind] for r in rounds]
        print(f"  {kind}: {_figures(of_kind)}")
    medians = [statistics.median(times) for times in zip(*rounds, strict=True)]
    for ms, text in sorted(zip(medians, queries, strict=True), reverse=True)[:5]:
        print(f"  {ms:8.1f} ms  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
