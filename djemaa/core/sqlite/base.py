"""Django's SQLite backend, with each process's connections kept for the next request.

Django's ASGI handler runs each request's sync code in a thread of its own and closes the
thread's connection when the request finishes; CONN_MAX_AGE cannot keep it, as the thread
is gone by the next request. Opening one cost about 1 ms on this schema (Django's SQL
functions registered, the pragmas, the schema parsed again on the first statement), a
tenth of a reply's CPU (issue 4). So a connection closed outside any transaction goes back
to a small pool, and the next connect() in this process takes it: its pragmas, functions,
parsed schema and page cache come with it. Django opens SQLite connections with
check_same_thread=False and checks thread sharing itself, so one may move between threads.
"""

import os
import threading

from django.db.backends.sqlite3 import base

# Enough for the requests of a busy process (asgiref's default thread pool runs at most
# min(32, cores + 4) at once); more are closed, not kept.
KEPT_CONNECTIONS = 8


class _Pool:
    """Idle connections by database path, with the identity (device, inode) of the file
    they were opened on: a file made again at that path (a test database) never gets a
    connection to the old one, and those are closed once the new one is seen."""

    def __init__(self) -> None:
        self._idle: dict[str, tuple[tuple[int, int], list]] = {}
        self._lock = threading.Lock()

    def take(self, path: str, identity: tuple[int, int]):
        with self._lock:
            kept_identity, kept = self._idle.setdefault(path, (identity, []))
            if kept_identity != identity:
                self._idle[path] = (identity, [])
                stale, kept = kept, []
            else:
                stale = []
            taken = kept.pop() if kept else None
        for connection in stale:
            connection.close()
        return taken

    def give(self, path: str, identity: tuple[int, int], connection) -> None:
        with self._lock:
            kept_identity, kept = self._idle.setdefault(path, (identity, []))
            if kept_identity == identity and len(kept) < KEPT_CONNECTIONS:
                kept.append(connection)
                return
        connection.close()


_pool = _Pool()


class DatabaseWrapper(base.DatabaseWrapper):
    # The database file's (device, inode) when this connection was opened or taken.
    _identity: tuple[int, int] | None = None

    def _file_identity(self) -> tuple[int, int] | None:
        """None for a database not kept in a file, or a file not created yet."""
        if self.is_in_memory_db():
            return None
        try:
            found = os.stat(self.settings_dict["NAME"])
        except OSError:
            return None
        return (found.st_dev, found.st_ino)

    def get_new_connection(self, conn_params):
        path = str(self.settings_dict["NAME"])
        identity = self._file_identity()
        kept = _pool.take(path, identity) if identity else None
        if kept is not None:
            self._identity = identity
            return kept
        opened = super().get_new_connection(conn_params)
        self._identity = self._file_identity()  # it exists now
        return opened

    def _close(self):
        # A connection in a transaction (closed inside an atomic block, or by an error half
        # way) really closes, which rolls it back: the next request must start clean.
        if (
            self._identity is not None
            and not self.in_atomic_block
            and not self.connection.in_transaction
        ):
            _pool.give(str(self.settings_dict["NAME"]), self._identity, self.connection)
            return
        super()._close()
