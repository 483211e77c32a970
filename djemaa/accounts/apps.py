from functools import lru_cache

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "djemaa.accounts"
    label = "accounts"

    def ready(self) -> None:
        from djemaa.core import pagecache

        pagecache.register_slot("signed_in_as", lambda visit: _link_to(visit.member.username))


@lru_cache(maxsize=4096)
def _link_to(username: str) -> str:
    """The header's link to a member's profile (the {% signed_in_as %} tag's), made once per
    name: building the link costs more than the rest of a kept page's answer."""
    from djemaa.core.templatetags.djemaa import member_link

    from .models import User

    return member_link(User(username=username))
