from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


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
