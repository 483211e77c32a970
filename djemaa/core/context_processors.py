from django.conf import settings
from django.utils import translation


def site(request):
    return {
        "PUBLIC_URL": settings.PUBLIC_URL,
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        # Each language named in itself, as a language switch should show them.
        "SITE_LANGUAGES": [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ],
    }
