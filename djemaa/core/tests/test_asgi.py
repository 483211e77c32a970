"""The served process: the ASGI handler (core.asgi), whose middleware and view run as one
synchronous call, and what config.asgi sets up before serving."""

import inspect
import platform

import pytest
from asgiref.sync import SyncToAsync
from django.core.handlers.asgi import ASGIHandler

from config.asgi import django_application
from djemaa.core.tests.commandline import run_djemaa

from .asgi import fetch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crossings(monkeypatch):
    """The synchronous calls the event loop hands to a thread, by name."""
    made = []
    start = SyncToAsync.__init__

    def counted(self, func, *args, **kwargs):
        made.append(getattr(func, "__qualname__", repr(func)))
        start(self, func, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__init__", counted)
    return made


def test_the_middleware_chain_is_synchronous():
    assert not inspect.iscoroutinefunction(django_application._middleware_chain)


def test_a_page_crosses_into_its_thread_once_for_its_middleware_and_view(crossings):
    status, headers, _ = fetch(django_application, "/", (b"accept-language", b"ar"))

    assert status == 200
    assert headers["content-language"] == "ar"  # our middleware ran
    # request_started's receivers, then the middleware with the view, then closing the response.
    assert len(crossings) == 3, crossings


def test_django_s_own_handler_crossed_more_often(crossings):
    # What the test above guards against: in Django's async chain, MessageMiddleware's and
    # XFrameOptionsMiddleware's steps and the view each crossed on their own (6 in all).
    status, _, _ = fetch(ASGIHandler(), "/")

    assert status == 200
    assert len(crossings) > 3, crossings


# Eight threads that each allocate while all are alive, then the number of malloc arenas
# (glibc's malloc_info lists one <heap> each).
ARENAS_AFTER_THREADS = """
import ctypes, os, re, tempfile, threading
import config.asgi
together = threading.Barrier(8)
def allocate():
    kept = [bytearray(4000) for _ in range(100)]
    together.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
path = os.path.join(tempfile.mkdtemp(), 'malloc.xml')
stream = libc.fopen(path.encode(), b'w')
libc.malloc_info(0, ctypes.c_void_p(stream))
libc.fclose(ctypes.c_void_p(stream))
print(len(re.findall('<heap nr=', open(path).read())))
"""

glibc_only = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's"
)


@glibc_only
def test_request_threads_share_two_malloc_arenas(tmp_path):
    result = run_djemaa("shell", "-v", "0", "-c", ARENAS_AFTER_THREADS, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) <= 2


@glibc_only
def test_an_administrators_malloc_arena_max_wins(tmp_path):
    result = run_djemaa(
        "shell", "-v", "0", "-c", ARENAS_AFTER_THREADS, tmp_path=tmp_path, MALLOC_ARENA_MAX="4"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) in (3, 4)
