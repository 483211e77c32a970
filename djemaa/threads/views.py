from functools import partial

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from djemaa.core import pagecache
from djemaa.core.errors import ServiceError
from djemaa.forums import querysets as forum_querysets
from djemaa.forums.models import Category
from djemaa.forums.services import active_announcements
from djemaa.markup.render import hide_quotes, localize_quote_headers, quoted_post_ids
from djemaa.moderation.views import merged_thread_redirect
from djemaa.permissions import rules
from djemaa.posts import multiquote
from djemaa.posts import services as post_services
from djemaa.posts.models import Post
from djemaa.posts.rendering import render_preview

from . import querysets, services
from .blocks import render_post_blocks
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


def _attach_actions(user, thread: Thread, posts: list[Post]) -> None:
    """What the reader may do with each post, for its action links; no query per post."""
    for post in posts:
        post.thread = thread  # fetched once; the rules read its lock and forum
        post.may_edit = rules.can_edit_post(user, post)
        post.may_delete = rules.can_delete_post(user, post)
        post.may_see_history = post.edited_at is not None and rules.can_see_revisions(user, post)


def _prepare_for_display(posts: list[Post], user) -> None:
    # Quotes of posts the reader may not see (a private forum, a deleted post) give nothing
    # away: one query for the page, and only posts with quotes are looked into.
    quoted = {pk for post in posts if post.has_quotes for pk in quoted_post_ids(post.html)}
    # The page's own posts are visible to this reader, and quotes mostly answer nearby posts:
    # asking only about the others often saves the query (a thread scan on SQLite, measured).
    quoted -= {post.pk for post in posts}
    hidden = rules.hidden_post_ids(user, quoted)
    for post in posts:
        html = hide_quotes(post.html, hidden) if post.has_quotes else post.html
        post.body_html = _stored_html(html)


def _keep_for_members(request: HttpRequest, thread: Thread, page, filters) -> None:
    """Let the wrapper send this page to the reader's peers (same rights, language and zone)
    for whom it is exactly what Django would render: see querysets.shares_page_with, which
    must hold for the reader too. Not a held thread (its author sees it differently), nor
    "new posts only" (whose page follows each member's reading position), nor a page without
    posts."""
    if thread.is_held or filters.new_since is not None or not page.posts:
        return
    authors = {post.author_id for post in page.posts}
    check = querysets.shares_page_with(thread.pk, page.highest_number, authors)
    pagecache.keep_for_members_if(request, check)


@require_safe
def thread_detail(request: HttpRequest, pk: str, slug: str) -> HttpResponse:
    """A thread page, or with FRAGMENT_HEADER only its posts (the same template part)."""
    fragment = request.headers.get(FRAGMENT_HEADER) == "1"
    pagecache.keep_page(
        request,
        pagecache.THREAD,
        int(pk),
        # A kept full page sent again is read again; a fragment belongs to a page counted.
        on_hit=None if fragment else partial(services.record_view_soon, int(pk)),
        for_members=True,
    )
    try:
        thread = rules.get_thread_for(request.user, int(pk))
    except Http404:  # a thread merged into another one leads there
        return merged_thread_redirect(request, int(pk))
    if slug != (thread.slug or "-"):
        return _canonical_redirect(request, thread)
    read_up_to = querysets.read_number(request.user, thread)
    filters = querysets.parse_filters(request.GET, read_up_to)
    page = querysets.thread_page(request, thread, filters)
    _attach_actions(request.user, thread, page.posts)
    _prepare_for_display(page.posts, request.user)
    if read_up_to is not None and page.highest_number > read_up_to:
        # mark_read never moves backward either, but finding that out costs it queries.
        services.mark_read(request.user, thread, page.highest_number)
    _keep_for_members(request, thread, page, filters)
    can_reply = rules.can_reply(request.user, thread)
    context = {
        "thread": thread,
        "page": page,
        "filters": filters,
        "can_reply": can_reply,
        "can_moderate": rules.can_moderate(request.user, thread.category),
        "gathered": set(multiquote.gathered(request.session)) if can_reply else set(),
        "can_see_deleted": rules.can_see_deleted(request.user, thread.category),
    }
    render_post_blocks(
        request,
        thread,
        page.posts,
        can_reply=can_reply,
        can_moderate=context["can_moderate"],
        can_see_deleted=context["can_see_deleted"],
        gathered=context["gathered"],
    )
    if fragment:
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
        if can_reply:
            draft = post_services.draft_for(request.user, thread=thread)
            context["writing"] = _writing(
                request,
                action=reverse("threads:reply", args=[thread.pk]),
                source=draft.source if draft else "",
                reply_to=_draft_reply_to(request.user, thread, draft),
                token=pagecache.slot(request, "submission_token")
                or post_services.new_submission_token(),
            )
        response = render(request, "threads/thread.html", context)
    # Shared caches must not hand a fragment to a full page load, or the reverse.
    patch_vary_headers(response, (FRAGMENT_HEADER,))
    return response


