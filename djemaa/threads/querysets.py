"""Which posts a thread page shows: the reader's filters, and paging that never uses OFFSET.

Unfiltered, page k holds the posts numbered ((k-1)*S, k*S], S being the page size. Numbers
are given once and never reused (a deleted post leaves a hole, it does not shift later posts
back), so a post stays on one page for good, its permalink computes that page from its number
alone, and the unique (thread, number) index finds any page with one range seek. OFFSET would
make the database walk and throw away every earlier post: page 500 would cost 500 page 1s.

Filtered views match sparse posts, so fixed windows would show near-empty pages; they page by
key instead ("the next S matches after #n"), again one range seek on the same index.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from djemaa.core import pagecache
from djemaa.core.pagination import Pagination, pagination_for, requested_page_number
from djemaa.permissions.rules import visible_posts
from djemaa.posts.models import Post

from .models import ReadPosition, Thread

RANGES = {
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}
SHOWS = ("starter", "links", "quotes")
# What the filter bar offers; "" is the default, which the URL leaves out.
RANGE_CHOICES = (
    ("", gettext_lazy("Any time")),
    ("day", gettext_lazy("Last 24 hours")),
    ("week", gettext_lazy("Last week")),
    ("month", gettext_lazy("Last month")),
    ("year", gettext_lazy("Last year")),
)
SHOW_CHOICES = (
    ("", gettext_lazy("All posts")),
    ("starter", gettext_lazy("Posts by the thread's starter")),
    ("links", gettext_lazy("Posts with links")),
    ("quotes", gettext_lazy("Posts with quotes")),
)
# ASCII digits only (int() would take "٣" too), and no more than a 64-bit id holds.
_NUMBER = re.compile(r"[0-9]{1,18}")


def _number(value: str | None) -> int | None:
    return int(value) if value and _NUMBER.fullmatch(value) else None


@dataclass(frozen=True)
class PostFilters:
    """The filter bar's choices; each unknown value in the URL falls back to "no filter"."""

    range: str = ""
    show: str = ""
    # "New posts only": posts numbered above this. None when off, and always for guests.
    new_since: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.range or self.show or self.new_since is not None)

    def params(self) -> dict[str, str]:
        """The URL parameters that give these filters back (the "Next" links carry them)."""
        params = {}
        if self.range:
            params["range"] = self.range
        if self.show:
            params["show"] = self.show
        if self.new_since is not None:
            # The threshold travels with the links: reading a page moves the member's reading
            # position, and "Previous" must still show the posts that were new a page ago.
            params.update(new="1", since=str(self.new_since))
        return params


def parse_filters(query: QueryDict, read_up_to: int | None) -> PostFilters:
    """The filters of a thread URL. `read_up_to` is the member's position, None for guests."""
    chosen_range = query.get("range", "")
    show = query.get("show", "")
    new_since = None
    if read_up_to is not None and query.get("new") == "1":
        since = _number(query.get("since"))
        new_since = read_up_to if since is None else since
    return PostFilters(
        range=chosen_range if chosen_range in RANGES else "",
        show=show if show in SHOWS else "",
        new_since=new_since,
    )


def read_number(user, thread: Thread) -> int | None:
    """How far the member has read this thread (0 if never opened); None for guests."""
    if not user.is_authenticated:
        return None
    found = ReadPosition.objects.filter(user=user, thread=thread).values_list(
        "last_read_number", flat=True
    )
    return found.first() or 0


# Whether a member's thread page is the one Django would render for them, asked of a kept
# page on each hit (see shares_page_with): they read past its posts already (Django would move
# their reading position, which the page does not show but must record), and they have no draft
# in the thread (it fills the reply box) nor a post held in it (shown to its author alone).
_MEMBER_AT_THREAD_SQL = (
    "SELECT COALESCE((SELECT last_read_number FROM threads_readposition"
    " WHERE thread_id = %s AND user_id = %s), 0) >= %s"
    " AND NOT EXISTS (SELECT 1 FROM posts_draft WHERE thread_id = %s AND author_id = %s)"
    # Through the small index of held posts: the unary pluses keep SQLite from walking the
    # thread's posts instead (all 100,000 of the big thread's). PostgreSQL takes them as is.
    " AND NOT EXISTS (SELECT 1 FROM posts_post"
    " WHERE held_at IS NOT NULL AND +thread_id = %s AND +author_id = %s)"
)


