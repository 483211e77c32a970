"""Moderators' pages and actions. Anyone who may not moderate gets a 404: for them these
addresses do not exist. Every change is a POST form that works without JavaScript."""

import re
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from djemaa.core.errors import ServiceError
from djemaa.core.pagination import paginate
from djemaa.forums import querysets as forum_querysets
from djemaa.forums.models import Announcement
from djemaa.permissions import rules
from djemaa.posts.models import Post
from djemaa.threads.models import Thread

from . import forms, querysets, services
from .models import Report, ThreadRedirect

REPORTS_PER_PAGE = 30
LOG_ENTRIES_PER_PAGE = 50
ANNOUNCEMENTS_PER_PAGE = 30
# Posts offered at once for a split; "from here" links start the list further down.
SPLIT_WINDOW = 100
_ID = re.compile(r"[0-9]{1,18}")
# The header of the site's enhancement scripts (threads.views.FRAGMENT_HEADER, which imports
# this module, so it cannot be imported from there).
FRAGMENT_HEADER = "X-Djemaa-Fragment"


def merged_thread_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    """For threads.views, when a thread is not found: a merged thread's old address leads
    to the thread it went into (if this person may see that one); anything else is a 404."""
    target_id = (
        ThreadRedirect.objects.filter(old_thread_id=pk).values_list("target_id", flat=True).first()
    )
    if target_id is None:
        raise Http404
    return redirect(rules.get_thread_for(request.user, target_id), permanent=True)


def _moderated_thread(request: HttpRequest, pk: int) -> Thread:
    thread = rules.get_thread_for(request.user, pk)
    if not rules.can_moderate(request.user, thread.category):
        raise Http404
    return thread


def _moderated_post(request: HttpRequest, pk: int) -> Post:
    post = rules.get_post_for(request.user, pk)
    if not rules.can_moderate(request.user, post.thread.category):
        raise Http404
    return post


def _require_admin(request: HttpRequest) -> None:
    if not rules.is_administrator(request.user):
        raise Http404


def _back(request: HttpRequest, default: str) -> str:
    """Where to go after an action: the form's `next` when it is a page of this site."""
    wanted = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else default


def _act(request: HttpRequest, action: Callable[[], None], done: str, back: str) -> HttpResponse:
    """Run a one-button action, say how it went, and go back to the page it came from.

    moderation.js (the reports queue) sends FRAGMENT_HEADER and stays on its page: it gets
    the sentence alone, with 200 when the action was done and 409 when a rule refused it.
    """
    try:
        action()
    except ServiceError as error:
        refusal = " ".join(error.messages)
        if request.headers.get(FRAGMENT_HEADER) == "1":
            return HttpResponse(refusal, status=409, content_type="text/plain; charset=utf-8")
        messages.error(request, refusal)
    else:
        if request.headers.get(FRAGMENT_HEADER) == "1":
            return HttpResponse(done, content_type="text/plain; charset=utf-8")
        messages.success(request, done)
    return redirect(_back(request, back))


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "")


def _moderated_forums(user) -> list[tuple[int, str]]:
    """Forums this person may move threads to: those they moderate, below the top level."""
    return forms.tree_choices(
        forum_querysets.forum_index(user),
        lambda category: category.depth > 0 and rules.can_moderate(user, category),
    )


# Thread actions -------------------------------------------------------------------------


@require_POST
def pin_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    pinned = request.POST.get("pinned") == "1"
    return _act(
        request,
        lambda: services.set_pinned(
            thread=thread, actor=request.user, pinned=pinned, reason=_reason(request)
        ),
        _("The thread is pinned.") if pinned else _("The thread is no longer pinned."),
        thread.get_absolute_url(),
    )


@require_POST
def lock_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    locked = request.POST.get("locked") == "1"
    return _act(
        request,
        lambda: services.set_locked(
            thread=thread, actor=request.user, locked=locked, reason=_reason(request)
        ),
        _("The thread is locked.") if locked else _("The thread is open for replies again."),
        thread.get_absolute_url(),
    )


@require_POST
def delete_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    return _act(
        request,
        lambda: services.delete_thread(thread=thread, actor=request.user, reason=_reason(request)),
        _("The thread is deleted; moderators can still see and restore it."),
        thread.get_absolute_url(),
    )


