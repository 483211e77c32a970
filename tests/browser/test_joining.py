"""Joining in a real browser: register, read the confirmation email from a real SMTP server,
open its link, confirm, and sign in."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from djemaa.accounts.models import User
from djemaa.accounts.tests.smtp import local_smtp_server

pytestmark = pytest.mark.browser

PASSWORD = "une-longue-phrase-de-passe"


@pytest.mark.parametrize("locale", ["en-US", "ar"])
def test_a_visitor_joins_through_the_emailed_link_and_signs_in(
    open_page, live_server, screenshot, locale
):
    with (
        local_smtp_server() as inbox,
        override_settings(PUBLIC_URL=live_server.url),
    ):
        page = open_page("/", locale=locale)
        page.locator("nav.site-nav a[href='/register/']").click()
        page.fill("input[name=username]", "Nour El Houda")
        page.fill("input[name=email]", "nour@example.org")
        page.fill("input[name=password]", PASSWORD)
        screenshot(page, "form")
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/register/sent/$"))
        expect(page.locator("main")).to_contain_text("nour@example.org")
        screenshot(page, "sent")

        (message,) = inbox.messages
        assert message["To"] == "nour@example.org"
        link = re.search(r"https?://\S+", inbox.body()).group(0)
        assert link.startswith(live_server.url + "/register/confirm/")

        page.goto(link)
        assert not User.objects.get(username="Nour El Houda").is_active
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/login/$"))
        screenshot(page, "confirmed")

        page.fill("input[name=username]", "nour@example.org")
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("nav.site-nav")).to_contain_text("Nour El Houda")
        expect(page.locator("nav.site-nav a[href='/settings/']")).to_be_visible()
        screenshot(page, "signed-in")


def test_a_new_member_sees_the_signature_preview_follow_the_typing(
    open_page, make_member, screenshot
):
    make_member("Nour", password=PASSWORD)
    page = open_page("/login/", locale="ar")
    page.fill("input[name=username]", "Nour")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto("/settings/")
    preview = page.locator(".signature-preview")
    expect(preview).to_be_hidden()
    page.fill("textarea[name=signature]", "مرحبا **بكم**")
    expect(preview.locator("strong")).to_have_text("بكم")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    screenshot(page, "preview")
