import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import throttle
from .services import MAX_BAN_REASON_LENGTH, MAX_SIGNATURE_LENGTH

# Throttle scopes: failed sign-ins per typed name and per address; emails per address.
LOGIN_BY_NAME = "login-name"
LOGIN_BY_ADDRESS = "login-address"
EMAILS_BY_ADDRESS = "emails-address"
EMAIL_WINDOW_SECONDS = 3600


def client_address(request) -> str:
    # The connecting address. Behind a reverse proxy, the proxy must pass the real one (e.g.
    # uvicorn --proxy-headers), or every visitor shares the proxy's counter.
    return request.META.get("REMOTE_ADDR", "")


class SignInForm(AuthenticationForm):
    """Django's sign-in form, taking a username or an email, and throttled.

    One message for a missing account, a wrong password and an unconfirmed account, so the
    form tells nobody which names or addresses exist.
    """

    username = forms.CharField(
        label=_("Username or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "The username or email and the password do not match an active account."
        ),
        "inactive": _("The username or email and the password do not match an active account."),
        "throttled": _(
            "Too many failed attempts to sign in. Please wait a few minutes and try again."
        ),
    }

    def clean(self):
        name = self.cleaned_data.get("username", "")
        address = client_address(self.request)
        if throttle.is_blocked(
            LOGIN_BY_NAME, name, settings.DJEMAA_LOGIN_FAILURES_PER_ACCOUNT
        ) or throttle.is_blocked(
            LOGIN_BY_ADDRESS, address, settings.DJEMAA_LOGIN_FAILURES_PER_ADDRESS
        ):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            window = settings.DJEMAA_LOGIN_WINDOW_SECONDS
            throttle.record(LOGIN_BY_NAME, name, window)
            throttle.record(LOGIN_BY_ADDRESS, address, window)
            raise
        # The right password wipes the account's slate; the address keeps its count, or one
        # account of one's own would reset it between guesses at others.
        throttle.clear(LOGIN_BY_NAME, name)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "dir": "ltr"}
        ),
    )


class RegistrationForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"dir": "ltr"}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"dir": "ltr"}))


class ThrottledPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        refuse_when_too_many_emails(self.request)
        return super().clean()


def refuse_when_too_many_emails(request) -> None:
    """Counts one email asked for from this address, refusing past the hourly limit."""
    address = client_address(request)
    limit = settings.DJEMAA_EMAILS_PER_ADDRESS_PER_HOUR
    if throttle.is_blocked(EMAILS_BY_ADDRESS, address, limit):
        raise ValidationError(
            _("Too many emails were requested from your network. Please try again later."),
            code="throttled",
        )
    throttle.record(EMAILS_BY_ADDRESS, address, EMAIL_WINDOW_SECONDS)


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        zone for zone in zoneinfo.available_timezones() if "/" in zone and "Etc/" not in zone
    )
    return [("", _("As my browser says")), *[(zone, zone.replace("_", " ")) for zone in zones]]


class PreferencesForm(forms.Form):
    signature = forms.CharField(
        label=_("Signature"),
        required=False,
        max_length=MAX_SIGNATURE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("Shown under each of your posts. Markdown works here."),
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, required=False)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"), widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class BanForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("ban", "Reason"),
        max_length=MAX_BAN_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("The member sees it on every page while the ban lasts."),
    )
    until = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for a permanent ban."),
    )
