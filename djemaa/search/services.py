"""Search: index upkeep (called by the other apps' verbs: after commit, or for a new post in
its own transaction), running a search
for a person, snippets and spelling suggestions.

Who may see a post is asked at query time (permissions.rules.visible_posts), never stored
in the index, so deleting, restoring, approving, moving a thread or changing a group's
rights needs no index change. What the index holds is text: a post's own words and, on a
thread's opening post, the thread's title.
"""

import multiprocessing
import os
import string
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from multiprocessing.pool import AsyncResult

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from djemaa.markup.text import own_words
from djemaa.permissions.rules import tree_rights, visible_categories, visible_posts
from djemaa.posts.models import Post

from .analyser import Token, is_arabic, tokens
from .backends import COUNT_LIMIT, RELEVANCE, current_backend, ranked
from .models import PostEntry, Word
from .query import FILTERS, NUMBER, Query, parse

BATCH_SIZE = 500
# Batches handed to the analyser pool ahead of the one being written: enough to keep every
# worker busy while this process writes.
ANALYSE_AHEAD = 2 * (os.cpu_count() or 1)
SNIPPET_LENGTH = 240
# How many known words close to an unknown one are tried as suggestions.
SUGGESTION_TRIES = 4
# Longer words are rarely misspelt in one letter, and would make long candidate lists.
MAX_SUGGESTED_LENGTH = 20
_LATIN_ALPHABET = string.ascii_lowercase
_ARABIC_ALPHABET = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءؤئ"


# Index upkeep --------------------------------------------------------------------------


# (post id, its HTML, the thread's title on the thread's opening post, else "")
PostText = tuple[int, str, str]
# (post id, title terms, body terms, the words they came from)
Analysed = tuple[int, str, str, set[str]]


def _texts(posts: QuerySet[Post]) -> list[PostText]:
    opening = (
        Post.objects.filter(thread_id=OuterRef("thread_id")).order_by("number").values("pk")[:1]
    )
    rows = posts.annotate(opening_id=Subquery(opening)).values_list(
        "pk", "html", "thread__title", "opening_id"
    )
    return [(pk, html, title if pk == opening_id else "") for pk, html, title, opening_id in rows]


def _analyse(texts: list[PostText]) -> list[Analysed]:
    """The index terms of each post. No database: reindex_all runs it in worker processes."""
    analysed = []
    for pk, html, title in texts:
        title_tokens = list(tokens(title))
        body_tokens = list(tokens(own_words(html)))
        analysed.append(
            (
                pk,
                " ".join(token.term for token in title_tokens),
                " ".join(token.term for token in body_tokens),
                {token.word for token in (*title_tokens, *body_tokens)},
            )
        )
    return analysed


def _store(analysed: list[Analysed], known_words: set[str]) -> set[str]:
    """Write these entries and their words not in `known_words`, in the caller's
    transaction; returns the words written.

    Plain SQL with executemany (the same on both databases): bulk_create spent more time
    building its statement than the database spent running it (profiled on 100k posts)."""
    words = set().union(*(post_words for *_, post_words in analysed)) - known_words
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_postentry (post_id, title, body) VALUES (%s, %s, %s)"
            " ON CONFLICT (post_id) DO UPDATE SET title = excluded.title, body = excluded.body",
            [(pk, title, body) for pk, title, body, _ in analysed],
        )
        cursor.executemany(
            "INSERT INTO search_word (word) VALUES (%s) ON CONFLICT DO NOTHING",
            [(word,) for word in words],
        )
    return words


def _write(batch: list[int], analysed: list[Analysed], known_words: set[str]) -> None:
    """Store the entries of one batch of post ids in one short transaction; ids that were
    not analysed (the post is gone) leave the index. Words in `known_words` are not written
    again; the new ones join it."""
    with transaction.atomic():
        words = _store(analysed, known_words)
        PostEntry.objects.filter(post_id__in=set(batch) - {pk for pk, *_ in analysed}).delete()
    known_words |= words


