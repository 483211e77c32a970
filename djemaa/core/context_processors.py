from django.conf import settings
from django.utils import translation

from . import pagecache


def site(request):
    context = {
        "PUBLIC_URL": settings.PUBLIC_URL,
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        # Each language named in itself, as a language switch should show them.
        "SITE_LANGUAGES": [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ],
    }
    # A member's page kept for others carries a slot where `{% csrf_token %}` puts the token;
    # it replaces Django's own (lazy, so never computed, and no cookie is set for it).
    token = pagecache.slot(request, "csrf_token")
    if token is not None:
        context["csrf_token"] = token
    return context
