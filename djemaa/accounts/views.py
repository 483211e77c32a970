from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from djemaa.core.errors import ServiceError
from djemaa.core.views import safe_next_url
from djemaa.markup.text import own_words
from djemaa.permissions import rules
from djemaa.permissions.rules import visible_posts
from djemaa.posts.rendering import render_signature_source

from . import services, two_factor
from .bans import active_ban
from .forms import (
    BanForm,
    CodeForm,
    EmailChangeForm,
    EmailForm,
    PasswordConfirmForm,
    PreferencesForm,
    RegistrationForm,
    SignInForm,
    ThrottledPasswordResetForm,
    refuse_when_too_many_emails,
)

RECENT_POSTS = 10
# Sent by accounts.js with its live-preview requests: the answer is then the preview alone.
FRAGMENT_HEADER = "X-Djemaa-Fragment"
EXCERPT_LENGTH = 200
# Between the password and the two-factor code: who passed the first step, for how long.
_PENDING_SESSION_KEY = "djemaa_two_factor_pending"
_PENDING_SALT = "djemaa.accounts.two-factor-pending"
_PENDING_SECONDS = 300
# The address the last link went to, for the "check your email" page.
_SENT_TO_SESSION_KEY = "djemaa_link_sent_to"
# Recovery codes are shown once, on the page right after they are made.
_NEW_CODES_SESSION_KEY = "djemaa_new_recovery_codes"


def excerpt(html: str) -> str:
    return Truncator(own_words(html)).chars(EXCERPT_LENGTH)


def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A member's page. The name matches in any case; other spellings redirect to the real one."""
    member = get_user_model().objects.named(username).first()
    if member is None:
        raise Http404(_("There is no member with that name."))
    if member.username != username:
        return redirect(member, permanent=True)
    posts = (
        visible_posts(request.user)
        .filter(author=member)
        .select_related("thread")
        .order_by("-created_at", "-pk")[:RECENT_POSTS]
    )
    may_ban = services.can_ban(request.user, member)
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "recent_posts": [(post, excerpt(post.html)) for post in posts],
            "may_ban": may_ban,
            "member_ban": active_ban(member) if may_ban else None,
        },
    )


# ---- Signing in and out ----


