from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from djemaa.forums import querysets as forum_querysets
from djemaa.forums.services import active_announcements
from djemaa.markup.render import localize_quote_headers
from djemaa.permissions import rules
from djemaa.posts.models import Post

from . import querysets, services
from .models import Thread

# Sent by thread.js when it loads the next page as the reader scrolls: the answer is then
# the posts and the links after them, without the page around them.
FRAGMENT_HEADER = "X-Djemaa-Fragment"


def _canonical_redirect(request: HttpRequest, thread: Thread) -> HttpResponse:
    """To the thread's one address (the title, hence the slug, may have changed), keeping
    the filters and the page of the query string."""
    url = thread.get_absolute_url()
    if request.GET:
        url = f"{url}?{request.GET.urlencode()}"
    return redirect(url, permanent=True)


def _stored_html(html: str) -> str:
    # Sanitised when it was stored; quote headers take the reader's language now.
    return mark_safe(localize_quote_headers(html))


def _prepare_for_display(posts: list[Post]) -> None:
    for post in posts:
        post.body_html = _stored_html(post.html)


@require_safe
def thread_detail(request: HttpRequest, pk: str, slug: str) -> HttpResponse:
    """A thread page, or with FRAGMENT_HEADER only its posts (the same template part)."""
    thread = rules.get_thread_for(request.user, int(pk))
    if slug != (thread.slug or "-"):
        return _canonical_redirect(request, thread)
    read_up_to = querysets.read_number(request.user, thread)
    filters = querysets.parse_filters(request.GET, read_up_to)
    page = querysets.thread_page(request, thread, filters)
    _prepare_for_display(page.posts)
    if read_up_to is not None and page.highest_number > read_up_to:
        # mark_read never moves backward either, but finding that out costs it queries.
        services.mark_read(request.user, thread, page.highest_number)
    context = {
        "thread": thread,
        "page": page,
        "filters": filters,
        "can_reply": rules.can_reply(request.user, thread),
        "can_see_deleted": rules.can_see_deleted(request.user),
    }
    if request.headers.get(FRAGMENT_HEADER) == "1":
        response = render(request, "threads/_posts.html", context)
    else:
        services.record_view(thread)
        ancestors = forum_querysets.ancestors(request.user, thread.category)
        if ancestors:
            # Hand the fetched parents to the forum, so that finding the announcements of
            # its ancestors walks them in memory instead of a query per level.
            thread.category.parent = ancestors[-1]
        context.update(
            breadcrumbs=[*ancestors, thread.category],
            announcements=[
                (announcement, _stored_html(announcement.body_html))
                for announcement in active_announcements(thread.category)
            ],
            is_member=read_up_to is not None,
            range_choices=querysets.RANGE_CHOICES,
            show_choices=querysets.SHOW_CHOICES,
        )
        response = render(request, "threads/thread.html", context)
    # Shared caches must not hand a fragment to a full page load, or the reverse.
    patch_vary_headers(response, (FRAGMENT_HEADER,))
    return response


@require_safe
def thread_short(request: HttpRequest, pk: int) -> HttpResponse:
    return _canonical_redirect(request, rules.get_thread_for(request.user, pk))


@require_safe
def unread(request: HttpRequest, pk: int) -> HttpResponse:
    """To the first post the member has not read (the last one when all is read)."""
    thread = rules.get_thread_for(request.user, pk)
    read_up_to = querysets.read_number(request.user, thread)
    if read_up_to is None:  # guests have no reading position: they start at the beginning
        return redirect(thread.get_absolute_url())
    post = querysets.first_unread_post(request.user, thread, read_up_to)
    return redirect(querysets.post_location(post) if post else thread.get_absolute_url())


@require_safe
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Where Quote and Reply lead; the writing form comes with step 2 of the roadmap."""
    thread = rules.get_thread_for(request.user, pk)
    wanted = request.GET.get("quote") or request.GET.get("to")
    post = querysets.post_in_thread(request.user, thread, wanted)
    back = post.get_absolute_url() if post else thread.get_absolute_url()
    return render(request, "threads/reply.html", {"thread": thread, "post": post, "back_url": back})
