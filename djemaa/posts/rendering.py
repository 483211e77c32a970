"""Binds the pure markup renderer to this site's members and URLs."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from djemaa.markup.render import Rendered, localize_quote_headers, render_post, render_signature


def members_named(names: set[str]) -> dict[str, str]:
    """The members whose usernames are among `names` (whatever their case), as
    {lowercased name: username}: what the renderer's mentions link to."""
    lowered = {name.lower() for name in names}
    if not lowered:
        return {}
    found = (
        get_user_model()
        .objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=lowered)
        .values_list("lower_name", "username")
    )
    return dict(found)


def _post_url(post_id: int) -> str:
    return reverse("posts:permalink", args=[post_id])


def _profile_url(username: str) -> str:
    return reverse("accounts:profile", args=[username])


def render_post_source(
    source: str,
    fmt: str,
    *,
    resolve_users: Callable[[set[str]], dict[str, str]] = members_named,
) -> Rendered:
    """A post's text as stored. `resolve_users` answers as members_named does (its default,
    which looks the names up in the database)."""
    return render_post(
        source, fmt, resolve_users=resolve_users, post_url=_post_url, profile_url=_profile_url
    )


def render_signature_source(source: str) -> str:
    return render_signature(source, resolve_users=members_named, profile_url=_profile_url)


def render_preview(source: str, fmt: str = "markdown") -> SafeString | None:
    """What a post being written will look like, in the reader's language; None when empty."""
    if not source.strip():
        return None
    # Sanitised by the renderer, as stored posts are.
    return mark_safe(localize_quote_headers(render_post_source(source, fmt).html))
