"""One backend per database: the Query, as that database's full-text search, over the posts
a queryset allows.

The queryset comes from permissions.rules.visible_posts with the searcher's filters applied;
its SQL is asked of every match (EXISTS), or, for an author's or a thread's posts, gives
the only posts the engine keeps (IN): either way the
database never returns a post the searcher may not read, not even in a count. Ranking: the
engine's relevance (a title match weighs more: the title is its own column or weight) times a
gentle bonus for recent posts.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from djemaa.posts.models import Post

from .query import Alternative, Query

RELEVANCE, NEWEST = "relevance", "date"
ORDERS = (RELEVANCE, NEWEST)
# A post from today counts up to 1.5 times one of the same relevance written long ago; the
# bonus halves after a year. Measured with bench/search_quality.
RECENCY_BONUS = 0.5
RECENCY_DAYS = 365.0
# How much more a match in the thread's title weighs than one in a post's text (SQLite's
# bm25 column weight; PostgreSQL's ts_rank weighs A against D ten to one by default).
TITLE_WEIGHT = 10.0


# Counting stops past this many: "more than 1,000 posts" is all a reader needs, and counting
# every match of a common word in a million posts would cost more than the search itself.
# Relevance order ranks the same posts the count reads: the newest COUNT_LIMIT + 1 visible
# matches (by post id, an order both engines read from an index without ranking anything),
# which hold every page the results show. A common word matches a tenth of the forum:
# ranking all of it would cost more than the page (bench/search_speed).
COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Match:
    post_id: int
    relevance: float
    age_in_days: float

    @property
    def score(self) -> float:
        """Relevance with the bonus for recent posts."""
        return self.relevance * (1 + RECENCY_BONUS / (1 + max(self.age_in_days, 0) / RECENCY_DAYS))


class Backend(ABC):
    vendor = ""
    # The SQL of the matching posts: columns `post_id` and, where the query asks for it,
    # `relevance`, given engine_params as its first parameters. {among} is where a
    # condition on `id_column` may narrow the matches.
    matching_sql = ""
    id_column = ""

    @abstractmethod
    def engine_query(self, query: Query, titles_only: bool) -> str:
        """The query in the engine's own language, passed as one parameter."""

    def engine_params(self, query: Query, titles_only: bool) -> list:
        """The parameters matching_sql takes first."""
        return [self.engine_query(query, titles_only)]

    @contextmanager
    def _cursor(self) -> Iterator[CursorWrapper]:
        with connection.cursor() as cursor:
            yield cursor

    def _rows(self, sql: str, params: list) -> list[tuple]:
        with self._cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    @staticmethod
    def _among(visible: QuerySet[Post], query: Query) -> tuple[str, list] | None:
        """The SQL of a member's or a thread's posts' ids, with its parameters, when the
        search is among those only; None for other searches."""
        if query.author is None and query.thread is None:
            return None
        ids_sql, ids_params = visible.values("pk").query.sql_with_params()
        return ids_sql, list(ids_params)

    def _visibility(self, visible: QuerySet[Post], query: Query) -> tuple[str, str, list]:
        """SQL narrowing the matches (on `id_column`) and SQL filtering them (on `p.id`, the
        match's post), with their parameters: the posts of `visible` and no others."""
        among = self._among(visible, query)
        if among is not None:
            # The engine checks its matches against their list, made once, rather than the
            # rules for every match of a common word, most of them others' (PostgreSQL,
            # 100,000 posts: 0.1 to 0.4 s instead of 0.9 to 2 s for a member with 300 posts;
            # SQLite, a million posts: 0.1 to 0.3 s instead of 9 s).
            ids_sql, ids_params = among
            return f" AND {self.id_column} IN ({ids_sql})", "", ids_params
        # Each match is checked against the visibility rules on its own (EXISTS on its
        # primary key), rather than through IN (every visible post: the whole forum).
        candidate = visible.filter(pk=RawSQL("p.id", ())).values("pk")
        visible_sql, visible_params = candidate.query.sql_with_params()
        return "", f" AND EXISTS ({visible_sql})", list(visible_params)

    def _matches(self, visible, query, titles_only) -> tuple[str, list]:
        """FROM … WHERE of every visible match, with the matching post as `p`."""
        among, where, params = self._visibility(visible, query)
        sql = (
            f"FROM ({self.matching_sql.format(among=among)}) AS m"
            f" JOIN posts_post p ON p.id = m.post_id WHERE TRUE{where}"
        )
        return sql, [*self.engine_params(query, titles_only), *params]

    def count(self, visible: QuerySet[Post], query: Query, *, titles_only: bool) -> int:
        """How many posts match, up to COUNT_LIMIT + 1 (which means "more than the limit")."""
        sql, params = self._matches(visible, query, titles_only)
        ((counted,),) = self._rows(
            f"SELECT COUNT(*) FROM (SELECT 1 {sql} LIMIT %s) AS counted",  # noqa: S608
            [*params, COUNT_LIMIT + 1],
        )
        return counted

    @abstractmethod
    def newest(self, visible: QuerySet[Post], query: Query, *, titles_only: bool) -> list[Match]:
        """The newest COUNT_LIMIT + 1 visible matches, newest first, with their relevance
        (worked out for those only): how many there are, up to the limit, and what relevance
        order ranks."""

    def newest_first(
        self,
        visible: QuerySet[Post],
        query: Query,
        *,
        titles_only: bool,
        offset: int,
        limit: int,
    ) -> list[int]:
        """One page of the visible matches by date, newest first: their post ids."""
        sql, params = self._matches(visible, query, titles_only)
        rows = self._rows(
            f"SELECT p.id {sql} ORDER BY p.created_at DESC, p.id DESC LIMIT %s OFFSET %s",  # noqa: S608
            [*params, limit, offset],
        )
        return [post_id for (post_id,) in rows]


