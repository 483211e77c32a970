"""Numbered pages for lists addressed as ?page=N, and the links between them.

One rule for the page number: absent means page 1; anything that does not name an existing
page (not a plain positive number, or past the last page) is a 404, so every page has
exactly one address and search engines never index an endless run of empty pages.
"""

import re
from dataclasses import dataclass

from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

PAGE_PARAMETER = "page"
# Page numbers shown on each side of the current one.
WINDOW = 2
# ASCII digits only: int() would also take "٣" or " 3", which would give one page two addresses.
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str


@dataclass(frozen=True)
class Pagination:
    """What the _pagination.html partial shows; links are None where they would go nowhere."""

    number: int
    num_pages: int
    first: PageLink | None
    previous: PageLink | None
    next: PageLink | None
    last: PageLink | None
    window: list[PageLink]

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1


def requested_page_number(request: HttpRequest) -> int:
    value = request.GET.get(PAGE_PARAMETER, "")
    if not value:
        return 1
    if not _PAGE_NUMBER.fullmatch(value):
        raise Http404(_("There is no such page."))
    return int(value)


def _link(request: HttpRequest, number: int) -> PageLink:
    query = request.GET.copy()
    # Page 1 is the list's own address, without the parameter.
    if number == 1:
        query.pop(PAGE_PARAMETER, None)
    else:
        query[PAGE_PARAMETER] = str(number)
    url = escape_uri_path(request.path)
    if query:
        url = f"{url}?{query.urlencode()}"
    return PageLink(number, url)


def pagination_for(request: HttpRequest, number: int, num_pages: int) -> Pagination:
    """The links around page `number` of `num_pages`, keeping the request's other parameters."""
    first_in_window = max(1, number - WINDOW)
    last_in_window = min(num_pages, number + WINDOW)
    has_previous, has_next = number > 1, number < num_pages
    return Pagination(
        number=number,
        num_pages=num_pages,
        first=_link(request, 1) if has_previous else None,
        previous=_link(request, number - 1) if has_previous else None,
        next=_link(request, number + 1) if has_next else None,
        last=_link(request, num_pages) if has_next else None,
        window=[_link(request, n) for n in range(first_in_window, last_in_window + 1)],
    )


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int) -> tuple[list, Pagination]:
    """The requested page's items (two queries: a COUNT and the page) and its links.

    Pages are cut with OFFSET, which grows slower the deeper the page. That is acceptable for
    lists of threads, which are far shorter than a thread's posts; long lists of posts should
    be cut by post number instead.
    """
    number = requested_page_number(request)
    paginator = Paginator(queryset, per_page)
    try:
        page = paginator.page(number)
    except InvalidPage:
        raise Http404(_("There is no such page.")) from None
    return list(page.object_list), pagination_for(request, number, paginator.num_pages)
