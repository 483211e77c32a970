"""The verbs on members: create them, let them join and confirm their address, change what
they may change about themselves, and let moderators ban them."""

import re
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core import pagecache
from djemaa.core.errors import ServiceError
from djemaa.moderation.models import ModerationAction
from djemaa.moderation.services import record_action
from djemaa.permissions import rules
from djemaa.posts.rendering import render_signature_source

from .models import Ban, User

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
    is_active: bool = True,
):
    User = get_user_model()
    username = clean_username(username)
    if User.objects.named(username).exists():
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
        is_active=is_active,
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
    pagecache.site_changed()


def set_preferred_language(user, code: str) -> None:
    if code not in dict(settings.LANGUAGES):
        raise ServiceError(_("Unknown language: %(code)s.") % {"code": code})
    user.language = code
    user.save(update_fields=["language"])


def set_password(user, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])


def set_time_zone(user: User, name: str) -> None:
    """An empty name means "as my browser says" (the middleware then uses the browser's zone)."""
    if name:
        _check_time_zone(name)
    user.timezone = name
    user.save(update_fields=["timezone"])


def log_out_everywhere(user: User) -> None:
    """Ends every session of the member, on every device, this one included."""
    get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


# ---- Email: joining, confirming, changing the address ----

_CONFIRM_SALT = "djemaa.accounts.confirm-registration"
_CHANGE_EMAIL_SALT = "djemaa.accounts.change-email"


def absolute_url(path: str) -> str:
    # From the configured address, never the request's Host header, which a sender controls.
    return settings.PUBLIC_URL + path


def _send(address: str, template: str, context: dict) -> None:
    """Renders now, in the reader's language, and sends once the transaction has committed.

    A mail server that fails is logged, not shown as an error page: the member can ask for
    the link again (robust=True).
    """
    subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", context).split())
    body = render_to_string(f"accounts/email/{template}.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]), robust=True
    )


