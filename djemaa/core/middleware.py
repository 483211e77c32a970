import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

# Set by our script from the browser's own zone, so guests see times in their zone too.
TIME_ZONE_COOKIE = "djemaa_tz"


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ReaderPreferencesMiddleware:
    """Activates the reader's language and time zone for the whole request.

    Language: the member's setting, else the switch's cookie, else Accept-Language, else the
    site default. Time zone: the member's setting, else the browser's, else the site default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = user.is_authenticated and user.language
        if language not in dict(settings.LANGUAGES):
            language = translation.get_language_from_request(request)
        zone = (user.is_authenticated and _zone(user.timezone)) or _zone(
            request.COOKIES.get(TIME_ZONE_COOKIE, "")
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        if zone:
            timezone.activate(zone)
        try:
            response = self.get_response(request)
        finally:
            # The response is rendered by now; leave the thread as we found it.
            timezone.deactivate()
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
