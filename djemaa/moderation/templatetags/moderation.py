"""What the thread page and the layout ask of moderation, and the log's sentences."""

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core.templatetags.djemaa import member_link, moment
from djemaa.permissions import rules

from .. import services
from ..models import ModerationAction

register = template.Library()
Kind = ModerationAction.Kind


@register.simple_tag(takes_context=True)
def may_moderate(context, thread) -> bool:
    return rules.can_moderate(context["user"], thread.category)


@register.filter
def moderates_any_forum(user) -> bool:
    return rules.moderates_any_forum(user)


@register.filter
def reportable_by(post, user) -> bool:
    return services.can_report(user, post)


def _thread(action: ModerationAction) -> SafeString:
    if action.thread is not None:
        return format_html(
            '<a href="{}" dir="auto">{}</a>', action.thread.get_absolute_url(), action.thread.title
        )
    return format_html('<bdi dir="auto">{}</bdi>', action.details.get("title", ""))


def _post(action: ModerationAction) -> SafeString:
    if action.post is None:
        return format_html("{}", _("a post that no longer exists"))
    url = reverse("posts:permalink", args=[action.post_id])
    return format_html('<a href="{}">#{}</a>', url, action.post.number)


def _quoted(text: str) -> SafeString:
    return format_html('<bdi dir="auto">{}</bdi>', text)


def _sentences(action: ModerationAction) -> tuple[str, dict]:
    details = action.details
    kind = action.kind
    if kind == Kind.MERGE:
        return ngettext(
            "%(actor)s merged %(source)s (%(count)d post) into %(thread)s.",
            "%(actor)s merged %(source)s (%(count)d posts) into %(thread)s.",
            details["posts"],
        ), {"source": _quoted(details["source_title"]), "count": details["posts"]}
    if kind == Kind.SPLIT:
        return ngettext(
            "%(actor)s moved %(count)d post of %(source)s into the new thread %(thread)s.",
            "%(actor)s moved %(count)d posts of %(source)s into the new thread %(thread)s.",
            details["posts"],
        ), {"source": _quoted(details["source_title"]), "count": details["posts"]}
    if kind == Kind.BAN and details.get("until"):
        return _("%(actor)s banned %(member)s until %(until)s."), {
            "member": _quoted(details["member"]),
            "until": moment(datetime.fromisoformat(details["until"])),
        }
    simple = {
        Kind.PIN: _("%(actor)s pinned %(thread)s."),
        Kind.UNPIN: _("%(actor)s unpinned %(thread)s."),
        Kind.LOCK: _("%(actor)s locked %(thread)s."),
        Kind.UNLOCK: _("%(actor)s unlocked %(thread)s."),
        Kind.DELETE_THREAD: _("%(actor)s deleted the thread %(thread)s."),
        Kind.RESTORE_THREAD: _("%(actor)s restored the thread %(thread)s."),
        Kind.DELETE_POST: _("%(actor)s deleted post %(post)s of %(thread)s."),
        Kind.RESTORE_POST: _("%(actor)s restored post %(post)s of %(thread)s."),
        Kind.RENAME: _("%(actor)s renamed %(old)s to %(thread)s."),
        Kind.MOVE: _("%(actor)s moved %(thread)s from %(from)s to %(to)s."),
        Kind.RESOLVE_REPORT: _(
            "%(actor)s resolved the report by %(reporter)s on post %(post)s of %(thread)s."
        ),
        Kind.DISMISS_REPORT: _(
            "%(actor)s dismissed the report by %(reporter)s on post %(post)s of %(thread)s."
        ),
        Kind.CREATE_ANNOUNCEMENT: _("%(actor)s published the announcement %(title)s."),
        Kind.UPDATE_ANNOUNCEMENT: _("%(actor)s edited the announcement %(title)s."),
        Kind.DELETE_ANNOUNCEMENT: _("%(actor)s removed the announcement %(title)s."),
        Kind.APPROVE_POST: _("%(actor)s approved post %(post)s by %(author)s in %(thread)s."),
        Kind.APPROVE_THREAD: _("%(actor)s approved the new thread %(thread)s by %(author)s."),
        Kind.REJECT_POST: _("%(actor)s rejected post %(post)s by %(author)s in %(thread)s."),
        Kind.REJECT_THREAD: _("%(actor)s rejected the new thread %(thread)s by %(author)s."),
        Kind.BAN: _("%(actor)s banned %(member)s permanently."),
        Kind.LIFT_BAN: _("%(actor)s lifted the ban of %(member)s."),
    }
    values = {
        "old": _quoted(details.get("old_title", "")),
        "from": _quoted(details.get("from_forum", "")),
        "to": _quoted(details.get("to_forum", "")),
        "reporter": _quoted(details.get("reporter", "")),
        "title": _quoted(details.get("title", "")),
        "member": _quoted(details.get("member", "")),
        "author": _quoted(details.get("author", "")),
    }
    return simple[kind], values


@register.filter
def describe(action: ModerationAction) -> SafeString:
    """The log line of an action, in the reader's language, with links to what still exists."""
    sentence, values = _sentences(action)
    actor = member_link(action.actor) if action.actor else escape(_("A former member"))
    values.update(actor=actor)
    if "%(thread)s" in sentence:
        values["thread"] = _thread(action)
    if "%(post)s" in sentence:
        values["post"] = _post(action)
    # The sentence is the translators' plain text; only the values carry markup, built above.
    return mark_safe(escape(sentence) % values)