def clean_email(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError(_("Enter a valid email address.")) from None
    return email


def _email_in_use(email: str, *, exclude_pk: int | None = None) -> bool:
    members = get_user_model().objects.filter(email__iexact=email)
    if exclude_pk is not None:
        members = members.exclude(pk=exclude_pk)
    return members.exists()


@transaction.atomic
def register_member(*, username: str, email: str, password: str, language: str = "") -> User | None:
    """Creates an inactive account and mails the link that activates it.

    When the address already belongs to an account, nothing is created and its owner is told
    by email instead: the page answers the same either way, so it reveals no address.
    Returns the new member, or None in that case.
    """
    User = get_user_model()
    username = clean_username(username)
    email = clean_email(email)
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as error:
        raise ServiceError(error.messages) from None
    if _email_in_use(email):
        _send(
            email,
            "already_registered",
            {"reset_url": absolute_url(reverse("accounts:password_reset"))},
        )
        return None
    member = create_member(
        username=username, email=email, password=password, language=language, is_active=False
    )
    send_confirmation(member)
    return member


def send_confirmation(member: User) -> None:
    token = signing.dumps({"member": member.pk, "email": member.email}, salt=_CONFIRM_SALT)
    url = absolute_url(reverse("accounts:confirm", args=[token]))
    _send(member.email, "confirm", {"member": member, "url": url})


def resend_confirmation(email: str) -> None:
    """Sends a new link if an unconfirmed account uses this address; says nothing either way."""
    email = clean_email(email)
    for member in get_user_model().objects.filter(
        email__iexact=email, is_active=False, email_confirmed_at__isnull=True
    ):
        send_confirmation(member)


def _load_token(token: str, salt: str) -> dict:
    # signing compares signatures in constant time and refuses links older than the timeout.
    try:
        return signing.loads(token, salt=salt, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        raise ServiceError(
            _("This link is not valid any more. Links in our emails work for a few days.")
        ) from None


@transaction.atomic
def confirm_registration(token: str) -> User:
    """Activates the account the link was sent for; a second use of the link does nothing."""
    data = _load_token(token, _CONFIRM_SALT)
    member = (
        get_user_model()
        .objects.select_for_update()
        .filter(pk=data["member"], email=data["email"], email_confirmed_at__isnull=True)
        .first()
    )
    if member is None:
        raise ServiceError(_("This link has already been used."))
    member.is_active = True
    member.email_confirmed_at = timezone.now()
    member.save(update_fields=["is_active", "email_confirmed_at"])
    return member


@transaction.atomic
def request_email_change(user: User, *, email: str, password: str) -> None:
    """The new address takes effect when its owner opens the link sent to it."""
    email = clean_email(email)
    if not user.check_password(password):
        raise ServiceError(_("Your current password is not right."))
    if email.lower() == user.email.lower():
        raise ServiceError(_("This is already your email address."))
    if _email_in_use(email, exclude_pk=user.pk):
        # Tell the owner of that address, and answer as if all went well (no enumeration).
        _send(
            email,
            "already_registered",
            {"reset_url": absolute_url(reverse("accounts:password_reset"))},
        )
        return
    token = signing.dumps(
        {"member": user.pk, "old": user.email, "new": email}, salt=_CHANGE_EMAIL_SALT
    )
    url = absolute_url(reverse("accounts:confirm_email", args=[token]))
    _send(email, "change_email", {"member": user, "url": url})


@transaction.atomic
def confirm_email_change(token: str) -> User:
    data = _load_token(token, _CHANGE_EMAIL_SALT)
    # The old address must still be the current one: that makes each link work once.
    member = (
        get_user_model()
        .objects.select_for_update()
        .filter(pk=data["member"], email=data["old"])
        .first()
    )
    if member is None:
        raise ServiceError(_("This link has already been used."))
    if _email_in_use(data["new"], exclude_pk=member.pk):
        raise ServiceError(_("This address is now used by another account."))
    member.email = data["new"]
    member.email_confirmed_at = timezone.now()
    member.save(update_fields=["email", "email_confirmed_at"])
    return member


# ---- Bans ----

MAX_BAN_REASON_LENGTH = 1000


def can_ban(user, member: User) -> bool:
    """Global moderators ban members; moderators themselves are demoted first, not banned.

    Asked by the profile page (to show the button) and by ban_member (to enforce).
    """
    return rules.is_moderator(user) and member.pk != user.pk and not rules.is_moderator(member)


@transaction.atomic
def ban_member(moderator: User, member: User, reason: str, until: datetime | None = None) -> Ban:
    """Bans from now until `until` (None: for good). A new ban replaces one in force."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason: the member will see it."))
    if len(reason) > MAX_BAN_REASON_LENGTH:
        raise ServiceError(
            ngettext(
                "A reason can be at most %(limit)d character long.",
                "A reason can be at most %(limit)d characters long.",
                MAX_BAN_REASON_LENGTH,
            )
            % {"limit": MAX_BAN_REASON_LENGTH}
        )
    now = timezone.now()
    if until is not None and until <= now:
        raise ServiceError(_("The end of a ban must be in the future."))
    if not rules.is_moderator(moderator):
        raise ServiceError(_("Only moderators can ban members."))
    if not can_ban(moderator, member):
        raise ServiceError(_("Moderators cannot be banned; an administrator can demote them."))
    member = get_user_model().objects.select_for_update().get(pk=member.pk)
    if member.current_ban_id is not None:
        Ban.objects.filter(pk=member.current_ban_id, lifted_at__isnull=True).update(
            lifted_at=now, lifted_by=moderator
        )
    ban = Ban.objects.create(
        member=member, banned_by=moderator, reason=reason, starts_at=now, ends_at=until
    )
    member.current_ban = ban
    member.save(update_fields=["current_ban"])
    record_action(
        moderator,
        ModerationAction.Kind.BAN,
        reason=reason,
        member_id=member.pk,
        member=member.username,
        until=until.isoformat() if until is not None else None,
    )
    return ban


@transaction.atomic
def lift_ban(moderator: User, member: User) -> None:
    if not rules.is_moderator(moderator):
        raise ServiceError(_("Only moderators can lift bans."))
    member = get_user_model().objects.select_for_update().get(pk=member.pk)
    if member.current_ban_id is None:
        raise ServiceError(_("This member is not banned."))
    Ban.objects.filter(pk=member.current_ban_id, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=moderator
    )
    member.current_ban = None
    member.save(update_fields=["current_ban"])
    record_action(
        moderator, ModerationAction.Kind.LIFT_BAN, member_id=member.pk, member=member.username
    )
