from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from djemaa.markup.text import own_words
from djemaa.permissions.rules import visible_posts

RECENT_POSTS = 10
EXCERPT_LENGTH = 200


def excerpt(html: str) -> str:
    return Truncator(own_words(html)).chars(EXCERPT_LENGTH)


def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A member's page. The name matches in any case; other spellings redirect to the real one."""
    member = get_user_model().objects.filter(username__iexact=username).first()
    if member is None:
        raise Http404(_("There is no member with that name."))
    if member.username != username:
        return redirect(member, permanent=True)
    posts = (
        visible_posts(request.user)
        .filter(author=member)
        .select_related("thread")
        .order_by("-created_at", "-pk")[:RECENT_POSTS]
    )
    return render(
        request,
        "accounts/profile.html",
        {"member": member, "recent_posts": [(post, excerpt(post.html)) for post in posts]},
    )
