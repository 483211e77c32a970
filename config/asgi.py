import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does

from djemaa.core.asgi import OneHopASGIHandler  # noqa: E402 - needs the settings above
from djemaa.core.pagecache import PageCache  # noqa: E402

django_application = OneHopASGIHandler()
application = PageCache(django_application)
