"""Post blocks (threads/_post.html) rendered once and reused while nothing they show changes.

Rendering the twenty posts of a page is most of a thread page's cost, and the same block is
shown again and again: to every reader with the same language, time zone and possible
actions, until the thread changes. Each server process keeps the blocks it rendered, keyed by
everything the block shows — the thread's version (which any write to its posts moves, see
core.pagecache), the post's displayed HTML, its author's name, counts and signature, its
replies — and by what the reader may do with it. The form token of the reader's session is
not part of a kept block: a placeholder stands in for it and is replaced on the way out.
"""

import secrets
import sys
import threading

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from djemaa.core import pagecache
from djemaa.core.pagecache import BoundedStore
from djemaa.moderation.services import can_report
from djemaa.posts.models import Post

from .models import Thread

# Unguessable, so that no post can carry it and have a reader's token written into it.
TOKEN_PLACEHOLDER = f"form-token-{secrets.token_hex(16)}"

_blocks = BoundedStore(settings.DJEMAA_POST_BLOCK_CACHE_MB * 1024 * 1024)
_blocks_lock = threading.Lock()


def _key(request, thread: Thread, post: Post, shared: tuple) -> tuple:
    author, editor = post.author, post.edited_by
    return (
        thread.pk,
        thread.version,
        post.pk,
        post.body_html,
        author.username,
        author.post_count,
        author.date_joined,
        author.signature_html,
        editor.username if editor is not None else None,
        tuple((reply.pk, reply.number, reply.author.username) for reply in post.reply_list),
        post.may_edit,
        post.may_delete,
        post.may_see_history,
        can_report(request.user, post),
        *shared,
    )


def _kept_size(key: tuple, html: str) -> int:
    """The bytes a kept block holds: its HTML and the texts of its key, which holds the post's
    HTML and the author's signature (together about as long as the block itself)."""
    return sys.getsizeof(html) + sum(sys.getsizeof(part) for part in key if isinstance(part, str))


def render_post_blocks(
    request,
    thread: Thread,
    posts: list[Post],
    *,
    can_reply: bool,
    can_moderate: bool,
    can_see_deleted: bool,
    gathered: set[int],
) -> None:
    """Give each post `block`, its rendered HTML (after views' actions and display prep)."""
    reply_url = reverse("threads:reply", args=[thread.pk])
    shared = (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        can_reply,
        can_moderate,
        can_see_deleted,
    )
    token = None
    for post in posts:
        key = (*_key(request, thread, post, shared), post.pk in gathered)
        with _blocks_lock:
            html = _blocks.get(key)
        if html is None:
            html = render_to_string(
                "threads/_post.html",
                {
                    "post": post,
                    "thread": thread,
                    "user": request.user,
                    "reply_url": reply_url,
                    "can_reply": can_reply,
                    "can_moderate": can_moderate,
                    "can_see_deleted": can_see_deleted,
                    "gathered": gathered,
                    "csrf_token": TOKEN_PLACEHOLDER,
                },
            )
            with _blocks_lock:
                _blocks.put(key, html, _kept_size(key, html))
        if TOKEN_PLACEHOLDER in html:
            # Only forms for members carry it: a guest's page never asks for a token. A page
            # kept for members gets the slot the wrapper fills with each one's token.
            token = token or pagecache.slot(request, "csrf_token") or get_token(request)
            html = html.replace(TOKEN_PLACEHOLDER, token)
        post.block = mark_safe(html)  # noqa: S308 - rendered by our template just above


def forget_blocks() -> None:
    """For tests that change what a key does not see (settings, templates)."""
    with _blocks_lock:
        _blocks.clear()