def shares_page_with(
    thread_id: int, highest_number: int, author_ids: set[int]
) -> pagecache.MemberCheck:
    """Which members a kept page of this thread, showing posts up to `highest_number` by
    `author_ids`, is true for (besides their rights class, language and time zone): not its
    authors, whose posts carry their own actions, and those _MEMBER_AT_THREAD_SQL admits."""
    thread, member = thread_id, pagecache.MEMBER
    params = (thread, member, highest_number, thread, member, thread, member)
    return pagecache.MemberCheck(_MEMBER_AT_THREAD_SQL, params, frozenset(author_ids))


def page_of_number(number: int) -> int:
    return (number - 1) // settings.DJEMAA_POSTS_PER_PAGE + 1


def post_location(post: Post) -> str:
    """The thread page that shows `post`, scrolled to it (its permalink's target)."""
    page = page_of_number(post.number)
    query = f"?page={page}" if page > 1 else ""
    return f"{post.thread.get_absolute_url()}{query}#post-{post.pk}"


def first_unread_post(user, thread: Thread, read_up_to: int) -> Post | None:
    """The first post after the member's position; the last post when all is read."""
    posts = visible_posts(user).filter(thread=thread).only("pk", "number")
    post = (
        posts.filter(number__gt=read_up_to).order_by("number").first()
        or posts.order_by("-number").first()
    )
    if post is not None:
        post.thread = thread  # already fetched: post_location needs its address
    return post


def post_in_thread(user, thread: Thread, pk: str | None) -> Post | None:
    """The visible post of this thread that a URL parameter names, if it names one."""
    pk_number = _number(pk)
    if pk_number is None:
        return None
    return visible_posts(user).filter(thread=thread, pk=pk_number).only("pk").first()


def quotable_posts(user, ids: list[int]) -> list[Post]:
    """The visible posts among `ids`, in the order of `ids`, with what a quote needs."""
    if not ids:
        return []
    found = visible_posts(user).filter(pk__in=ids).select_related("author").in_bulk()
    return [found[pk] for pk in ids if pk in found]


# What a post block (threads/_post.html, threads.blocks) and the rules read of a page's posts.
_SHOWN_POST_FIELDS = (
    *("thread", "author", "number", "format", "html", "has_links", "has_quotes"),
    *("created_at", "edited_at", "edited_by", "reply_to", "deleted_at", "held_at"),
    *("author__username", "author__date_joined", "author__post_count"),
    *("author__signature_html", "edited_by__username"),
    *("reply_to__number", "reply_to__deleted_at"),
)


def thread_posts(user, thread: Thread) -> QuerySet[Post]:
    """The thread's posts this reader may see, with what a post block shows of its people."""
    return (
        visible_posts(user)
        .filter(thread=thread)
        .select_related("author", "edited_by", "reply_to")
        # Whole rows (sources, the people's passwords and settings, the answered post) were a
        # third of the time spent building the page's posts (measured on the 1M-post dataset).
        .only(*_SHOWN_POST_FIELDS)
    )


def _filtered(
    posts: QuerySet[Post], thread: Thread, filters: PostFilters, now: datetime
) -> QuerySet[Post]:
    if filters.range:
        posts = posts.filter(created_at__gte=now - RANGES[filters.range])
    if filters.show == "starter":
        posts = posts.filter(author_id=thread.author_id)
    elif filters.show == "links":
        posts = posts.filter(has_links=True)
    elif filters.show == "quotes":
        posts = posts.filter(has_quotes=True)
    if filters.new_since is not None:
        posts = posts.filter(number__gt=filters.new_since)
    return posts


@dataclass
class PostPage:
    """One page of a thread as _posts.html shows it; URLs are None where they lead nowhere."""

    posts: list[Post]
    url: str  # this page's own address, which the script shows as the reader scrolls to it
    filtered: bool
    previous_url: str | None = None
    next_url: str | None = None
    # Numbered links, for unfiltered pages only (keyset pages have no page numbers).
    pagination: Pagination | None = None

    @property
    def highest_number(self) -> int:
        return max((post.number for post in self.posts), default=0)


def _address(base_url: str, params: dict[str, str | int]) -> str:
    return f"{base_url}?{urlencode(params)}" if params else base_url