@dataclass(frozen=True)
class Terms:
    """A new post's index entry, analysed (analyse_post) before its writing transaction."""

    title: str  # the thread title it was analysed with: "" but for a thread's opening post
    title_terms: str
    body_terms: str
    words: frozenset[str]


def analyse_post(html: str, title: str = "") -> Terms:
    """The index entry of a post with this HTML (and, on a thread's opening post, title).
    No database: the analyser is the slow part of indexing, kept out of the transaction."""
    [(_, title_terms, body_terms, words)] = _analyse([(0, html, title)])
    return Terms(title, title_terms, body_terms, frozenset(words))


def index_new_post(post: Post, title: str, terms: Terms | None = None) -> None:
    """Index a post inside the transaction that writes it, from the post in hand: its HTML
    and `title` (its thread's, when it opens the thread, else ""). `terms` are the
    analyse_post() the caller made earlier, used when made with the same title.

    In the post's own transaction rather than one after commit: on SQLite each transaction
    waits for the one write lock, and a second one per post made posting slower (issue 4);
    a search also never misses a post that is there."""
    if terms is None or terms.title != title:
        terms = analyse_post(post.html, title)
    _store([(post.pk, terms.title_terms, terms.body_terms, set(terms.words))], set())


def index_posts(post_ids: Iterable[int]) -> None:
    """(Re)index these posts as they are now; ids of posts that no longer exist are dropped
    from the index. Each batch is one short transaction, so the forum keeps working."""
    ids = sorted(set(post_ids))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        _write(batch, _analyse(_texts(Post.objects.filter(pk__in=batch))), set())


def unindex_posts(post_ids: Iterable[int]) -> None:
    """Take these posts out of the index (they are being erased for good)."""
    PostEntry.objects.filter(post_id__in=list(post_ids)).delete()


def reindex_thread(thread_id: int) -> None:
    """Reindex a whole thread: after its title changed, or posts moved in or out of it
    (the opening post, which carries the title, may be another one now)."""
    index_posts(Post.objects.filter(thread_id=thread_id).values_list("pk", flat=True))


def _ready(pending: tuple[list[int], AsyncResult]) -> tuple[list[int], list[Analysed]]:
    batch, result = pending
    return batch, result.get()


def reindex_all(progress: Callable[[int], object] | None = None, *, after: int = 0) -> int:
    """Index every post (with an id above `after`) again, a batch at a time (each its own
    short transaction, so the forum stays open and searches keep answering from the old
    entries meanwhile). `progress` is told how many posts each batch held. Returns how many
    were indexed.

    The analyser is most of the work: batches are analysed in a pool of worker processes,
    one per core, while this process reads the next batches and writes the analysed ones."""
    done, pool, known_words = 0, None, set()
    analysing: deque[tuple[list[int], AsyncResult]] = deque()

    def store(batch: list[int], analysed: list[Analysed]) -> None:
        nonlocal done
        _write(batch, analysed, known_words)
        done += len(batch)
        if progress is not None:
            progress(len(batch))

    try:
        while texts := _texts(Post.objects.filter(pk__gt=after).order_by("pk")[:BATCH_SIZE]):
            batch, after = [pk for pk, *_ in texts], texts[-1][0]
            if pool is None and len(texts) < BATCH_SIZE:
                store(batch, _analyse(texts))  # the only batch: not worth starting workers
                break
            if pool is None:
                # Forked: the workers start with Django set up and never use the database
                # connection they inherit (_analyse needs none).
                pool = multiprocessing.get_context("fork").Pool(os.cpu_count())
            analysing.append((batch, pool.apply_async(_analyse, (texts,))))
            while len(analysing) > ANALYSE_AHEAD:
                store(*_ready(analysing.popleft()))
        while analysing:
            store(*_ready(analysing.popleft()))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return done


# Searching -----------------------------------------------------------------------------


@dataclass
class Results:
    query: Query
    total: int
    posts: list[Post] = field(default_factory=list)
    suggestion: str | None = None


