"""Registration, confirmation by email, resending, password reset and email change."""

import os
import re
import socket
import subprocess
import sys

import pytest
from django.core import mail, signing
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from djemaa.accounts import services
from djemaa.accounts.models import User
from djemaa.core.errors import ServiceError

from .smtp import local_smtp_server

GOOD_PASSWORD = "une-longue-phrase-de-passe"


def _link(body: str) -> str:
    return re.search(r"https?://\S+", body).group(0)


def _path(url: str) -> str:
    return url.removeprefix("http://testserver.example")


# ---- Services ----


@pytest.mark.parametrize(
    ("username", "email", "password"),
    [
        ("", "a@example.org", GOOD_PASSWORD),
        ("amina", "not-an-address", GOOD_PASSWORD),
        ("amina", "a@example.org", "123"),
        ("amina", "a@example.org", "amina123"),
    ],
)
def test_registration_refuses_bad_input(db, username, email, password):
    with pytest.raises(ServiceError):
        services.register_member(username=username, email=email, password=password)
    assert not User.objects.exists()


def test_registration_refuses_a_taken_username(make_member):
    make_member("Amina")
    with pytest.raises(ServiceError, match="taken"):
        services.register_member(username="amina", email="a@example.org", password=GOOD_PASSWORD)


def test_registration_makes_an_inactive_account_and_mails_its_link(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member = services.register_member(
            username="Amina", email="amina@example.org", password=GOOD_PASSWORD
        )
    assert not member.is_active
    assert member.check_password(GOOD_PASSWORD)
    (message,) = mail.outbox
    assert message.to == ["amina@example.org"]
    assert "/register/confirm/" in message.body


@override_settings(PUBLIC_URL="https://forum.example.org")
def test_email_links_use_the_public_address_not_the_request_host(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.register_member(username="A", email="a@example.org", password=GOOD_PASSWORD)
    assert _link(mail.outbox[0].body).startswith("https://forum.example.org/register/confirm/")


def test_registering_with_a_known_address_creates_nothing_and_tells_its_owner(
    make_member, django_capture_on_commit_callbacks
):
    make_member("Karim", email="karim@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.register_member(
            username="Intrus", email="KARIM@example.org", password=GOOD_PASSWORD
        )
    assert result is None
    assert not User.objects.filter(username="Intrus").exists()
    (message,) = mail.outbox
    assert message.to == ["KARIM@example.org"]
    assert "/password/reset/" in message.body


def test_a_confirmation_link_activates_the_account_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = services.register_member(
            username="Amina", email="a@example.org", password=GOOD_PASSWORD
        )
    token = _link(mail.outbox[0].body).rstrip("/").rsplit("/", 1)[1]
    assert services.confirm_registration(token) == member
    member.refresh_from_db()
    assert member.is_active and member.email_confirmed_at
    with pytest.raises(ServiceError, match="already been used"):
        services.confirm_registration(token)


def test_a_tampered_confirmation_link_is_refused(db):
    with pytest.raises(ServiceError, match="not valid"):
        services.confirm_registration("not-a-token")


def test_an_expired_confirmation_link_is_refused(db):
    member = services.register_member(username="A", email="a@example.org", password=GOOD_PASSWORD)
    token = signing.dumps({"member": member.pk, "email": member.email}, salt="other-salt")
    with pytest.raises(ServiceError, match="not valid"):
        services.confirm_registration(token)
    with override_settings(PASSWORD_RESET_TIMEOUT=-1), pytest.raises(ServiceError):
        services.confirm_registration(
            signing.dumps(
                {"member": member.pk, "email": member.email},
                salt="djemaa.accounts.confirm-registration",
            )
        )


def test_resending_mails_only_unconfirmed_accounts(make_member, django_capture_on_commit_callbacks):
    make_member("Active", email="active@example.org")
    services.register_member(username="Waiting", email="wait@example.org", password=GOOD_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_confirmation("active@example.org")
        services.resend_confirmation("nobody@example.org")
        services.resend_confirmation("WAIT@example.org")
    assert [message.to for message in mail.outbox] == [["wait@example.org"]]


def test_an_email_change_needs_the_password_and_the_link(
    make_member, django_capture_on_commit_callbacks
):
    member = make_member(email="old@example.org", password=GOOD_PASSWORD)
    with pytest.raises(ServiceError, match="password"):
        services.request_email_change(member, email="new@example.org", password="wrong")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_email_change(member, email="new@example.org", password=GOOD_PASSWORD)
    member.refresh_from_db()
    assert member.email == "old@example.org"
    (message,) = mail.outbox
    assert message.to == ["new@example.org"]
    token = _link(message.body).rstrip("/").rsplit("/", 1)[1]
    services.confirm_email_change(token)
    member.refresh_from_db()
    assert member.email == "new@example.org"
    with pytest.raises(ServiceError, match="already been used"):
        services.confirm_email_change(token)


def test_an_email_change_to_a_used_address_only_tells_its_owner(
    make_member, django_capture_on_commit_callbacks
):
    make_member(email="taken@example.org")
    member = make_member(email="me@example.org", password=GOOD_PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_email_change(member, email="taken@example.org", password=GOOD_PASSWORD)
    assert "/password/reset/" in mail.outbox[0].body
    member.refresh_from_db()
    assert member.email == "me@example.org"


# ---- Pages ----


def test_the_registration_page_sends_the_link_and_says_so(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:register"),
            {"username": "Nour", "email": "nour@example.org", "password": GOOD_PASSWORD},
        )
    assertRedirects(response, reverse("accounts:register_sent"))
    assertContains(client.get(reverse("accounts:register_sent")), "nour@example.org")
    assert User.objects.get(username="Nour").is_active is False
    assert len(mail.outbox) == 1


def test_the_registration_page_answers_the_same_for_a_known_address(
    client, make_member, django_capture_on_commit_callbacks
):
    make_member(email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:register"),
            {"username": "Autre", "email": "known@example.org", "password": GOOD_PASSWORD},
        )
    assertRedirects(response, reverse("accounts:register_sent"))


def test_a_refused_registration_keeps_what_was_typed(client, db):
    response = client.post(
        reverse("accounts:register"),
        {"username": "Nour", "email": "nour@example.org", "password": "123"},
    )
    assert response.status_code == 400
    assertContains(response, 'value="nour@example.org"', status_code=400)
    assertContains(response, 'value="Nour"', status_code=400)
    assertContains(response, "too short", status_code=400)


def test_the_confirmation_link_opens_a_page_whose_button_activates(client, db):
    member = services.register_member(username="A", email="a@example.org", password=GOOD_PASSWORD)
    token = signing.dumps(
        {"member": member.pk, "email": member.email}, salt="djemaa.accounts.confirm-registration"
    )
    url = reverse("accounts:confirm", args=[token])
    assertContains(client.get(url), "Confirm my account")
    member.refresh_from_db()
    assert not member.is_active  # a mail scanner following the link changes nothing
    assertRedirects(client.post(url), reverse("accounts:login"))
    member.refresh_from_db()
    assert member.is_active
    assertContains(client.post(url), "already been used", status_code=400)


def test_an_unconfirmed_account_cannot_sign_in_and_gets_the_usual_message(client, db):
    services.register_member(username="A", email="a@example.org", password=GOOD_PASSWORD)
    response = client.post(reverse("accounts:login"), {"username": "A", "password": GOOD_PASSWORD})
    assertContains(response, "do not match an active account")


def test_the_password_reset_page_answers_the_same_for_any_address(client, make_member):
    make_member(email="known@example.org", password=GOOD_PASSWORD)
    for address in ["known@example.org", "unknown@example.org"]:
        response = client.post(reverse("accounts:password_reset"), {"email": address})
        assertRedirects(response, reverse("accounts:password_reset_sent"))
    assert len(mail.outbox) == 1


@override_settings(PUBLIC_URL="https://forum.example.org")
def test_a_password_reset_link_sets_a_new_password(client, make_member):
    member = make_member(email="known@example.org", password=GOOD_PASSWORD)
    client.post(
        reverse("accounts:password_reset"), {"email": "known@example.org"}, HTTP_HOST="localhost"
    )
    link = _link(mail.outbox[0].body)
    assert link.startswith("https://forum.example.org/password/reset/")
    response = client.get(link.removeprefix("https://forum.example.org"))
    new_password = "encore-une-autre-phrase"
    response = client.post(
        response.url, {"new_password1": new_password, "new_password2": new_password}
    )
    assertRedirects(response, reverse("accounts:password_reset_done"))
    member.refresh_from_db()
    assert member.check_password(new_password)


@override_settings(DJEMAA_EMAILS_PER_ADDRESS_PER_HOUR=2)
def test_too_many_emails_from_one_address_are_refused_with_a_message(client, make_member):
    make_member(email="known@example.org", password=GOOD_PASSWORD)
    for _ in range(2):
        client.post(reverse("accounts:password_reset"), {"email": "known@example.org"})
    response = client.post(reverse("accounts:password_reset"), {"email": "known@example.org"})
    assertContains(response, "Too many emails", status_code=200)
    assert len(mail.outbox) == 2


def test_registration_mail_goes_through_a_real_smtp_server(
    client, db, django_capture_on_commit_callbacks
):
    with local_smtp_server() as inbox, django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:register"),
            {"username": "Yacine", "email": "yacine@example.org", "password": GOOD_PASSWORD},
        )
    (message,) = inbox.messages
    assert message["To"] == "yacine@example.org"
    assert message["Subject"] == "Confirm your account on Djemaa"
    path = _link(inbox.body()).removeprefix("http://127.0.0.1:8000")
    client.post(path)
    assert User.objects.get(username="Yacine").is_active


def _settings_with(tmp_path, **environ) -> list[str]:
    code = (
        "from django.conf import settings as s; print('|'.join(str(v) for v in ("
        "s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL)))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJEMAA_DATA_DIR": str(tmp_path),
        **environ,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().split("|")


def test_email_goes_to_the_console_unless_an_smtp_server_is_set(tmp_path):
    backend, host, *_rest = _settings_with(tmp_path)
    assert backend == "django.core.mail.backends.console.EmailBackend"
    assert host == ""
    assert _settings_with(
        tmp_path,
        DJEMAA_SMTP_HOST="mail.example.org",
        DJEMAA_SMTP_TLS="1",
        DJEMAA_EMAIL_FROM="Forum <forum@example.org>",
    ) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
        "True",
        "Forum <forum@example.org>",
    ]


def test_a_mail_server_that_is_down_does_not_break_the_page(
    client, db, django_capture_on_commit_callbacks, caplog
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port,
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("accounts:register"),
            {"username": "Yacine", "email": "yacine@example.org", "password": GOOD_PASSWORD},
        )
    assertRedirects(response, reverse("accounts:register_sent"))
    assert "Error calling" in caplog.text


@override_settings(DJEMAA_SITE_NAME="منتدى وهران")
def test_emails_carry_the_forums_own_name(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:register"),
            {"username": "Yacine", "email": "yacine@example.org", "password": GOOD_PASSWORD},
        )
        client.post(
            reverse("accounts:register"),
            {"username": "Yacine2", "email": "yacine@example.org", "password": GOOD_PASSWORD},
        )
    confirm, already = mail.outbox
    assert confirm.subject == "Confirm your account on منتدى وهران"
    assert "an account on منتدى وهران, but" in already.body
