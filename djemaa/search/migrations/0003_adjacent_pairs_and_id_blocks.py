"""PostgreSQL: the document also holds each pair of adjacent lexemes as one lexeme of its
own ("a b", without positions), so that the GIN index answers a phrase's candidates
exactly: the posts holding every pair of the phrase, not every post holding its words, whose
tsvectors PostgreSQL otherwise reads one by one to check the positions (1M posts: up to
0.65 s for a rare phrase of common words, bench/search_speed).

The pairs are worked out in SQL from the stored positions, the very ones the phrase
operator <-> compares, so a post matching a phrase always holds its pairs (title and body
included, positions clamped or dropped included). A lexeme never holds a space, so no pair
is ever taken for a word.

It also holds the post's block of ids (" #N" for ids N × 4096 to N × 4096 + 4095), so that
the newest matches are asked of the index block by block: the GIN index then gives the
matches among the newest posts only, where a bitmap of all a word's matches had each of them
read from the table to keep the newest (bench/search_speed).

SQLite's FTS5 keeps positions in its index and walks it newest first: nothing changes there.
"""

from django.db import migrations

# Positionless lexemes "first second" of every two lexemes at consecutive positions.
ADJACENT_PAIRS = """
CREATE FUNCTION search_adjacent_pairs(words tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH placed AS (
        SELECT entry.lexeme, position
        FROM unnest(words) AS entry, unnest(entry.positions) AS position
    )
    SELECT array_to_tsvector(coalesce(array_agg(first.lexeme || ' ' || second.lexeme), '{}'))
    FROM placed AS first JOIN placed AS second ON second.position = first.position + 1
$$"""
# What the document column held before (title weighted A), with its pairs and id block.
DOCUMENT = """
CREATE FUNCTION search_document(title text, body text, post_id bigint) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT words || search_adjacent_pairs(words)
        || array_to_tsvector(ARRAY[' #' || (post_id / 4096)::text])
    FROM (
        SELECT setweight(to_tsvector('simple'::regconfig, title), 'A')
            || to_tsvector('simple'::regconfig, body) AS words
    ) AS analysed
$$"""
# The query, and every pair of these phrases (terms separated by spaces), each parsed as
# to_tsquery parses the phrase's terms. A phrase with a term the parser drops is left
# alone: <-> would then span the gap, and its pairs would be wrong.
WITH_PAIRS = r"""
CREATE FUNCTION search_with_adjacent_pairs(wanted tsquery, phrases text[]) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    phrase text;
    pair text;
BEGIN
    FOREACH phrase IN ARRAY phrases LOOP
        CONTINUE WHEN EXISTS (
            SELECT FROM unnest(string_to_array(phrase, ' ')) AS term
            WHERE to_tsvector('simple'::regconfig, term) = ''::tsvector
        );
        FOREACH pair IN ARRAY tsvector_to_array(
            search_adjacent_pairs(to_tsvector('simple'::regconfig, phrase))
        ) LOOP
            wanted := wanted && ('''' || replace(replace(pair, '\', '\\'), '''', '''''')
                || '''')::tsquery;
        END LOOP;
    END LOOP;
    RETURN wanted;
END
$$"""

POSTGRESQL_FORWARD = [
    ADJACENT_PAIRS,
    DOCUMENT,
    WITH_PAIRS,
    "DROP INDEX search_postentry_document",
    "ALTER TABLE search_postentry DROP COLUMN document",
    """ALTER TABLE search_postentry ADD COLUMN document tsvector
        GENERATED ALWAYS AS (search_document(title, body, post_id)) STORED""",
    "CREATE INDEX search_postentry_document ON search_postentry USING gin (document)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX search_postentry_document",
    "ALTER TABLE search_postentry DROP COLUMN document",
    """ALTER TABLE search_postentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || to_tsvector('simple'::regconfig, body)
    ) STORED""",
    "CREATE INDEX search_postentry_document ON search_postentry USING gin (document)",
    "DROP FUNCTION search_with_adjacent_pairs(tsquery, text[])",
    "DROP FUNCTION search_document(text, text, bigint)",
    "DROP FUNCTION search_adjacent_pairs(tsvector)",
]


def _run(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [migrations.RunPython(_run(POSTGRESQL_FORWARD), _run(POSTGRESQL_BACKWARD))]
