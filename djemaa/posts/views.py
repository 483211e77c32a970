from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from djemaa.core import pagecache
from djemaa.core.errors import ServiceError
from djemaa.moderation import services as moderation_services
from djemaa.permissions import rules
from djemaa.permissions.rules import get_post_for
from djemaa.threads.querysets import post_location
from djemaa.threads.services import refuse_reply_unless_allowed
from djemaa.threads.views import FRAGMENT_HEADER

from . import multiquote, services
from .diff import word_diff
from .models import Post
from .rendering import render_preview


@require_safe
def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A post's lasting address: to the page that shows it, wherever the thread has grown to.

    A temporary redirect, because the thread's address changes with its title. Guests'
    redirects are kept with their thread's pages (core.pagecache): the post's thread is read
    first, its token next, then the post itself.
    """
    thread_id = None
    if pagecache.may_keep_for_guests(request):
        thread_id = Post.objects.filter(pk=pk).values_list("thread_id", flat=True).first()
        if thread_id is not None:
            pagecache.keep_page(request, pagecache.THREAD, thread_id)
    post = get_post_for(request.user, pk)
    if post.thread_id != thread_id:  # moved in between: its token says nothing of it
        pagecache.do_not_keep(request)
    return redirect(post_location(post))


@require_POST
def toggle_multiquote(request: HttpRequest, pk: int) -> HttpResponse:
    """Gather a post for a multi-quote reply, or let it go; back to the post without script."""
    post = get_post_for(request.user, pk)
    try:
        refuse_reply_unless_allowed(request.user, post.thread)
    except ServiceError as refused:
        return render(request, "posts/refused.html", {"message": refused.message}, status=403)
    now_gathered = multiquote.toggle(request.session, post.pk)
    if request.headers.get(FRAGMENT_HEADER) == "1":
        count = len(multiquote.gathered(request.session))
        return JsonResponse({"gathered": now_gathered, "count": count})
    return redirect(post_location(post))


@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a post's text; each saved edit becomes a revision (see history)."""
    post = get_post_for(request.user, pk)
    source = request.POST.get("source", "") if request.method == "POST" else post.source
    writing = {
        "action": reverse("posts:edit", args=[post.pk]),
        "source": source,
        "title": None,
        "errors": [],
        "preview": None,
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "post")
        if action == "preview":
            writing["preview"] = render_preview(source)
            if request.headers.get(FRAGMENT_HEADER) == "1":
                return render(request, "threads/_preview.html", {"preview": writing["preview"]})
        else:
            try:
                services.check_edit_post(user=request.user, post=post, source=source)
            except ServiceError as error:
                writing["errors"], status = error.messages, 400
            else:
                return redirect(post_location(post))
    may_edit = rules.can_edit_post(request.user, post)
    context = {"post": post, "writing": writing, "may_edit": may_edit}
    return render(request, "posts/edit.html", context, status=status)


@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """A post's revisions, newest first, each with what it changed from the one before."""
    post = get_post_for(request.user, pk)
    if not rules.can_see_revisions(request.user, post):
        # Those who may not read the history are not told it exists.
        raise Http404
    revisions = list(post.revisions.select_related("author").order_by("number"))
    previous = None
    for revision in revisions:
        # The first version is shown as it was written: it changed nothing.
        revision.diff = (
            revision.source if previous is None else word_diff(previous, revision.source)
        )
        previous = revision.source
    revisions.reverse()
    return render(request, "posts/history.html", {"post": post, "revisions": revisions})


def _for_someone_else(user, post) -> bool:
    """A moderator deleting or restoring another member's post: the moderation verb does it,
    so it is logged like the moderation tools' own buttons."""
    return post.author_id != user.pk and rules.can_moderate(user, post.thread.category)


@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first, then soft-delete: the post keeps its number and moderators can restore it."""
    post = get_post_for(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            if _for_someone_else(request.user, post):
                moderation_services.delete_post(post=post, actor=request.user)
            else:
                services.check_delete_post(user=request.user, post=post)
        except ServiceError as refused:
            error = refused.message
        else:
            return redirect(post_location(post))
    elif post.number == 1:
        error = _("The first post of a thread can only be deleted with the thread.")
    elif not rules.can_delete_post(request.user, post):
        error = _("You cannot delete this post.")
    context = {"post": post, "error": error}
    return render(request, "posts/delete.html", context, status=400 if error else 200)


@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_post_for(request.user, pk)
    try:
        if _for_someone_else(request.user, post):
            moderation_services.restore_post(post=post, actor=request.user)
        else:
            services.check_restore_post(user=request.user, post=post)
    except ServiceError as refused:
        return render(request, "posts/refused.html", {"message": refused.message}, status=403)
    return redirect(post_location(post))
