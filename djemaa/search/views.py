from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from djemaa.core.pagination import pagination_for, requested_page_number
from djemaa.threads.querysets import post_location

from .backends import COUNT_LIMIT, ORDERS, RELEVANCE
from .query import NUMBER
from .services import Results, run_search

PER_PAGE = 20


def _search(request: HttpRequest) -> tuple[Results, dict]:
    """The search the URL asks for, and its options; 404 for a page that is not there."""
    text = request.GET.get("q", "")
    thread = request.GET.get("thread", "")
    order = request.GET.get("sort", RELEVANCE)
    options = {
        "titles_only": request.GET.get("titles") == "1",
        "order": order if order in ORDERS else RELEVANCE,
        "thread_id": int(thread) if NUMBER.fullmatch(thread) else None,
    }
    number = requested_page_number(request)
    results = run_search(
        request.user, text, offset=(number - 1) * PER_PAGE, limit=PER_PAGE, **options
    )
    # Counting stops past COUNT_LIMIT: the pages go that far ("more than 1,000 posts").
    pages = Paginator(range(min(results.total, COUNT_LIMIT)), PER_PAGE).num_pages
    if number > pages:
        raise Http404(_("There is no such page."))
    options.update(
        text=text, number=number, pages=pages, more=results.total > COUNT_LIMIT, limit=COUNT_LIMIT
    )
    return results, options


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    results, options = _search(request)
    context = {
        "results": results,
        "options": options,
        "pagination": pagination_for(request, options["number"], options["pages"]),
        "orders": [(RELEVANCE, _("Relevance")), ("date", _("Newest first"))],
    }
    return render(request, "search/results.html", context)


def _result_json(post) -> dict:
    thread, forum = post.thread, post.thread.category
    return {
        "post": post.pk,
        "number": post.number,
        "url": post.get_absolute_url(),
        "location": post_location(post),
        "created_at": post.created_at.isoformat(),
        "author": post.author.username,
        "thread": {"id": thread.pk, "title": thread.title, "url": thread.get_absolute_url()},
        "forum": {"id": forum.pk, "title": forum.title, "url": forum.get_absolute_url()},
        "title_html": str(post.title_html),
        "snippet_html": str(post.snippet),
        "deleted": post.is_deleted,
    }


@require_safe
def search_json(request: HttpRequest) -> JsonResponse:
    """The same search for scripts and the front end: what the page shows, as data."""
    try:
        results, options = _search(request)
    except Http404 as missing:
        return JsonResponse({"error": str(missing)}, status=404)
    return JsonResponse(
        {
            "query": options["text"],
            "total": min(results.total, COUNT_LIMIT),
            # True when more posts match than were counted (`total` is then the limit).
            "more": options["more"],
            "page": options["number"],
            "pages": options["pages"],
            "notes": results.query.notes,
            "suggestion": results.suggestion,
            "results": [_result_json(post) for post in results.posts],
        },
        json_dumps_params={"ensure_ascii": False},
    )
