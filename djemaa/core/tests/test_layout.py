import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error
from pytest_django.asserts import assertContains, assertNotContains

from djemaa.core.middleware import TIME_ZONE_COOKIE


@pytest.fixture
def french_site(settings):
    """The site's own default language (the suite's default is English)."""
    settings.LANGUAGE_CODE = "fr"


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


# ---- Language ----


@pytest.mark.parametrize(("code", "direction"), [("fr", "ltr"), ("ar", "rtl"), ("en", "ltr")])
def test_the_page_carries_the_language_and_its_direction(client, db, code, direction):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    response = client.get("/")
    assert html_tag(response) == f'<html lang="{code}" dir="{direction}">'
    assert response["Content-Language"] == code


def test_without_any_preference_the_site_language_is_used(client, db, french_site):
    assert 'lang="fr"' in html_tag(client.get("/"))


def test_accept_language_is_used_when_nothing_else_is_known(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert 'lang="ar"' in html_tag(response)


def test_the_language_cookie_wins_over_accept_language(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert 'lang="en"' in html_tag(response)


def test_a_member_s_own_setting_wins_over_the_cookie(client, make_member):
    client.force_login(make_member(language="ar"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="ar" dir="rtl"' in html_tag(response)


def test_the_switch_sets_the_cookie_and_returns_to_the_page(client, db):
    response = client.post(reverse("core:switch_language"), {"language": "ar", "next": "/f/1-x/"})
    assert response["Location"] == "/f/1-x/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert 'lang="ar"' in html_tag(client.get("/"))


def test_the_switch_saves_a_member_s_choice(client, make_member):
    member = make_member(language="fr")
    client.force_login(member)
    client.post(reverse("core:switch_language"), {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "en"


def test_guests_switch_with_a_form_that_carries_no_token_so_their_pages_can_be_shared(client, db):
    page = client.get("/").content.decode()
    assert 'method="get" action="/language/"' in page
    assert "csrfmiddlewaretoken" not in page

    response = client.get(reverse("core:switch_language"), {"language": "ar", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"


def test_a_members_setting_changes_only_by_their_posted_form(client, make_member):
    member = make_member(language="fr")
    client.force_login(member)
    assert 'method="post" action="/language/"' in client.get("/").content.decode()

    client.get(reverse("core:switch_language"), {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "fr"


def test_the_switch_refuses_to_send_anyone_to_another_site(client, db):
    response = client.post(
        reverse("core:switch_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_the_switch_ignores_an_unknown_language(client, db):
    response = client.post(reverse("core:switch_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_switch_works_without_javascript(client, db):
    response = client.get("/")
    assertContains(response, f'action="{reverse("core:switch_language")}"')
    assertContains(response, '<label for="language-select" class="visually-hidden">')
    assertContains(response, '<input type="hidden" name="next" value="/">', html=True)
    assertContains(response, 'button type="submit"')


# ---- Time zone ----


@pytest.fixture
def post_at_noon_utc(make_forum, make_thread):
    return make_thread(
        title="Midi", category=make_forum(), created_at=datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    )


def test_times_are_shown_in_the_site_time_zone_by_default(client, post_at_noon_utc, french_site):
    assertContains(client.get("/"), "1 mars 2024, 13h00</time>")


def test_times_follow_the_browser_s_time_zone_cookie(client, post_at_noon_utc, french_site):
    client.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    assertContains(client.get("/"), "1 mars 2024, 21h00</time>")


def test_a_member_s_time_zone_wins_over_the_cookie(
    client, post_at_noon_utc, make_member, french_site
):
    client.force_login(make_member(timezone_name="America/Montreal"))
    client.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    assertContains(client.get("/"), "1 mars 2024, 07h00</time>")


def test_a_bogus_time_zone_cookie_is_ignored(client, post_at_noon_utc, french_site):
    client.cookies[TIME_ZONE_COOKIE] = "Mars/Olympus_Mons"
    assertContains(client.get("/"), "1 mars 2024, 13h00</time>")


# ---- The frame of every page ----


@pytest.mark.parametrize("url", ["/", "/login/"])
def test_every_page_has_landmarks_a_skip_link_and_one_heading(client, db, url):
    html = client.get(url).content.decode()
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert '<a class="skip-link" href="#main">' in html
    assert html.count("<h1") == 1
    assert re.search(r"<title>[^<]+</title>", html)


def test_the_page_loads_the_stylesheet_and_script(client, db):
    response = client.get("/")
    assertContains(response, 'href="/static/djemaa/djemaa.css"')
    assertContains(response, '<script type="module" src="/static/djemaa/djemaa.js">')


def test_an_unknown_address_gets_a_translated_page(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/nowhere/")
    assertContains(response, "<h1>Page not found</h1>", status_code=404, html=True)
    assertContains(response, 'href="/"', status_code=404)


def test_the_error_page_needs_no_database(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>" in html
    assert 'dir="ltr"' in html


def test_the_login_link_is_not_offered_on_the_login_page(client, db):
    assertNotContains(client.get(reverse("accounts:login")), "?next=")