@require_safe
def thread_short(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        thread = rules.get_thread_for(request.user, pk)
    except Http404:  # a thread merged into another one leads there
        return merged_thread_redirect(request, pk)
    return _canonical_redirect(request, thread)


@require_safe
def unread(request: HttpRequest, pk: int) -> HttpResponse:
    """To the first post the member has not read (the last one when all is read)."""
    thread = rules.get_thread_for(request.user, pk)
    read_up_to = querysets.read_number(request.user, thread)
    if read_up_to is None:  # guests have no reading position: they start at the beginning
        return redirect(thread.get_absolute_url())
    post = querysets.first_unread_post(request.user, thread, read_up_to)
    return redirect(querysets.post_location(post) if post else thread.get_absolute_url())


# ---- Writing: replies and new threads ----


def _writing(
    request: HttpRequest,
    *,
    action: str,
    source: str = "",
    title: str | None = None,
    reply_to: Post | None = None,
    token: str = "",
) -> dict:
    """What threads/_writing_form.html shows. `title` is None on a reply (no title field);
    errors, the preview and the "draft saved" notice are filled in as the request goes."""
    return {
        "action": action,
        "source": source,
        "title": title,
        "reply_to": reply_to,
        "token": token,
        "errors": [],
        "preview": None,
        "notice": "",
        "can_draft": request.user.is_authenticated,
    }


def _draft_reply_to(user, thread: Thread, draft) -> Post | None:
    # The answered post may have been deleted since the draft was saved.
    if draft is None or draft.reply_to_id is None:
        return None
    return querysets.post_in_thread(user, thread, str(draft.reply_to_id))


def _with_quotes(source: str, posts: list[Post]) -> str:
    """The text with a [quote] block for each post it does not quote yet (reloads add none)."""
    blocks = [post_services.quote_of(post) for post in posts if f";{post.pk}]" not in source]
    return "\n".join(part for part in [source.rstrip(), *blocks] if part)


def _after_scratch(request: HttpRequest, writing: dict, action: str) -> HttpResponse | None:
    """The enhancement script's answer to "Preview" or "Save draft": the fragment alone."""
    if request.headers.get(FRAGMENT_HEADER) != "1":
        return None
    if action == "draft":
        return HttpResponse(status=204)
    response = render(request, "threads/_preview.html", {"preview": writing["preview"]})
    patch_vary_headers(response, (FRAGMENT_HEADER,))
    return response


def _scratch_writing(request: HttpRequest, writing: dict, action: str) -> None:
    """Fill in the preview or the "draft saved" notice of a re-shown form."""
    if action == "preview":
        writing["preview"] = render_preview(writing["source"])
    elif request.user.is_authenticated:
        writing["notice"] = _("Your draft is saved.")


@require_http_methods(["GET", "HEAD", "POST"])
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form: with the member's draft, the quoted posts and the answered post."""
    thread = rules.get_thread_for(request.user, pk)
    action_url = reverse("threads:reply", args=[thread.pk])
    if request.method == "POST":
        return _reply_submitted(request, thread, action_url)
    draft = post_services.draft_for(request.user, thread=thread)
    reply_to = querysets.post_in_thread(request.user, thread, request.GET.get("to"))
    wanted = multiquote.gathered(request.session)
    quoted = querysets.post_in_thread(request.user, thread, request.GET.get("quote"))
    if quoted is not None and quoted.pk not in wanted:
        wanted.append(quoted.pk)
    writing = _writing(
        request,
        action=action_url,
        source=_with_quotes(
            draft.source if draft else "", querysets.quotable_posts(request.user, wanted)
        ),
        reply_to=reply_to or _draft_reply_to(request.user, thread, draft),
        token=post_services.new_submission_token(),
    )
    return _reply_page(request, thread, writing)


def _reply_page(request: HttpRequest, thread: Thread, writing: dict, status: int = 200):
    refusal = None
    try:
        services.refuse_reply_unless_allowed(request.user, thread)
    except ServiceError as error:
        refusal = error.message
    context = {"thread": thread, "writing": writing, "refusal": refusal}
    return render(request, "threads/reply.html", context, status=status)


def _reply_submitted(request: HttpRequest, thread: Thread, action_url: str) -> HttpResponse:
    action = request.POST.get("action", "post")
    reply_to = querysets.post_in_thread(request.user, thread, request.POST.get("to"))
    writing = _writing(
        request,
        action=action_url,
        source=request.POST.get("source", ""),
        reply_to=reply_to,
        token=request.POST.get("token", "")[:64],
    )
    if action in ("preview", "draft"):
        if request.user.is_authenticated and rules.can_reply(request.user, thread):
            post_services.save_draft(
                author=request.user,
                category=thread.category,
                thread=thread,
                source=writing["source"],
                reply_to=reply_to,
            )
        _scratch_writing(request, writing, action)
        return _after_scratch(request, writing, action) or _reply_page(request, thread, writing)
    try:
        post = services.check_reply(
            user=request.user,
            thread=thread,
            source=writing["source"],
            reply_to=reply_to,
            submission_token=writing["token"],
        )
    except ServiceError as error:
        writing["errors"] = error.messages
        return _reply_page(request, thread, writing, status=400)
    multiquote.clear(request.session)
    if post.is_held:
        _say_held(request)
    return redirect(querysets.post_location(post))


def _say_held(request: HttpRequest) -> None:
    messages.info(request, _("Your post will appear once a moderator approves it."))


@require_http_methods(["GET", "HEAD", "POST"])
def new_thread(request: HttpRequest, category_pk: int) -> HttpResponse:
    """The form that opens a thread in a forum, with the member's draft for that forum."""
    category = rules.get_category_for(request.user, category_pk)
    action_url = reverse("threads:new", args=[category.pk])
    if request.method != "POST":
        draft = post_services.draft_for(request.user, category=category)
        writing = _writing(
            request,
            action=action_url,
            title=draft.title if draft else "",
            source=draft.source if draft else "",
            token=post_services.new_submission_token(),
        )
        return _new_thread_page(request, category, writing)
    action = request.POST.get("action", "post")
    writing = _writing(
        request,
        action=action_url,
        title=request.POST.get("title", ""),
        source=request.POST.get("source", ""),
        token=request.POST.get("token", "")[:64],
    )
    if action in ("preview", "draft"):
        if request.user.is_authenticated and rules.can_start_thread(request.user, category):
            post_services.save_draft(
                author=request.user,
                category=category,
                title=writing["title"],
                source=writing["source"],
            )
        _scratch_writing(request, writing, action)
        return _after_scratch(request, writing, action) or _new_thread_page(
            request, category, writing
        )
    try:
        thread = services.check_start_thread(
            user=request.user,
            category=category,
            title=writing["title"],
            source=writing["source"],
            submission_token=writing["token"],
        )
    except ServiceError as error:
        writing["errors"] = error.messages
        return _new_thread_page(request, category, writing, status=400)
    if thread.is_held:
        _say_held(request)
    return redirect(thread.get_absolute_url())


def _new_thread_page(
    request: HttpRequest, category: Category, writing: dict, status: int = 200
) -> HttpResponse:
    refusal = None
    try:
        services.refuse_thread_unless_allowed(request.user, category)
    except ServiceError as error:
        refusal = error.message
    context = {
        "category": category,
        "breadcrumbs": [*forum_querysets.ancestors(request.user, category), category],
        "writing": writing,
        "refusal": refusal,
    }
    return render(request, "threads/new_thread.html", context, status=status)
