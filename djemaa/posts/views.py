from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from djemaa.permissions.rules import get_post_for
from djemaa.threads.querysets import post_location


@require_safe
def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A post's lasting address: to the page that shows it, wherever the thread has grown to.

    A temporary redirect, because the thread's address changes with its title.
    """
    return redirect(post_location(get_post_for(request.user, pk)))
