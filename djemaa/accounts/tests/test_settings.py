"""The member's settings page: signature with preview, language, time zone, email, password,
two-factor sign-in."""

import re

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from djemaa.accounts import two_factor

PASSWORD = "une-longue-phrase-de-passe"
URL = reverse("accounts:settings")


def _preferences(**fields):
    return {"signature": "", "language": "fr", "timezone": "", **fields}


def test_the_settings_page_needs_a_member(client, db):
    response = client.get(URL)
    assertRedirects(response, f"{reverse('accounts:login')}?next={URL}")


def test_the_settings_page_shows_every_section(client, make_member):
    client.force_login(make_member(signature="Salut"))
    response = client.get(URL)
    for heading in ["preferences-heading", "email-heading", "password-heading"]:
        assertContains(response, f'id="{heading}"')
    assertContains(response, "two-factor-heading")
    assertContains(response, '<option value="Africa/Algiers">Africa/Algiers</option>', html=True)
    assertContains(response, "Salut</textarea>")


def test_previewing_a_signature_shows_it_rendered_and_saves_nothing(client, make_member):
    member = make_member(signature="Avant")
    client.force_login(member)
    response = client.post(
        reverse("accounts:save_preferences"),
        _preferences(signature="Vive le **couscous**", preview="1"),
    )
    assertContains(response, "<strong>couscous</strong>")
    assertContains(response, "Vive le **couscous**</textarea>")
    member.refresh_from_db()
    assert member.signature == "Avant"


def test_the_live_preview_answers_with_the_preview_alone_and_saves_nothing(client, make_member):
    member = make_member(signature="Avant")
    client.force_login(member)
    response = client.post(
        reverse("accounts:save_preferences"),
        _preferences(signature="Vive le **couscous**", preview="1"),
        headers={"X-Djemaa-Fragment": "1"},
    )
    html = response.content.decode()
    assert "<strong>couscous</strong>" in html
    assert "<html" not in html and "<textarea" not in html
    member.refresh_from_db()
    assert member.signature == "Avant"


def test_the_settings_page_loads_the_live_preview_script(client, make_member):
    client.force_login(make_member())
    assertContains(client.get(URL), "djemaa/accounts.js")


def test_saving_preferences_changes_signature_language_and_time_zone(client, make_member):
    member = make_member()
    client.force_login(member)
    response = client.post(
        reverse("accounts:save_preferences"),
        _preferences(signature="Vive le **couscous**", language="ar", timezone="Africa/Algiers"),
    )
    assertRedirects(response, URL, fetch_redirect_response=False)
    member.refresh_from_db()
    assert "<strong>couscous</strong>" in member.signature_html
    assert (member.language, member.timezone) == ("ar", "Africa/Algiers")
    # The next page is in Arabic.
    assertContains(client.get(URL), 'lang="ar"')


def test_an_unknown_time_zone_is_refused_and_the_signature_kept(client, make_member):
    member = make_member()
    client.force_login(member)
    response = client.post(
        reverse("accounts:save_preferences"),
        _preferences(signature="Mon texte", timezone="Mars/Olympus"),
    )
    assert response.status_code == 400
    assertContains(response, "Mon texte</textarea>", status_code=400)
    member.refresh_from_db()
    assert member.signature == ""


