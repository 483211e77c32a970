"""Signing in by name or address, throttling, two-factor codes, and signing out everywhere."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from pytest_django.asserts import assertContains, assertRedirects

from djemaa.accounts import services, two_factor

PASSWORD = "une-longue-phrase-de-passe"
REFUSED = "do not match an active account"


def _sign_in(client, username, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **extra}
    )


def _current_code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


@pytest.mark.parametrize("typed", ["Amina", "aMINA", "amina@example.org", "AMINA@Example.org"])
def test_a_member_signs_in_by_username_or_email_in_any_case(client, make_member, typed):
    member = make_member("Amina", email="amina@example.org", password=PASSWORD)
    assertRedirects(_sign_in(client, typed), reverse("forums:index"))
    assert client.session[SESSION_KEY] == str(member.pk)


def test_an_address_shared_by_two_accounts_signs_nobody_in(client, make_member):
    make_member("One", email="shared@example.org", password=PASSWORD)
    make_member("Two", email="shared@example.org", password=PASSWORD)
    assertContains(_sign_in(client, "shared@example.org"), REFUSED)
    assert SESSION_KEY not in client.session


def test_a_missing_account_and_a_wrong_password_get_the_same_message(client, make_member):
    make_member("Amina", password=PASSWORD)

    def errors(response) -> str:
        html = response.content.decode()
        return html[html.index('class="form-errors"') :].split("</div>", 1)[0]

    wrong_password = errors(_sign_in(client, "Amina", "wrong"))
    assert REFUSED in wrong_password
    assert errors(_sign_in(client, "Nobody", "wrong")) == wrong_password


@override_settings(DJEMAA_LOGIN_FAILURES_PER_ACCOUNT=3)
def test_failed_attempts_on_one_account_block_it_for_a_while_even_with_the_right_password(
    client, make_member
):
    make_member("Amina", password=PASSWORD)
    for _ in range(3):
        assertContains(_sign_in(client, "Amina", "wrong"), REFUSED)
    response = _sign_in(client, "amina", PASSWORD)
    assertContains(response, "Too many failed attempts")
    assert SESSION_KEY not in client.session
    # Another account from the same address is not affected by this counter.
    make_member("Karim", password=PASSWORD)
    assertRedirects(_sign_in(client, "Karim"), reverse("forums:index"))


@override_settings(DJEMAA_LOGIN_FAILURES_PER_ACCOUNT=100, DJEMAA_LOGIN_FAILURES_PER_ADDRESS=4)
def test_failed_attempts_from_one_address_block_that_address(client, make_member):
    make_member("Amina", password=PASSWORD)
    for n in range(4):
        _sign_in(client, f"guess{n}", "wrong")
    assertContains(_sign_in(client, "Amina"), "Too many failed attempts")
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assertRedirects(_sign_in(other_address, "Amina"), reverse("forums:index"))


@override_settings(DJEMAA_LOGIN_FAILURES_PER_ACCOUNT=3)
def test_an_unknown_name_is_throttled_like_a_real_one(client, db):
    for _ in range(3):
        _sign_in(client, "Nobody", "wrong")
    assertContains(_sign_in(client, "Nobody", "wrong"), "Too many failed attempts")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_signing_in_never_redirects_off_the_site(client, make_member, target):
    make_member("Amina", password=PASSWORD)
    assertRedirects(
        _sign_in(client, "Amina", next=target),
        reverse("forums:index"),
        fetch_redirect_response=False,
    )


def test_signing_in_goes_back_to_the_page_asked_for(client, make_member):
    make_member("Amina", password=PASSWORD)
    response = _sign_in(client, "Amina", next="/u/Amina/")
    assertRedirects(response, "/u/Amina/")


def test_log_out_everywhere_ends_every_session_of_the_member(make_member):
    member = make_member("Amina", password=PASSWORD)
    phone, laptop = Client(), Client()
    _sign_in(phone, "Amina")
    _sign_in(laptop, "Amina")
    response = laptop.post(reverse("accounts:logout_everywhere"))
    assertRedirects(response, reverse("accounts:login"))
    settings_url = reverse("accounts:settings")
    assert phone.get(settings_url).status_code == 302
    assert laptop.get(settings_url).status_code == 302
    member.refresh_from_db()
    assert member.session_epoch == 1
    # Signing in again works.
    _sign_in(phone, "Amina")
    assert phone.get(settings_url).status_code == 200


def test_log_out_everywhere_answers_post_only(client, make_member):
    client.force_login(make_member())
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405


def test_log_out_everywhere_keeps_other_members_signed_in(make_member):
    make_member("Amina", password=PASSWORD)
    make_member("Karim", password=PASSWORD)
    amina, karim = Client(), Client()
    _sign_in(amina, "Amina")
    _sign_in(karim, "Karim")
    amina.post(reverse("accounts:logout_everywhere"))
    assert karim.get(reverse("accounts:settings")).status_code == 200


# ---- Two-factor sign-in ----


def _member_with_two_factor(make_member):
    member = make_member("Amina", password=PASSWORD)
    device = two_factor.pending_device(member)
    codes = two_factor.enable(member, _current_code(device))
    device.refresh_from_db()
    # The code just used cannot be used twice; the tests sign in with the next one.
    device.last_t -= 1
    device.save()
    return member, device, codes


def test_two_factor_sign_in_asks_for_a_code_after_the_password(client, make_member):
    member, device, _codes = _member_with_two_factor(make_member)
    response = _sign_in(client, "Amina", next="/u/Amina/")
    assertRedirects(response, reverse("accounts:login_code") + "?next=%2Fu%2FAmina%2F")
    assert SESSION_KEY not in client.session
    response = client.post(
        reverse("accounts:login_code") + "?next=/u/Amina/", {"code": _current_code(device)}
    )
    assertRedirects(response, "/u/Amina/")
    assert client.session[SESSION_KEY] == str(member.pk)


def test_a_wrong_two_factor_code_is_refused(client, make_member):
    _member_with_two_factor(make_member)
    _sign_in(client, "Amina")
    response = client.post(reverse("accounts:login_code"), {"code": "000000"})
    assertContains(response, "does not match", status_code=400)
    assert SESSION_KEY not in client.session


def test_a_recovery_code_signs_in_once(make_member):
    _member_with_two_factor(make_member)
    codes = two_factor.regenerate_recovery_codes(
        services.get_user_model().objects.get(username="Amina")
    )
    first, second = Client(), Client()
    _sign_in(first, "Amina")
    first.post(reverse("accounts:login_code"), {"code": codes[0].upper()})
    assert SESSION_KEY in first.session
    _sign_in(second, "Amina")
    response = second.post(reverse("accounts:login_code"), {"code": codes[0]})
    assertContains(response, "does not match", status_code=400)


def test_the_code_page_without_a_password_first_sends_back_to_sign_in(client, db):
    assertRedirects(client.get(reverse("accounts:login_code")), reverse("accounts:login"))


@override_settings(DJEMAA_LOGIN_FAILURES_PER_ACCOUNT=3)
def test_signing_in_clears_the_accounts_failures(client, make_member):
    make_member("Amina", password=PASSWORD)
    for _ in range(2):
        _sign_in(client, "Amina", "wrong")
    _sign_in(client, "Amina")
    client.logout()
    for _ in range(2):
        _sign_in(client, "Amina", "wrong")
    assertRedirects(_sign_in(client, "Amina"), reverse("forums:index"))
