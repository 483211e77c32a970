"""The full-text index over search_postentry, kept by the database itself.

SQLite: an FTS5 table using search_postentry as its external content, with triggers, so the
terms are stored once. PostgreSQL: a generated tsvector column (title weighted A) with a GIN
index; the 'simple' configuration only lower-cases, so the analyser's terms go in unchanged.
"""

from django.db import migrations

SQLITE_FORWARD = [
    # unicode61 without diacritics removal: the analyser has folded what should be folded.
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_postentry', content_rowid='post_id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER search_postentry_inserted AFTER INSERT ON search_postentry BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.post_id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_postentry_deleted AFTER DELETE ON search_postentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.post_id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_postentry_updated AFTER UPDATE ON search_postentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.post_id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.post_id, new.title, new.body);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER search_postentry_updated",
    "DROP TRIGGER search_postentry_deleted",
    "DROP TRIGGER search_postentry_inserted",
    "DROP TABLE search_fts",
]
POSTGRESQL_FORWARD = [
    """ALTER TABLE search_postentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || to_tsvector('simple'::regconfig, body)
    ) STORED""",
    "CREATE INDEX search_postentry_document ON search_postentry USING gin (document)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX search_postentry_document",
    "ALTER TABLE search_postentry DROP COLUMN document",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_post_entry_and_words")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        )
    ]