def numbered_page(request: HttpRequest, thread: Thread, posts: QuerySet[Post]) -> PostPage:
    """Page k of the unfiltered thread: numbers ((k-1)*S, k*S]. 404 for a page that is not."""
    size = settings.DJEMAA_POSTS_PER_PAGE
    number = requested_page_number(request)
    # last_number counts deleted posts too: their numbers keep their places on the pages.
    page_count = page_of_number(max(thread.last_number, 1))
    if number > page_count:
        # The rule of every numbered list (core.pagination): one address per page, no empty tail.
        raise Http404(_("There is no such page."))
    links = pagination_for(request, number, page_count)
    # The page's ids first, then its rows by id: PostgreSQL takes "numbers 1 to 20 of the
    # 100,000-post thread" for tens of thousands of rows (every thread has those numbers) and
    # joins the people and answered posts by hashing whole tables, 40-60 ms a first page.
    # Ordered and limited (a no-op: numbers are unique in a thread) so that it walks the
    # (thread, number) index: without it, after an ANALYZE, it read the 100,000 posts of the
    # thread through the thread_id index to keep 20 (300 ms, against 0.8).
    ids = posts.filter(number__gt=(number - 1) * size, number__lte=number * size)
    ids = ids.order_by("number")[:size]
    rows = list(posts.filter(pk__in=list(ids.values_list("pk", flat=True))).order_by("number"))
    return PostPage(
        posts=rows,
        url=next(link.url for link in links.window if link.number == number),
        filtered=False,
        previous_url=links.previous.url if links.previous else None,
        next_url=links.next.url if links.next else None,
        pagination=links,
    )


def keyset_page(
    query: QueryDict, base_url: str, posts: QuerySet[Post], filters: PostFilters
) -> PostPage:
    """The S matches after `?after=n` (or before `?before=n`), reading LIMIT S+1 to know
    whether more follow, so no count is needed."""
    size = settings.DJEMAA_POSTS_PER_PAGE
    params = filters.params()
    after, before = _number(query.get("after")), _number(query.get("before"))
    if before is not None and after is None:
        rows = list(posts.filter(number__lt=before).order_by("-number")[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return PostPage(
            posts=rows,
            url=_address(base_url, {**params, "before": before}),
            filtered=True,
            previous_url=(
                _address(base_url, {**params, "before": rows[0].number}) if more_before else None
            ),
            # Reached by "Previous" from the page that starts at `before`: that page exists.
            next_url=_address(base_url, {**params, "after": before - 1}),
        )
    after = after or 0
    rows = list(posts.filter(number__gt=after).order_by("number")[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    return PostPage(
        posts=rows,
        url=_address(base_url, {**params, "after": after} if after else params),
        filtered=True,
        # Reached by "Next" from a page that ended at `after`: that page exists.
        previous_url=_address(base_url, {**params, "before": after + 1}) if after else None,
        next_url=_address(base_url, {**params, "after": rows[-1].number}) if more_after else None,
    )


def attach_replies(user, posts: list[Post]) -> None:
    """Give each post `reply_list`, the visible posts answering it, in two queries."""
    replies: dict[int, list[Post]] = defaultdict(list)
    # The replies first, through the reply_to index, then the rules on those few: asked in
    # one query, SQLite walked the whole thread (100,000 posts) to find them.
    candidates = list(
        Post.objects.filter(reply_to__in=[post.pk for post in posts]).values_list("pk", flat=True)
    )
    if candidates:
        answering = (
            visible_posts(user)
            .filter(pk__in=candidates)
            .select_related("author")
            .only("pk", "number", "reply_to", "deleted_at", "author__username")
            .order_by("number")
        )
        for reply in answering:
            replies[reply.reply_to_id].append(reply)
    for post in posts:
        post.reply_list = replies[post.pk]


def thread_page(
    request: HttpRequest, thread: Thread, filters: PostFilters, now: datetime | None = None
) -> PostPage:
    """The posts the request asks for, each with its replies: a constant number of queries."""
    posts = thread_posts(request.user, thread)
    if filters.active:
        filtered = _filtered(posts, thread, filters, now or timezone.now())
        page = keyset_page(request.GET, thread.get_absolute_url(), filtered, filters)
    else:
        page = numbered_page(request, thread, posts)
    attach_replies(request.user, page.posts)
    return page
