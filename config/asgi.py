import ctypes
import os

import django

# glibc's mallopt() parameter (malloc.h).
M_ARENA_MAX = -8


def limit_malloc_arenas(count: int = 2) -> None:
    """Let this process's threads share `count` malloc arenas.

    Django's ASGI handler runs each request in a thread of its own, and glibc gives threads
    arenas of their own (up to 8 a core) whose freed space it keeps. With two, a SQLite worker
    after `make bench`'s sequence of runs was 10-14 MB smaller (about 10%; issue 4). An
    administrator's own MALLOC_ARENA_MAX wins; other C libraries are left as they are.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except AttributeError:
        return
    mallopt(M_ARENA_MAX, count)


limit_malloc_arenas()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does

from djemaa.core.asgi import OneHopASGIHandler  # noqa: E402 - needs the settings above
from djemaa.core.pagecache import PageCache  # noqa: E402

django_application = OneHopASGIHandler()
application = PageCache(django_application)
