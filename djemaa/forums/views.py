from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from djemaa.core import pagecache
from djemaa.core.pagination import paginate
from djemaa.forums import services as forum_services
from djemaa.permissions import rules

from . import querysets


def index(request: HttpRequest) -> HttpResponse:
    pagecache.keep_page(request, pagecache.SITE)
    context = {
        "sections": querysets.forum_index(request.user),
        "announcements": list(forum_services.active_announcements(None)),
    }
    return render(request, "forums/index.html", context)


def forum(request: HttpRequest, pk: str | int, slug: str | None = None) -> HttpResponse:
    """A category or forum: its forums, then (below the top level) its threads, page by page.

    Reached without its slug or with an outdated one (the title changed), it answers with a
    permanent redirect to its one address, keeping the query string.
    """
    pagecache.keep_page(request, pagecache.SITE)
    category = rules.get_category_for(request.user, int(pk))
    if slug != (category.slug or "-"):
        url = category.get_absolute_url()
        if request.GET:
            url = f"{url}?{request.GET.urlencode()}"
        return redirect(url, permanent=True)
    ancestors = querysets.ancestors(request.user, category)
    if ancestors:
        # The fetched parents spare a query per level when the announcements walk up the tree.
        category.parent = ancestors[-1]
    context = {
        "category": category,
        "ancestors": ancestors,
        "subforums": querysets.subforums(request.user, category),
    }
    # Top-level categories hold forums only; threads live one level down. A forum that may be
    # seen but not read is listed with its sub-forums, and says why its threads are not.
    readable = rules.can_read_category(request.user, category)
    context["readable"] = readable
    if category.depth > 0 and readable:
        threads, pagination = paginate(
            request,
            querysets.forum_threads(request.user, category),
            settings.DJEMAA_THREADS_PER_PAGE,
        )
        context.update(
            threads=threads,
            pagination=pagination,
            unread_ids=querysets.unread_thread_ids(request.user, threads),
            announcements=list(forum_services.active_announcements(category)),
        )
    return render(request, "forums/forum.html", context)
