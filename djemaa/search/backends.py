"""One backend per database: the Query, as that database's full-text search, over the posts
a queryset allows.

The queryset comes from permissions.rules.visible_posts with the searcher's filters applied;
its SQL is asked of every match (EXISTS), or, for an author's or a thread's few posts, gives
the only posts the engine looks at (IN): either way the database never returns a post the
searcher may not read, not even in a count. Ranking: the engine's relevance (a title match weighs
more: the title is its own column or weight) times a gentle bonus for recent posts.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.db import connection
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
COUNT_LIMIT = 1000
# Relevance order ranks a word's newest WINDOW matches (by post id, an order both engines
# read from their index without ranking anything): a common word matches a tenth of the
# forum, and ranking all of it would cost more than the page. Recency counts in the order
# anyway. When those do not fill the page (most of them hidden from the reader, or a last
# page), every match is ranked.
WINDOW = 2000
# Up to this many posts (an author's, a thread's), the engine is asked about each of them
# rather than about every match; past it, every match is checked against them.
NARROW_LIMIT = 200


@dataclass(frozen=True)
class Hit:
    post_id: int
    score: float


class Backend(ABC):
    vendor = ""
    # The SQL that gives the matching posts' ids as `post_id`, with `relevance`, given the
    # engine's query as its first parameter; joined to posts_post as `p`. {among} is where
    # a condition on `id_column` may narrow the matches.
    matching_sql = ""
    # The same, over the newest matches only; its last parameter is how many.
    newest_sql = ""
    id_column = ""
    age_in_days_sql = ""

    @abstractmethod
    def engine_query(self, query: Query, titles_only: bool) -> str:
        """The query in the engine's own language, passed as one parameter."""

    def _base(
        self, visible: QuerySet[Post], query: Query, titles_only: bool, window: int | None = None
    ) -> tuple[str, list]:
        params = [self.engine_query(query, titles_only)]
        narrowed = query.author is not None or query.thread is not None
        if narrowed and visible[: NARROW_LIMIT + 1].count() <= NARROW_LIMIT:
            # A member's or a thread's posts, when they are few: the engine looks up each of
            # them (cheaper than ranking every match of a common word, most of them others').
            ids_sql, ids_params = visible.values("pk").query.sql_with_params()
            among, where = f" AND {self.id_column} IN ({ids_sql})", ""
            params += ids_params
        else:
            # Each match is checked against the visibility rules on its own (EXISTS on its
            # primary key), rather than through IN (every visible post: the whole forum).
            candidate = visible.filter(pk=RawSQL("m.post_id", ())).values("pk")
            visible_sql, visible_params = candidate.query.sql_with_params()
            among, where = "", f"WHERE EXISTS ({visible_sql})"
        if window is not None:
            matching = self.newest_sql.format(among=among)
            params.append(window)
        else:
            matching = self.matching_sql.format(among=among)
        if where:
            params += visible_params
        sql = f"FROM ({matching}) AS m JOIN posts_post p ON p.id = m.post_id {where}"
        return sql, params

    def count(self, visible: QuerySet[Post], query: Query, *, titles_only: bool) -> int:
        """How many posts match, up to COUNT_LIMIT + 1 (which means "more than the limit")."""
        sql, params = self._base(visible, query, titles_only)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 {sql} LIMIT %s) AS counted",  # noqa: S608
                [*params, COUNT_LIMIT + 1],
            )
            return cursor.fetchone()[0]

    def hits(
        self,
        visible: QuerySet[Post],
        query: Query,
        *,
        titles_only: bool,
        order: str,
        offset: int,
        limit: int,
        total: int | None = None,
    ) -> list[Hit]:
        """One page of matches. `total`, when the caller has counted, spares a second query
        when the window already holds every visible match."""
        if order == RELEVANCE and offset + limit <= WINDOW:
            found = self._ranked(visible, query, titles_only, order, offset, limit, WINDOW)
            if len(found) == limit or (total is not None and offset + len(found) >= total):
                return found
        return self._ranked(visible, query, titles_only, order, offset, limit, None)

    def _ranked(self, visible, query, titles_only, order, offset, limit, window) -> list[Hit]:
        sql, params = self._base(visible, query, titles_only, window)
        score = (
            f"m.relevance * (1 + {RECENCY_BONUS} / (1 + ({self.age_in_days_sql}) / {RECENCY_DAYS}))"
        )
        sort = "score DESC, p.id DESC" if order == RELEVANCE else "p.created_at DESC, p.id DESC"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.post_id, {score} AS score {sql} ORDER BY {sort} LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            return [Hit(post_id, float(score)) for post_id, score in cursor.fetchall()]


class SQLiteBackend(Backend):
    """FTS5 (migration search.0002). A query is an FTS5 expression of quoted strings only, so
    nothing typed is ever read as FTS5 syntax (the analyser's terms hold no quote anyway)."""

    vendor = "sqlite"
    # bm25 is lower for better matches, hence the minus. Built from constants only.
    matching_sql = (
        f"SELECT rowid AS post_id, -bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS relevance"  # noqa: S608
        " FROM search_fts WHERE search_fts MATCH %s{among}"
    )
    # FTS5 walks its index backwards by rowid and stops: bm25 runs on the window only.
    newest_sql = f"{matching_sql} ORDER BY rowid DESC LIMIT %s"
    id_column = "rowid"
    age_in_days_sql = "julianday('now') - julianday(p.created_at)"

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
    """The tsvector column and its GIN index (migration search.0002), read with a tsquery
    built from the analyser's terms; 'simple' leaves them as they are."""

    vendor = "postgresql"
    matching_sql = """SELECT e.post_id, ts_rank(e.document, q.query) AS relevance
        FROM search_postentry e, to_tsquery('simple', %s) AS q(query)
        WHERE e.document @@ q.query{among}"""
    # ts_rank reads each row's tsvector: only for the window's rows.
    newest_sql = """SELECT w.post_id, ts_rank(w.document, w.query) AS relevance FROM (
        SELECT e.post_id, e.document, q.query
        FROM search_postentry e, to_tsquery('simple', %s) AS q(query)
        WHERE e.document @@ q.query{among} ORDER BY e.post_id DESC LIMIT %s) AS w"""
    id_column = "e.post_id"
    age_in_days_sql = "EXTRACT(EPOCH FROM (NOW() - p.created_at)) / 86400"

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


def current_backend() -> Backend:
    if connection.vendor == PostgreSQLBackend.vendor:
        return PostgreSQLBackend()
    return SQLiteBackend()
