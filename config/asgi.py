import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from djemaa.core.pagecache import PageCache  # noqa: E402 - needs the settings above

application = PageCache(django_application)