def _forum_ids(user, value: str) -> set[int]:
    """The forums (with the forums under them) a forum: filter names, among those this
    person can see: by number, else by title, ignoring case."""
    visible = visible_categories(user)
    if NUMBER.fullmatch(value):
        chosen = visible.filter(pk=int(value))
    else:
        chosen = visible.filter(title__iexact=value)
    roots = set(chosen.values_list("pk", flat=True))
    parents = tree_rights(user).parents
    found = set(roots)
    for pk in parents:
        node = pk
        while node is not None and node not in roots:
            node = parents.get(node)
        if node is not None:
            found.add(pk)
    return found


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def searchable_posts(user, query: Query) -> QuerySet[Post] | None:
    """The posts this person may read, narrowed by the query's filters; None (with a note)
    when a filter names nothing there is."""
    posts = visible_posts(user)
    if query.author is not None:
        # The member first, then their posts by id: the database then reads them through the
        # (author, created_at) index instead of walking every visible post to its author.
        members = get_user_model().objects.named(query.author)
        author_id = members.values_list("pk", flat=True).first()
        if author_id is None:
            query.notes.append(_("There is no member “%(name)s”.") % {"name": query.author})
            return None
        posts = posts.filter(author_id=author_id)
    if query.forum is not None:
        forums = _forum_ids(user, query.forum)
        if not forums:
            query.notes.append(_("There is no forum “%(name)s”.") % {"name": query.forum})
            return None
        posts = posts.filter(thread__category_id__in=forums)
    if query.thread is not None:
        posts = posts.filter(thread_id=query.thread)
    if query.after is not None:
        posts = posts.filter(created_at__gte=_day_start(query.after))
    if query.before is not None:
        posts = posts.filter(created_at__lt=_day_start(query.before))
    return posts


def count_results(user, query: Query, *, titles_only: bool = False) -> int:
    """How many posts this person may read match, up to COUNT_LIMIT + 1 ("more than")."""
    posts = searchable_posts(user, query)
    if posts is None or query.is_empty or query.excludes_every_match():
        return 0
    if not query.clauses:
        return posts[: COUNT_LIMIT + 1].count()
    return current_backend().count(posts, query, titles_only=titles_only)


def _found(
    user, query: Query, *, titles_only: bool, order: str, offset: int, limit: int
) -> tuple[int, list[int]]:
    """How many visible posts match (up to COUNT_LIMIT + 1), and one page of their ids."""
    posts = searchable_posts(user, query)
    if posts is None or query.is_empty or query.excludes_every_match():
        return 0, []
    if query.clauses and order == RELEVANCE:
        # One query gives both: the posts relevance ranks are those the count reads.
        matches = current_backend().newest(posts, query, titles_only=titles_only)
        return len(matches), [match.post_id for match in ranked(matches)[offset : offset + limit]]
    total = count_results(user, query, titles_only=titles_only)
    if offset >= total:
        return total, []
    if query.clauses:
        ids = current_backend().newest_first(
            posts, query, titles_only=titles_only, offset=offset, limit=limit
        )
    else:  # filters only: the newest posts that pass them
        newest = posts.order_by("-created_at", "-pk").values_list("pk", flat=True)
        ids = list(newest[offset : offset + limit])
    return total, ids


def _results(ids: list[int], query: Query) -> list[Post]:
    """These posts, in this order, each with its thread, forum and author, and `snippet`:
    safe HTML around the matches."""
    found = (
        Post.objects.filter(pk__in=ids)
        .select_related("thread__category", "author")
        .defer("source", "author__signature")
        .in_bulk()
    )
    terms = query.matched_terms()
    results = [found[pk] for pk in ids if pk in found]
    for post in results:
        post.snippet = snippet(own_words(post.html), terms)
        post.title_html = highlight(post.thread.title, terms)
    return results


def search(
    user,
    query: Query,
    *,
    titles_only: bool = False,
    order: str = RELEVANCE,
    offset: int = 0,
    limit: int = 20,
) -> list[Post]:
    """One page of results: visible posts, best first (or newest first), each with its
    thread, forum and author, and `snippet`."""
    _, ids = _found(user, query, titles_only=titles_only, order=order, offset=offset, limit=limit)
    return _results(ids, query)