class SignInView(auth_views.LoginView):
    """Password first; members with two-factor sign-in then give a code on a second page."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_enabled(user):
            return super().form_valid(form)
        self.request.session[_PENDING_SESSION_KEY] = signing.dumps(
            {"member": user.pk, "backend": user.backend}, salt=_PENDING_SALT
        )
        url = reverse("accounts:login_code")
        next_url = self.get_redirect_url()  # already checked to stay on this site
        return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


def _pending_member(request: HttpRequest):
    try:
        data = signing.loads(
            request.session.get(_PENDING_SESSION_KEY, ""),
            salt=_PENDING_SALT,
            max_age=_PENDING_SECONDS,
        )
    except signing.BadSignature:
        return None, None
    member = get_user_model().objects.filter(pk=data["member"], is_active=True).first()
    return member, data["backend"]


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    member, backend = _pending_member(request)
    if member is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if two_factor.verify(member, form.cleaned_data["code"]):
            del request.session[_PENDING_SESSION_KEY]
            login(request, member, backend=backend)
            return redirect(safe_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
        form.add_error("code", _("This code does not match. Wait for a new one, then try again."))
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "next": safe_next_url(request, "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.log_out_everywhere(request.user)
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect("accounts:login")


# ---- Joining ----


def _emailing_form(request: HttpRequest, form, send, template: str) -> HttpResponse:
    """Registering and resending: both mail a link, then say where it went."""
    if form.is_valid():
        try:
            refuse_when_too_many_emails(request)
            send(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[_SENT_TO_SESSION_KEY] = form.cleaned_data["email"]
            return redirect("accounts:register_sent")
    return render(request, template, {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return _emailing_form(
        request,
        RegistrationForm(request.POST or None),
        lambda data: services.register_member(**data, language=request.LANGUAGE_CODE),
        "accounts/register.html",
    )


def register_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get(_SENT_TO_SESSION_KEY, "")
    return render(request, "accounts/register_sent.html", {"email": email})


@require_http_methods(["GET", "POST"])
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    return _emailing_form(
        request,
        EmailForm(request.POST or None),
        lambda data: services.resend_confirmation(data["email"]),
        "accounts/resend.html",
    )


def _confirm_page(request: HttpRequest, token: str, confirm, template: str) -> HttpResponse | None:
    """Email links open a page with a button: mail scanners that follow links change nothing."""
    if request.method == "POST":
        try:
            confirm(token)
        except ServiceError as error:
            return render(request, template, {"error": error.message}, status=400)
        return None  # confirmed: the caller says so and moves on
    return render(request, template, {})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    response = _confirm_page(request, token, services.confirm_registration, "accounts/confirm.html")
    if response is not None:
        return response
    messages.success(request, _("Your account is ready. Welcome! You can now sign in."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    response = _confirm_page(
        request, token, services.confirm_email_change, "accounts/confirm_email.html"
    )
    if response is not None:
        return response
    messages.success(request, _("Your new email address is confirmed."))
    return redirect("accounts:settings" if request.user.is_authenticated else "accounts:login")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ThrottledPasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        # The link's address comes from the settings, never from the request's Host header.
        self.extra_email_context = {"public_url": settings.PUBLIC_URL}
        return super().form_valid(form)


# ---- Settings ----


def _settings_page(request: HttpRequest, status: int = 200, **context) -> HttpResponse:
    """The settings page, with the forms given (bound, after a refused change) or fresh ones."""
    user = request.user
    if "preferences" not in context:
        context["preferences"] = PreferencesForm(
            initial={
                "signature": user.signature,
                "language": user.language or request.LANGUAGE_CODE,
                "timezone": user.timezone,
            }
        )
    context.setdefault("email_form", EmailChangeForm())
    context.setdefault("password_form", PasswordChangeForm(user))
    context.setdefault("disable_form", PasswordConfirmForm())
    context["two_factor_on"] = two_factor.is_enabled(user)
    context["new_codes"] = request.session.pop(_NEW_CODES_SESSION_KEY, None)
    return render(request, "accounts/settings.html", context, status=status)


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@login_required
@require_POST
def save_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, status=400, preferences=form)
    data = form.cleaned_data
    if "preview" in request.POST:
        preview = render_signature_source(data["signature"]) if data["signature"] else ""
        if request.headers.get(FRAGMENT_HEADER) == "1":
            return render(
                request, "accounts/_signature_preview.html", {"signature_preview": preview}
            )
        return _settings_page(request, preferences=form, signature_preview=preview)
    try:
        services.change_signature(request.user, data["signature"])
        services.set_preferred_language(request.user, data["language"])
        services.set_time_zone(request.user, data["timezone"])
    except ServiceError as error:
        form.add_error(None, error)
        return _settings_page(request, status=400, preferences=form)
    messages.success(request, _("Your settings are saved."))
    return redirect("accounts:settings")


@login_required
@require_POST
def change_email(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    if form.is_valid():
        try:
            refuse_when_too_many_emails(request)
            services.request_email_change(request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("We sent a link to %(email)s. Open it to confirm your new address.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:settings")
    return _settings_page(request, status=400, email_form=form)


@login_required
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _settings_page(request, status=400, password_form=form)
    form.save()
    # The password is part of the session hash: keep this session, end the others.
    update_session_auth_hash(request, form.user)
    messages.success(request, _("Your password is changed. Your other sessions are signed out."))
    return redirect("accounts:settings")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if two_factor.is_enabled(request.user):
        return redirect("accounts:settings")
    device = two_factor.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = two_factor.enable(request.user, form.cleaned_data["code"])
        except ServiceError as error:
            form.add_error("code", error)
        else:
            request.session[_NEW_CODES_SESSION_KEY] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("accounts:settings")
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.text_secret(device),
    }
    return render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            two_factor.disable(request.user, form.cleaned_data["password"])
        except ServiceError as error:
            form.add_error("password", error)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:settings")
    return _settings_page(request, status=400, disable_form=form)


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if two_factor.is_enabled(request.user):
        request.session[_NEW_CODES_SESSION_KEY] = two_factor.regenerate_recovery_codes(request.user)
    return redirect("accounts:settings")


# ---- Bans ----


def _bannable_member(request: HttpRequest, username: str):
    # Not a moderator: the page does not exist for them.
    if not rules.is_moderator(request.user):
        raise Http404
    return get_object_or_404(get_user_model(), username=username)


@require_http_methods(["GET", "POST"])
def ban(request: HttpRequest, username: str) -> HttpResponse:
    member = _bannable_member(request, username)
    form = BanForm(request.POST or None)
    if form.is_valid():
        try:
            services.ban_member(
                request.user, member, form.cleaned_data["reason"], form.cleaned_data["until"]
            )
        except ServiceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The member is banned."))
            return redirect(member)
    context = {"member": member, "form": form, "member_ban": active_ban(member)}
    return render(request, "accounts/ban.html", context, status=400 if form.errors else 200)


@require_POST
def lift_ban(request: HttpRequest, username: str) -> HttpResponse:
    member = _bannable_member(request, username)
    try:
        services.lift_ban(request.user, member)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The ban is lifted."))
    return redirect(member)
