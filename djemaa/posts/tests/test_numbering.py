"""Post numbers under real concurrency: several connections posting into one thread at once."""

import threading

import pytest
from django.db import close_old_connections, connection

from djemaa.posts.models import Post
from djemaa.posts.services import create_post
from djemaa.threads import services as thread_services
from djemaa.threads.models import Thread

WRITERS = 6
POSTS_EACH = 8


def _write_at_once(thread, members, write) -> None:
    """Each member calls write(member, thread, i) POSTS_EACH times, all starting together, each
    on its own connection; then every number must have been used exactly once."""
    start = threading.Barrier(len(members))
    failures: list[BaseException] = []

    def run(member):
        try:
            own_thread = Thread.objects.get(pk=thread.pk)
            start.wait()
            for i in range(POSTS_EACH):
                write(member, own_thread, i)
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(member,)) for member in members]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    close_old_connections()

    assert failures == []
    numbers = sorted(Post.objects.filter(thread=thread).values_list("number", flat=True))
    assert numbers == list(range(1, len(members) * POSTS_EACH + 2))
    thread.refresh_from_db()
    assert thread.last_number == thread.post_count == len(members) * POSTS_EACH + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_every_number_exactly_once(make_thread, make_member):
    def write(member, thread, i):
        create_post(author=member, thread=thread, source=f"Message {i} de {member}")

    _write_at_once(make_thread(), [make_member() for _ in range(WRITERS)], write)


@pytest.mark.django_db(transaction=True)
def test_members_replying_at_once_each_post_once_under_their_own_number(make_thread, make_member):
    # The page's path: on SQLite, a process's request threads queue on the posting lock.
    def write(member, thread, i):
        thread_services.check_reply(
            user=member, thread=thread, source=f"Réponse {i}", submission_token=f"{member.pk}-{i}"
        )

    _write_at_once(make_thread(), [make_member() for _ in range(WRITERS)], write)
