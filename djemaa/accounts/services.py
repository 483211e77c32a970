"""The verbs on members: create them, and change what they may change about themselves."""

import re
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core.errors import ServiceError
from djemaa.posts.rendering import render_signature_source

MAX_SIGNATURE_LENGTH = 1000
# Imported forums bring names with spaces and any script; only control characters, slashes
# (they would break profile URLs) and leading/trailing blanks are refused.
_BAD_USERNAME = re.compile(r"[\x00-\x1f\x7f/\\]")


def clean_username(username: str) -> str:
    username = " ".join(username.split())
    if not username or len(username) > 150 or _BAD_USERNAME.search(username):
        raise ServiceError(_("A username must be 1 to 150 characters, without slashes."))
    return username


@transaction.atomic
def create_member(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    signature: str = "",
    language: str = "",
    timezone_name: str = "",
    joined_at: datetime | None = None,
    is_admin: bool = False,
):
    User = get_user_model()
    username = clean_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("The username %(name)s is taken.") % {"name": username})
    if language and language not in dict(settings.LANGUAGES):
        raise ServiceError(_("Unknown language: %(code)s.") % {"code": language})
    if timezone_name:
        _check_time_zone(timezone_name)
    user = User(
        username=username,
        email=email.strip(),
        language=language,
        timezone=timezone_name,
        date_joined=joined_at or timezone.now(),
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _set_signature(user, signature)
    user.save()
    return user


def _check_time_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ServiceError(_("Unknown time zone: %(zone)s.") % {"zone": name}) from None


def _set_signature(user, signature: str) -> None:
    signature = signature.replace("\r\n", "\n").strip()
    if len(signature) > MAX_SIGNATURE_LENGTH:
        raise ServiceError(
            ngettext(
                "A signature can be at most %(limit)d character long.",
                "A signature can be at most %(limit)d characters long.",
                MAX_SIGNATURE_LENGTH,
            )
            % {"limit": MAX_SIGNATURE_LENGTH}
        )
    user.signature = signature
    user.signature_html = render_signature_source(signature) if signature else ""


def change_signature(user, signature: str) -> None:
    """Shown under every post of the member, so one change shows everywhere."""
    _set_signature(user, signature)
    user.save(update_fields=["signature", "signature_html"])


def set_preferred_language(user, code: str) -> None:
    if code not in dict(settings.LANGUAGES):
        raise ServiceError(_("Unknown language: %(code)s.") % {"code": code})
    user.language = code
    user.save(update_fields=["language"])


def set_password(user, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
