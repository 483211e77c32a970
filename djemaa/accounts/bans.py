"""Is this member banned right now? Asked by permissions.rules before any writing, and by the
banner every page shows to a banned member."""

from django.utils import timezone

from .models import Ban


def active_ban(user) -> Ban | None:
    """The ban in force for this member, or None; guests are never banned.

    The member's row points at its current ban, so a member who is not banned costs no query,
    and the signed-in user arrives with the ban already joined (backends.get_user). Django
    keeps the fetched ban on the user object, which lives for the request.
    """
    if not getattr(user, "is_authenticated", False) or user.current_ban_id is None:
        return None
    ban = user.current_ban
    now = timezone.now()
    if ban.lifted_at is not None or ban.starts_at > now:
        return None
    if ban.ends_at is not None and ban.ends_at <= now:
        return None
    return ban


def is_banned(user) -> bool:
    return active_ban(user) is not None
