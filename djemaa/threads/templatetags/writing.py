"""Questions templates ask about writing, answered by permissions.rules like everywhere else."""

from django import template

from djemaa.forums.models import Category
from djemaa.permissions import rules

register = template.Library()


@register.filter
def can_start_thread_in(user, category: Category) -> bool:
    """`{% if user|can_start_thread_in:category %}`: whether to offer "New thread"."""
    return rules.can_start_thread(user, category)
