from django import template

from djemaa.permissions import rules

register = template.Library()


@register.filter
def may_administer(user) -> bool:
    """Whether to offer the administration pages (they answer 404 to everyone else)."""
    return rules.can_manage_permissions(user)
