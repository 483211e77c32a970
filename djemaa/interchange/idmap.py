"""Which database id each id of the file became, during one load, kept on disk.

In a dict, a million posts' ids held some 250 bytes each, so a load's memory grew with its
file. Here they are rows of a temporary SQLite file, private to the load: the operating
system's page cache keeps it fast, and the loader's memory stays the same whatever the file's
size. Only the last rows added wait in memory, to be written together.

The file's name is removed as soon as it is open, so that nothing is left behind however the
load ends, a `kill -9` included: the open connection keeps the file until it closes. No other
connection ever opens it and it has no journal, so the missing name cannot mislead SQLite.
"""

import os
import sqlite3
import tempfile

# Rows added and not yet written; they are looked up like the others.
WRITE_BATCH = 5000
# SQLite's own page cache for the file, in KiB (its default is 2 MB): enough for the
# index's inner pages, so that a look-up reads at most one leaf from the OS cache.
CACHE_KIB = 16 * 1024


class IdMap:
    """(kind, file id) -> database id, and for a post the thread it went into.

    Not thread-safe and not shared: one load, one map. `close` frees the file.
    """

    def __init__(self) -> None:
        handle, path = tempfile.mkstemp(prefix="djemaa-load-", suffix=".sqlite3")
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
        finally:
            os.close(handle)
        # A scratch file: if the machine stops, the load is lost anyway (it is one transaction
        # of the site's database), so nothing here needs a journal or a sync.
        self._db.executescript(
            f"""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = {-CACHE_KIB};
            CREATE TABLE ids (
                kind TEXT NOT NULL,
                file_id TEXT NOT NULL,
                pk INTEGER NOT NULL,
                thread INTEGER,
                PRIMARY KEY (kind, file_id)
            ) WITHOUT ROWID;
            """
        )
        os.unlink(path)  # the table exists, so SQLite has the file open
        self._unwritten: dict[tuple[str, str], tuple[int, int | None]] = {}

    def add(self, kind: str, file_id: str, pk: int, thread: int | None = None) -> None:
        """Remember an id of the file (each once per kind); `thread` for a post."""
        self._unwritten[kind, file_id] = (pk, thread)
        if len(self._unwritten) >= WRITE_BATCH:
            self._write()

    def _write(self) -> None:
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT INTO ids (kind, file_id, pk, thread) VALUES (?, ?, ?, ?)",
            ((*key, *value) for key, value in self._unwritten.items()),
        )
        self._db.execute("COMMIT")
        self._unwritten = {}

    def _row(self, kind: str, file_id: str) -> tuple[int, int | None] | None:
        row = self._unwritten.get((kind, file_id))
        if row is None:
            row = self._db.execute(
                "SELECT pk, thread FROM ids WHERE kind = ? AND file_id = ?", (kind, file_id)
            ).fetchone()
        return row

    def get(self, kind: str, file_id: str) -> int | None:
        """The database id of a file's id, or None if not added."""
        row = self._row(kind, file_id)
        return None if row is None else row[0]

    def get_post(self, file_id: str) -> tuple[int, int | None] | None:
        """A post's database id and its thread's (None when it was not added with one)."""
        return self._row("post", file_id)

    def close(self) -> None:
        self._db.close()
