"""Post numbers under real concurrency: several connections posting into one thread at once."""

import threading

import pytest
from django.db import close_old_connections, connection

from djemaa.posts.models import Post
from djemaa.posts.services import create_post

WRITERS = 6
POSTS_EACH = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_every_number_exactly_once(make_thread, make_member):
    thread = make_thread()
    writers = [make_member() for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(author):
        try:
            start.wait()
            for i in range(POSTS_EACH):
                create_post(author=author, thread=thread, source=f"Message {i} de {author}")
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(author,)) for author in writers]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    close_old_connections()

    assert failures == []
    numbers = sorted(Post.objects.filter(thread=thread).values_list("number", flat=True))
    assert numbers == list(range(1, WRITERS * POSTS_EACH + 2))
    thread.refresh_from_db()
    assert thread.last_number == thread.post_count == WRITERS * POSTS_EACH + 1