def ranked(matches: list[Match]) -> list[Match]:
    """Best first: relevance with the bonus for recent posts, then the newest."""
    return sorted(matches, key=lambda match: (match.score, match.post_id), reverse=True)


class SQLiteBackend(Backend):
    """FTS5 (migration search.0002). A query is an FTS5 expression of quoted strings only, so
    nothing typed is ever read as FTS5 syntax (the analyser's terms hold no quote anyway)."""

    vendor = "sqlite"
    matching_sql = "SELECT rowid AS post_id FROM search_fts WHERE search_fts MATCH %s{among}"
    # The unary plus keeps this out of FTS5's hands: given `rowid IN (…)`, FTS5 looked each
    # id up in the index (2 ms apiece on 100,000 posts), where walking every match of the
    # word and checking it against the list took 3 ms for 17,000 matches.
    id_column = "+search_fts.rowid"

    def newest(self, visible: QuerySet[Post], query: Query, *, titles_only: bool) -> list[Match]:
        # FTS5 walks its index backwards by rowid (no sorting), each match is checked as it
        # comes and the LIMIT stops the walk: bm25 (lower for better matches, hence the
        # minus) runs on the rows returned only.
        among, where, params = self._visibility(visible, query)
        rows = self._rows(
            f"SELECT search_fts.rowid, -bm25(search_fts, {TITLE_WEIGHT}, 1.0),"  # noqa: S608
            " julianday('now') - julianday(p.created_at)"
            " FROM search_fts JOIN posts_post p ON p.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s{among}{where}"
            " ORDER BY search_fts.rowid DESC LIMIT %s",
            [*self.engine_params(query, titles_only), *params, COUNT_LIMIT + 1],
        )
        return [Match(*row) for row in rows]

    @staticmethod
    def _alternative(alternative: Alternative) -> str:
        return '"{}"'.format(" ".join(alternative.terms))

    def engine_query(self, query: Query, titles_only: bool) -> str:
        wanted = " AND ".join(
            "({})".format(" OR ".join(self._alternative(alt) for alt in clause))
            for clause in query.clauses
        )
        expression = f"({wanted})"
        if query.excluded:
            unwanted = " OR ".join(self._alternative(alt) for alt in query.excluded)
            expression = f"{expression} NOT ({unwanted})"
        return f"{{title}} : ({expression})" if titles_only else expression


