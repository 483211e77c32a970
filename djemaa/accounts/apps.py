from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "djemaa.accounts"
    label = "accounts"

    def ready(self) -> None:
        from djemaa.core import pagecache
        from djemaa.core.templatetags.djemaa import member_link

        from .models import User

        pagecache.register_slot(
            "signed_in_as", lambda visit: member_link(User(username=visit.member.username))
        )