def test_changing_the_password_keeps_this_session_and_ends_the_others(make_member):
    make_member("Amina", password=PASSWORD)
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post(reverse("accounts:login"), {"username": "Amina", "password": PASSWORD})
    new = "encore-une-autre-phrase"
    response = here.post(
        reverse("accounts:change_password"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assertRedirects(response, URL)
    assert here.get(URL).status_code == 200
    assert elsewhere.get(URL).status_code == 302


def test_a_wrong_current_password_is_refused(client, make_member):
    client.force_login(make_member(password=PASSWORD))
    response = client.post(
        reverse("accounts:change_password"),
        {"old_password": "wrong", "new_password1": "x-y-z-w-v-u", "new_password2": "x-y-z-w-v-u"},
    )
    assert response.status_code == 400


def test_asking_for_an_email_change_says_where_the_link_went(
    client, make_member, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(make_member(email="old@example.org", password=PASSWORD))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:change_email"), {"email": "new@example.org", "password": PASSWORD}
        )
    assertRedirects(response, URL, fetch_redirect_response=False)
    assertContains(client.get(URL), "We sent a link to new@example.org")
    assert mailoutbox[0].to == ["new@example.org"]


def test_a_refused_email_change_keeps_the_typed_address(client, make_member):
    client.force_login(make_member(password=PASSWORD))
    response = client.post(
        reverse("accounts:change_email"), {"email": "new@example.org", "password": "wrong"}
    )
    assertContains(response, 'value="new@example.org"', status_code=400)
    assertContains(response, "current password is not right", status_code=400)


# ---- Two-factor sign-in ----


def _code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_turning_two_factor_on_shows_a_qr_code_then_the_recovery_codes_once(client, make_member):
    member = make_member(password=PASSWORD)
    client.force_login(member)
    setup = reverse("accounts:two_factor_setup")
    response = client.get(setup)
    assertContains(response, "<svg")
    device = two_factor.pending_device(member)
    assertContains(response, two_factor.text_secret(device))
    assertContains(client.post(setup, {"code": "123"}), "does not match", status_code=400)
    response = client.post(setup, {"code": _code(device)}, follow=True)
    assert two_factor.is_enabled(member)
    assertContains(response, "Your recovery codes", count=1)
    assertContains(response, "<code>", count=two_factor.RECOVERY_CODE_COUNT)
    assertNotContains(client.get(URL), "Your recovery codes")


def test_new_recovery_codes_replace_the_old_ones(make_member):
    member = make_member(password=PASSWORD)
    two_factor.enable(member, _code(two_factor.pending_device(member)))
    old = two_factor.regenerate_recovery_codes(member)
    new = two_factor.regenerate_recovery_codes(member)
    assert two_factor.verify(member, new[0])
    # (In this order: a wrong code makes django-otp wait a moment before the next try.)
    assert not two_factor.verify(member, old[0])


def test_turning_two_factor_off_needs_the_password(client, make_member):
    member = make_member(password=PASSWORD)
    two_factor.enable(member, _code(two_factor.pending_device(member)))
    client.force_login(member)
    off = reverse("accounts:two_factor_disable")
    assertContains(client.post(off, {"password": "wrong"}), "not right", status_code=400)
    assert two_factor.is_enabled(member)
    assertRedirects(client.post(off, {"password": PASSWORD}), URL)
    assert not two_factor.is_enabled(member)
    assert SESSION_KEY in client.session


def test_the_emailed_link_confirms_the_new_address_with_a_button(
    client, make_member, django_capture_on_commit_callbacks, mailoutbox
):
    member = make_member(email="old@example.org", password=PASSWORD)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:change_email"), {"email": "new@example.org", "password": PASSWORD}
        )
    path = re.search(r"https?://[^/\s]+(/\S+)", mailoutbox[0].body).group(1)
    assertContains(client.get(path), "Use this address")
    member.refresh_from_db()
    assert member.email == "old@example.org"
    assertRedirects(client.post(path), URL, fetch_redirect_response=False)
    member.refresh_from_db()
    assert member.email == "new@example.org"
    assertContains(client.post(path), "already been used", status_code=400)


def test_new_recovery_codes_are_shown_once_after_asking(client, make_member):
    member = make_member(password=PASSWORD)
    two_factor.enable(member, _code(two_factor.pending_device(member)))
    client.force_login(member)
    response = client.post(reverse("accounts:recovery_codes"), follow=True)
    assertContains(response, "<code>", count=two_factor.RECOVERY_CODE_COUNT)
    assertNotContains(client.get(URL), "<code>")


def test_the_set_up_page_sends_back_to_the_settings_once_two_factor_is_on(client, make_member):
    member = make_member(password=PASSWORD)
    two_factor.enable(member, _code(two_factor.pending_device(member)))
    client.force_login(member)
    assertRedirects(client.get(reverse("accounts:two_factor_setup")), URL)
