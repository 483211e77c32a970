from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from djemaa.accounts import services as account_services


def safe_next_url(request, fallback: str = "/") -> str:
    """The `next` target of a form if it stays on this site, else the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_http_methods(["GET", "POST"])
def switch_language(request):
    """The visible language switch: kept in a cookie and, sent by a member, in their settings.

    Guests switch with a plain GET form: it only sets their own cookie, and a page with no
    form token is one guests' pages can share (core.pagecache).
    """
    response = HttpResponseRedirect(safe_next_url(request))
    code = request.POST.get("language", "") or request.GET.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return response
    if request.method == "POST" and request.user.is_authenticated:
        account_services.set_preferred_language(request.user, code)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
    )
    return response
