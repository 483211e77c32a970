from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def moderator(make_member):
    return make_member(username="Modératrice", is_admin=True)


@pytest.fixture
def thread_at(make_thread, make_post, make_member):
    """A thread whose posts were written at the given minutes after a fixed start."""
    start = timezone.now() - timedelta(days=1)

    def make(*minutes: int, **options):
        author = make_member()
        first, *rest = minutes
        thread = make_thread(author=author, created_at=start + timedelta(minutes=first), **options)
        for minute in rest:
            written = start + timedelta(minutes=minute)
            make_post(thread, source=f"À {minute} min", created_at=written)
        thread.refresh_from_db()
        return thread

    return make