@require_POST
def restore_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    return _act(
        request,
        lambda: services.restore_thread(thread=thread, actor=request.user, reason=_reason(request)),
        _("The thread is restored."),
        thread.get_absolute_url(),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def rename_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    form = forms.RenameForm(request.POST or None, initial={"title": thread.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_thread(
                thread=thread,
                actor=request.user,
                title=form.cleaned_data["title"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The thread is renamed."))
            return redirect(thread)
    return render(request, "moderation/rename.html", {"thread": thread, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def move_thread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _moderated_thread(request, pk)
    form = forms.MoveForm(
        request.POST or None,
        categories=_moderated_forums(request.user),
        initial={"category": thread.category_id},
    )
    if request.method == "POST" and form.is_valid():
        category = rules.get_category_for(request.user, form.cleaned_data["category"])
        try:
            services.move_thread(
                thread=thread,
                actor=request.user,
                category=category,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The thread is moved."))
            return redirect(thread)
    return render(request, "moderation/move.html", {"thread": thread, "form": form})


def _merge_target(request: HttpRequest, form: forms.MergeForm, source: Thread) -> Thread | None:
    """The thread the form names, if this person may moderate it; otherwise a form error."""
    try:
        target = _moderated_thread(request, form.cleaned_data["target"])
    except Http404:
        form.add_error("target", _("There is no such thread, or you may not moderate it."))
        return None
    if target.pk == source.pk:
        form.add_error("target", _("A thread cannot be merged into itself."))
        return None
    return target


@require_http_methods(["GET", "HEAD", "POST"])
def merge_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the thread to merge into (GET), see both side by side, confirm (POST)."""
    source = _moderated_thread(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    form = forms.MergeForm(data if "target" in data else None)
    target = _merge_target(request, form, source) if form.is_valid() else None
    if request.method == "POST" and target is not None:
        try:
            services.merge_threads(
                source=source,
                target=target,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The threads are merged."))
            return redirect(target)
    return render(
        request, "moderation/merge.html", {"thread": source, "form": form, "target": target}
    )


def _chosen_post_ids(request: HttpRequest) -> set[int]:
    return {int(value) for value in request.POST.getlist("posts") if _ID.fullmatch(value)}


@require_http_methods(["GET", "HEAD", "POST"])
def split_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose posts (from post `?from=N` on) and move them into a new thread."""
    thread = _moderated_thread(request, pk)
    start = request.GET.get("from", "")
    start = int(start) if _ID.fullmatch(start) else 2
    form = forms.SplitForm(
        request.POST or None,
        categories=_moderated_forums(request.user),
        initial={"category": thread.category_id},
    )
    chosen = _chosen_post_ids(request)
    if request.method == "POST" and form.is_valid():
        category = rules.get_category_for(request.user, form.cleaned_data["category"])
        try:
            new = services.split_thread(
                thread=thread,
                actor=request.user,
                post_ids=chosen,
                title=form.cleaned_data["title"],
                category=category,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The chosen posts are now a thread of their own."))
            return redirect(new)
    posts = list(
        rules.visible_posts(request.user)
        .filter(thread=thread, number__gte=start)
        .select_related("author")
        .order_by("number")[: SPLIT_WINDOW + 1]
    )
    more = posts[SPLIT_WINDOW].number if len(posts) > SPLIT_WINDOW else None
    context = {
        "thread": thread,
        "form": form,
        "posts": posts[:SPLIT_WINDOW],
        "chosen": chosen,
        "more_from": more,
        "start": start,
    }
    return render(request, "moderation/split.html", context)


# Post actions ---------------------------------------------------------------------------


@require_POST
def delete_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = _moderated_post(request, pk)
    return _act(
        request,
        lambda: services.delete_post(post=post, actor=request.user, reason=_reason(request)),
        _("The post is deleted; moderators can still see and restore it."),
        post.get_absolute_url(),
    )


@require_POST
def restore_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = _moderated_post(request, pk)
    return _act(
        request,
        lambda: services.restore_post(post=post, actor=request.user, reason=_reason(request)),
        _("The post is restored."),
        post.get_absolute_url(),
    )


@require_POST
def approve_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = _moderated_post(request, pk)
    return _act(
        request,
        lambda: services.approve_post(post=post, actor=request.user),
        _("The post is approved: everyone can see it now."),
        post.get_absolute_url(),
    )


@require_POST
def reject_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = _moderated_post(request, pk)
    return _act(
        request,
        lambda: services.reject_post(post=post, actor=request.user, reason=_reason(request)),
        _("The post is rejected: it is deleted, and only moderators can still see it."),
        post.get_absolute_url(),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report_post(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    post = rules.get_post_for(request.user, pk)
    if not services.can_report(request.user, post):
        raise Http404
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_post(
                reporter=request.user, post=post, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: a moderator will look at this post."))
            return redirect(post)
    return render(request, "moderation/report.html", {"post": post, "form": form})


# Reports queue and log ------------------------------------------------------------------


@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    if not rules.moderates_any_forum(request.user):
        raise Http404
    page, pagination = paginate(request, querysets.open_reports(request.user), REPORTS_PER_PAGE)
    return render(
        request,
        "moderation/reports.html",
        {
            "reports": page,
            "pagination": pagination,
            "is_admin": rules.is_administrator(request.user),
        },
    )


@require_safe
def held_posts(request: HttpRequest) -> HttpResponse:
    if not rules.moderates_any_forum(request.user):
        raise Http404
    page, pagination = paginate(request, querysets.held_posts(request.user), REPORTS_PER_PAGE)
    return render(request, "moderation/held_posts.html", {"posts": page, "pagination": pagination})


@require_POST
def close_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.select_related("reporter"), pk=pk)
    report.post = _moderated_post(request, report.post_id)
    outcome = request.POST.get("outcome", "")
    return _act(
        request,
        lambda: services.close_report(report=report, actor=request.user, outcome=outcome),
        _("The report is dismissed.")
        if outcome == Report.Outcome.DISMISSED
        else _("The report is resolved."),
        report.post.get_absolute_url(),
    )


@require_safe
def log(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    page, pagination = paginate(request, querysets.moderation_log(), LOG_ENTRIES_PER_PAGE)
    return render(request, "moderation/log.html", {"actions": page, "pagination": pagination})


# Announcements --------------------------------------------------------------------------


def _announcement_places(user) -> list[tuple[int, str]]:
    return forms.tree_choices(forum_querysets.forum_index(user), lambda category: True)


@require_safe
def announcements(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    page, pagination = paginate(request, querysets.all_announcements(), ANNOUNCEMENTS_PER_PAGE)
    now = timezone.now()
    for announcement in page:
        announcement.is_scheduled = bool(announcement.starts_at and announcement.starts_at > now)
        announcement.has_ended = bool(announcement.ends_at and announcement.ends_at <= now)
    return render(
        request,
        "moderation/announcements.html",
        {"announcements": page, "pagination": pagination},
    )


def _announcement_form(request: HttpRequest, announcement: Announcement | None) -> HttpResponse:
    initial = {}
    if announcement is not None:
        initial = {
            "title": announcement.title,
            "body": announcement.body,
            "category": announcement.category_id,
            "starts_at": announcement.starts_at,
            "ends_at": announcement.ends_at,
        }
    form = forms.AnnouncementForm(
        request.POST or None, categories=_announcement_places(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "actor": request.user,
            "title": data["title"],
            "body": data["body"],
            "category": (
                rules.get_category_for(request.user, data["category"]) if data["category"] else None
            ),
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
        }
        try:
            if announcement is None:
                services.publish_announcement(**fields)
            else:
                services.update_announcement(announcement=announcement, **fields)
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The announcement is saved."))
            return redirect("moderation:announcements")
    return render(
        request,
        "moderation/announcement_form.html",
        {"form": form, "announcement": announcement},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def new_announcement(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return _announcement_form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
def edit_announcement(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    return _announcement_form(request, get_object_or_404(Announcement, pk=pk))


@require_POST
def delete_announcement(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    announcement = get_object_or_404(Announcement, pk=pk)
    services.remove_announcement(announcement=announcement, actor=request.user)
    messages.success(request, _("The announcement is removed."))
    return redirect("moderation:announcements")
