"""The served process (config.asgi): what it sets up for itself before serving."""

import platform

import pytest

from djemaa.core.tests.commandline import run_djemaa

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
