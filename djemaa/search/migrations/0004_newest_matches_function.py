"""PostgreSQL: the newest matches of a query, window of id blocks by window (the blocks of
search.0003), in one function the database runs, where the search asked for each window in a
statement of its own and changed the planner's settings around them: a search then makes two
round trips to the database instead of six to nine, each of which waits for the server's
process to be scheduled on a busy machine (bench/search_speed).

Its SET clauses hold the planner's settings for the function's statements only and put them
back however it ends: only bitmaps of the indexes, no parallel workers. With a phrase's or an
exclusion's estimates far off, the planner walked the table newest first checking every row
(`a -a` read the whole forum), or read every match of the table to keep the newest; parallel
workers cost more to start than these few thousand rows take to read.

Creating it changes no row: instant on any database.
"""

from django.db import migrations

# The newest `wanted` ids matching `matches` (every match when NULL), given the highest id in
# the index (the caller's to read: the function's settings bar the index that gives it).
# Among these ids only, when `among` is not NULL (a member's or a thread's posts): each
# match of those is checked against them, in one statement, as they are few. Otherwise
# first the newest 4 blocks of ids; each next window is sized from the matches found per
# block so far, a quarter more blocks than that rate says are needed (for matches unevenly
# spread), at most 64 blocks (the index ORs one entry per block: 64 cost it ~5 ms at 1M
# posts), or is all the rest when that should hold at most 4 times as many matches as are
# still wanted (a match read costs ~1 µs; nothing found yet counts as one match: a word
# missing from the newest posts is rare). The window's ids say the same as its blocks; the
# blocks are for the index.
NEWEST_IDS = """
CREATE FUNCTION search_newest_ids(
    matches tsquery, wanted integer, highest bigint, among bigint[]
) RETURNS bigint[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET enable_indexscan = off
SET enable_seqscan = off
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
    top integer := coalesce(highest, 0) / 4096 + 1;
    upper integer := top;
    lower integer;
    span integer := CASE WHEN wanted IS NULL THEN NULL ELSE 4 END;
    per_block float8;
    found bigint[] := '{}';
    window_found bigint[];
BEGIN
    IF among IS NOT NULL THEN
        EXECUTE 'SELECT ARRAY(SELECT post_id FROM search_postentry WHERE document @@ $1'
            ' AND post_id = ANY($2) ORDER BY post_id DESC LIMIT $3)'
            INTO found USING matches, among, wanted;
        RETURN found;
    END IF;
    LOOP
        lower := CASE WHEN span IS NULL THEN 0 ELSE greatest(upper - span, 0) END;
        IF lower = 0 THEN
            EXECUTE 'SELECT ARRAY(SELECT post_id FROM search_postentry WHERE document @@ $1'
                ' AND post_id < $2 ORDER BY post_id DESC LIMIT $3)'
                INTO window_found USING matches, upper::bigint * 4096, wanted - cardinality(found);
        ELSE
            EXECUTE 'SELECT ARRAY(SELECT post_id FROM search_postentry WHERE document @@ $1'
                ' AND post_id >= $2 AND post_id < $3 AND document @@ $4'
                ' ORDER BY post_id DESC LIMIT $5)'
                INTO window_found
                USING matches, lower::bigint * 4096, upper::bigint * 4096,
                    (SELECT string_agg(quote_literal(' #' || block), ' | ')
                     FROM generate_series(lower, upper - 1) AS block)::tsquery,
                    wanted - cardinality(found);
        END IF;
        found := found || window_found;
        EXIT WHEN lower = 0 OR cardinality(found) >= wanted;
        upper := lower;
        per_block := greatest(cardinality(found), 1)::float8 / (top - upper);
        span := CASE
            WHEN per_block * upper <= 4 * (wanted - cardinality(found)) THEN NULL
            ELSE least(ceil(1.25 * (wanted - cardinality(found)) / per_block), 64)
        END;
    END LOOP;
    RETURN found;
END
$$"""
DROP_NEWEST_IDS = "DROP FUNCTION search_newest_ids(tsquery, integer, bigint, bigint[])"


def _run(statement: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_adjacent_pairs_and_id_blocks")]

    operations = [
        migrations.RunPython(
            _run(NEWEST_IDS), _run(DROP_NEWEST_IDS)
        )
    ]