class PostgreSQLBackend(Backend):
    """The tsvector column and its GIN index (migrations search.0002 and 0003), read with a
    tsquery built from the analyser's terms; 'simple' leaves them as they are. Matching also
    asks for the adjacent pairs of the phrases every match must hold (0003), which the index
    answers without reading a row; ts_rank is given the query without them."""

    vendor = "postgresql"
    matching_sql = """SELECT e.post_id FROM search_postentry e
        WHERE e.document @@ search_with_adjacent_pairs(
            to_tsquery('simple', %s), %s::text[]
        ){among}"""
    id_column = "e.post_id"

    @contextmanager
    def _cursor(self) -> Iterator[CursorWrapper]:
        # Without parallel workers: they made these short queries five times slower on a
        # two-core machine (EXPLAIN ANALYZE on 100,000 posts: 81 ms, 17 ms without), as
        # starting them costs more than the few thousand rows a search reads.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            yield cursor

    def newest(self, visible: QuerySet[Post], query: Query, *, titles_only: bool) -> list[Match]:
        # In two steps. The newest matches first, as bare ids: search_newest_ids (migration
        # search.0004) asks the index for them window of id blocks by window, or checks each
        # of a member's or a thread's posts. Then those candidates joined to the visible
        # posts, newest first until enough pass, and ts_rank (it reads the row's tsvector) for
        # those only. A quarter more candidates than wanted are plenty unless many of the
        # newest matches are hidden (a guest's search, next to a busy private forum): then
        # four times as many, then all.
        engine_params, wanted = self.engine_params(query, titles_only), COUNT_LIMIT + 1
        among = self._among(visible, query)
        among_sql, among_params = (f"ARRAY({among[0]})", among[1]) if among else ("NULL", [])
        # The candidates joined to the visible posts themselves, not to the posts and then
        # checked with EXISTS: each candidate's post row is then read once, not twice
        # (100,000 posts, 1,001 candidates: 10.0 -> 7.5 ms, EXPLAIN ANALYZE medians).
        visible_sql, visible_params = visible.values("pk", "created_at").query.sql_with_params()
        with self._cursor() as cursor:
            for candidates in (wanted + wanted // 4, 4 * wanted, None):
                cursor.execute(
                    f"""SELECT search_newest_ids(
                        search_with_adjacent_pairs(to_tsquery('simple', %s), %s::text[]),
                        %s, (SELECT MAX(post_id) FROM search_postentry), {among_sql}::bigint[])""",  # noqa: S608
                    [*engine_params, candidates, *among_params],
                )
                ((newest_ids,),) = cursor.fetchall()
                cursor.execute(
                    f"""SELECT e.post_id, ts_rank(e.document, to_tsquery('simple', %s)),
                        EXTRACT(EPOCH FROM (NOW() - v.created_at)) / 86400
                    FROM search_postentry e
                    JOIN ({visible_sql}) AS v (id, created_at) ON v.id = e.post_id
                    WHERE e.post_id = ANY(%s::bigint[])
                    ORDER BY e.post_id DESC LIMIT %s""",  # noqa: S608
                    [engine_params[0], *visible_params, newest_ids, wanted],
                )
                rows = cursor.fetchall()
                every_match_read = candidates is None or len(newest_ids) < candidates
                if every_match_read or len(rows) == wanted:
                    break
        return [Match(post_id, relevance, float(age)) for post_id, relevance, age in rows]

    @staticmethod
    def _alternative(alternative: Alternative, weight: str) -> str:
        quoted = ("'{}'{}".format(term.replace("'", "''"), weight) for term in alternative.terms)
        return "({})".format(" <-> ".join(quoted))

    def engine_query(self, query: Query, titles_only: bool) -> str:
        weight = ":A" if titles_only else ""
        parts = [
            "({})".format(" | ".join(self._alternative(alt, weight) for alt in clause))
            for clause in query.clauses
        ]
        parts += [f"!{self._alternative(alt, '')}" for alt in query.excluded]
        return " & ".join(parts)

    def engine_params(self, query: Query, titles_only: bool) -> list:
        # The phrases every match must hold: a clause that is one phrase. (A phrase among
        # alternatives gives no pair every match holds.)
        phrases = [
            " ".join(alternative.terms)
            for (alternative, *others) in query.clauses
            if not others and len(alternative.terms) > 1
        ]
        return [self.engine_query(query, titles_only), phrases]


def current_backend() -> Backend:
    if connection.vendor == PostgreSQLBackend.vendor:
        return PostgreSQLBackend()
    return SQLiteBackend()