def run_search(
    user,
    text: str,
    *,
    thread_id: int | None = None,
    titles_only: bool = False,
    order: str = RELEVANCE,
    offset: int = 0,
    limit: int = 20,
) -> Results:
    """Parse, count, fetch a page and, when nothing matches, look for a suggestion.

    `thread_id`: search in that thread (the thread page's search box), unless the text
    names a thread itself."""
    query = parse(text)
    if query.thread is None:
        query.thread = thread_id
    total, ids = _found(
        user, query, titles_only=titles_only, order=order, offset=offset, limit=limit
    )
    results = Results(query=query, total=total, posts=_results(ids, query))
    if not total and query.clauses:
        results.suggestion = suggest(user, text, query, titles_only=titles_only)
    return results


# Snippets ------------------------------------------------------------------------------


def _marked(text: str, matches: list[Token], start: int, end: int) -> str:
    pieces, position = [], start
    for token in matches:
        if token.start < start or token.end > end:
            continue
        pieces.append(escape(text[position : token.start]))
        pieces.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        position = token.end
    pieces.append(escape(text[position:end]))
    return "".join(pieces)


def highlight(text: str, terms: set[str]) -> SafeString:
    """The whole text, escaped, with the words matching `terms` in <mark>."""
    matches = [token for token in tokens(text) if token.term in terms]
    return mark_safe(_marked(text, matches, 0, len(text)))  # noqa: S308 - escaped above


def snippet(text: str, terms: set[str], length: int = SNIPPET_LENGTH) -> SafeString:
    """About `length` characters of `text` around its densest run of matches, escaped,
    with the matches in <mark>, and "…" where text was left out."""
    matches = [token for token in tokens(text) if token.term in terms]
    start = 0
    if matches:
        best = max(
            range(len(matches)),
            key=lambda i: sum(1 for t in matches[i:] if t.end <= matches[i].start + length),
        )
        start = max(matches[best].start - length // 5, 0)
        if start:  # begin on a word
            space = text.find(" ", start, matches[best].start)
            start = space + 1 if space != -1 else matches[best].start
    end = min(start + length, len(text))
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    html = _marked(text, matches, start, end)
    return mark_safe(  # noqa: S308 - every piece is escaped by _marked
        ("…" if start else "") + html + ("…" if end < len(text) else "")
    )


# Spelling suggestions ------------------------------------------------------------------


def _edits(word: str) -> set[str]:
    """Every word one edit away: a letter deleted, swapped with the next, replaced, added."""
    alphabet = _ARABIC_ALPHABET if is_arabic(word) else _LATIN_ALPHABET
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in alphabet}
        | {a + c + b for a, b in splits for c in alphabet}
    ) - {word}


def suggest(user, text: str, query: Query, *, titles_only: bool = False) -> str | None:
    """The search with its unknown words replaced by close known ones, if that finds
    something this person may read; None otherwise.

    Words come from every post ever indexed, so a suggestion is offered only once a search
    shows it matches visible posts: a word of a hidden forum is never given away.
    """
    typed = {word for clause in query.clauses for alt in clause for word in alt.words}
    unknown = typed - set(Word.objects.filter(word__in=typed).values_list("word", flat=True))
    corrected = text
    for word in sorted(unknown):
        if not 3 <= len(word) <= MAX_SUGGESTED_LENGTH or word.isdigit():
            continue
        close = sorted(Word.objects.filter(word__in=_edits(word)).values_list("word", flat=True))
        for candidate in close[:SUGGESTION_TRIES]:
            attempt = _replace_word(corrected, word, candidate)
            if count_results(user, _with_filters(parse(attempt), query), titles_only=titles_only):
                corrected = attempt
                break
    return corrected if corrected != text else None


def _with_filters(query: Query, original: Query) -> Query:
    """`query` narrowed by the filters of `original` (the thread page's "in this thread")."""
    return replace(query, **{name: getattr(original, name) for name in FILTERS})


def _replace_word(text: str, word: str, replacement: str) -> str:
    """`text` with every token that folds to `word` replaced by `replacement`."""
    for token in sorted(tokens(text), key=lambda t: t.start, reverse=True):
        if token.word == word:
            text = text[: token.start] + replacement + text[token.end :]
    return text
