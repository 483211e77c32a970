"""SQLite connections kept for the next request (core.sqlite): reused only when clean.

Committed data (transactional_db): the connections are closed and opened as in a server.
"""

import threading

import pytest
from django.db import connection, transaction
from django.db.backends.signals import connection_created

from config.asgi import django_application
from djemaa.core.models import Generation
from djemaa.core.sqlite import base
from djemaa.core.tests.asgi import fetch

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own backend"),
]


@pytest.fixture
def opened():
    """The driver connections each connect() handed out, in order."""
    handed = []

    def record(sender, connection, **kwargs):
        handed.append(connection.connection)

    connection_created.connect(record)
    yield handed
    connection_created.disconnect(record)


def test_requests_in_threads_of_their_own_take_the_connection_the_last_one_closed(opened):
    for _ in range(3):
        status, _, _ = fetch(django_application, "/")
        assert status == 200
    assert len(opened) == 3
    assert opened[0] is opened[1] is opened[2]
    assert not opened[2].in_transaction


def test_a_connection_closed_in_one_thread_is_taken_clean_in_another(opened):
    def query():
        Generation.objects.count()
        connection.close()

    for _ in range(2):
        worker = threading.Thread(target=query)
        worker.start()
        worker.join()
    assert opened[0] is opened[1]


def test_a_connection_closed_inside_a_transaction_is_rolled_back_not_kept(opened):
    with transaction.atomic():
        Generation.objects.create(name="written then lost", value=1)
        connection.close()
    assert not Generation.objects.filter(name="written then lost").exists()
    assert opened[-1] is not opened[0]


def test_a_connection_left_in_a_transaction_outside_django_is_not_kept(opened):
    connection.ensure_connection()
    connection.connection.execute("BEGIN")
    connection.connection.execute(
        "INSERT INTO core_generation (name, value) VALUES ('begun by hand', 1)"
    )
    connection.close()
    assert not Generation.objects.filter(name="begun by hand").exists()
    assert opened[-1] is not opened[0]


class Driver:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_a_database_file_made_again_gets_no_connection_to_the_old_one():
    pool = base._Pool()
    old, new = Driver(), Driver()
    pool.give("/data/forum.sqlite3", (1, 10), old)
    assert pool.take("/data/forum.sqlite3", (1, 11)) is None
    assert old.closed
    pool.give("/data/forum.sqlite3", (1, 11), new)
    assert pool.take("/data/forum.sqlite3", (1, 11)) is new


def test_connections_past_the_bound_are_closed_not_kept():
    pool = base._Pool()
    drivers = [Driver() for _ in range(base.KEPT_CONNECTIONS + 1)]
    for driver in drivers:
        pool.give("/data/forum.sqlite3", (1, 10), driver)
    assert [driver.closed for driver in drivers] == [False] * base.KEPT_CONNECTIONS + [True]
