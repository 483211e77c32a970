"""Two-factor sign-in: codes from an authenticator app (TOTP), and one-time recovery codes.

django-otp keeps the secrets and checks the codes, with its own growing delay after each wrong
code; this module only decides when a member has two-factor sign-in and how it is turned on.
"""

import base64

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from djemaa.core.errors import ServiceError

RECOVERY_CODE_COUNT = 10
_DEVICE_NAME = "default"


def is_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The secret being set up: made once, kept (unconfirmed) until a code proves it works."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_DEVICE_NAME, confirmed=False)


def text_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps ask for it when typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1b1b1b")


@transaction.atomic
def enable(user, code: str) -> list[str]:
    """Turns two-factor sign-in on once the app's code matches; returns the recovery codes."""
    if is_enabled(user):
        raise ServiceError(_("Two-factor sign-in is already on."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_digits(code)):
        raise ServiceError(_("This code does not match. Check your phone's clock and try again."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return regenerate_recovery_codes(user)


@transaction.atomic
def regenerate_recovery_codes(user) -> list[str]:
    """New codes replace the old ones, which stop working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def disable(user, password: str) -> None:
    if not user.check_password(password):
        raise ServiceError(_("Your current password is not right."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _digits(code: str) -> str:
    return "".join(code.split())


@transaction.atomic
def verify(user, code: str) -> bool:
    """A code from the app, or an unused recovery code (which is then spent)."""
    code = _digits(code).lower()
    if not code:
        return False
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if totp is None:
        return False
    # Recovery codes are eight base32 characters; app codes are six digits.
    if code.isdigit() and len(code) == totp.digits:
        return totp.verify_token(code)
    recovery = StaticDevice.objects.select_for_update().filter(user=user).first()
    return recovery is not None and recovery.verify_token(code)
