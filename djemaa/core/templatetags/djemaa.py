from django import template
from django.conf import settings
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from djemaa.core import pagecache

register = template.Library()


@register.simple_tag
def site_name() -> str:
    """The forum's own name (DJEMAA_SITE_NAME): in titles, the header and emails. A tag rather
    than a context variable, so that emails and the error page, rendered without a request,
    have it too."""
    return settings.DJEMAA_SITE_NAME


@register.filter
def moment(value, style: str = "DATETIME_FORMAT"):
    """A <time> element: machine-readable UTC, shown in the reader's zone and language."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        value.isoformat(),
        formats.date_format(local, style),
    )


@register.filter
def member_link(user):
    """A member's name linking to their profile, for use inside translated sentences.

    dir="auto" isolates the name, so an Arabic name in a French sentence (or the reverse)
    does not reorder the words around it.
    """
    return format_html('<a href="{}" dir="auto">{}</a>', user.get_absolute_url(), user.username)


@register.filter
def member_name(user):
    """A member's name, isolated the same way, where it may not be a link (inside one)."""
    return format_html('<bdi dir="auto">{}</bdi>', user.username)


@register.simple_tag(takes_context=True)
def signed_in_as(context):
    """The header's link to the signed-in member's profile: a slot on pages kept for members."""
    placeholder = pagecache.slot(context["request"], "signed_in_as")
    if placeholder is not None:
        return mark_safe(placeholder)  # noqa: S308 - letters, digits and dashes only
    return member_link(context["user"])
