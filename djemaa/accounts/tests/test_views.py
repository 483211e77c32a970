from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from djemaa.accounts.views import RECENT_POSTS, excerpt
from djemaa.posts.services import delete_post

# ---- Profile ----


def test_a_profile_shows_the_name_join_date_and_post_count(client, make_member, make_thread):
    member = make_member(username="Amina", joined_at=timezone.now().replace(year=2012, month=3))
    make_thread(author=member)
    response = client.get(member.get_absolute_url())
    assertContains(response, '<h1><span dir="auto">Amina</span></h1>', html=True)
    assertContains(response, "March 2012")
    assertContains(response, "<dd>1</dd>", html=True)
    assertContains(response, "<title>Amina · Djemaa</title>", html=True)


@override_settings(DJEMAA_SITE_NAME="Forum d'Oran")
def test_pages_carry_the_forums_own_name(client, make_member):
    response = client.get(make_member(username="Amina").get_absolute_url())
    assertContains(response, "<title>Amina · Forum d&#x27;Oran</title>", html=True)
    assertContains(
        response, '<a class="site-name" href="/" dir="auto">Forum d&#x27;Oran</a>', html=True
    )


def test_a_profile_shows_the_rendered_signature(client, make_member):
    member = make_member(signature="Vive le **couscous**")
    response = client.get(member.get_absolute_url())
    assertContains(response, '<div class="signature user-content" dir="auto">')
    assertContains(response, "<strong>couscous</strong>")


def test_a_profile_without_signature_has_no_signature_section(client, make_member):
    assertNotContains(client.get(make_member().get_absolute_url()), "signature-heading")


def test_a_profile_lists_recent_posts_newest_first_with_links_and_excerpts(
    client, make_member, make_thread, make_post
):
    member = make_member()
    now = timezone.now()
    thread = make_thread(title="Recettes du Maghreb", created_at=now - timedelta(days=2))
    older = make_post(thread, author=member, source="Le vieux", created_at=now - timedelta(days=1))
    newer = make_post(thread, author=member, source="Le **récent**", created_at=now)
    response = client.get(member.get_absolute_url())
    html = response.content.decode()
    newer_link = f'href="{reverse("posts:permalink", args=[newer.pk])}"'
    older_link = f'href="{reverse("posts:permalink", args=[older.pk])}"'
    assert html.index(newer_link) < html.index(older_link)
    assertContains(response, "Recettes du Maghreb", count=2)
    assertContains(response, '<p class="excerpt"><span dir="auto">Le récent</span></p>', html=True)


def test_a_profile_shows_only_the_latest_posts(client, make_member, make_thread, make_post):
    member = make_member()
    thread = make_thread()
    for n in range(RECENT_POSTS + 2):
        make_post(thread, author=member, source=f"Message {n}")
    response = client.get(member.get_absolute_url())
    assertContains(response, 'class="card post-summary"', count=RECENT_POSTS)
    assertNotContains(response, "Message 1<")


def test_a_profile_leaves_out_deleted_posts(client, make_member, make_thread, make_post):
    member = make_member()
    post = make_post(make_thread(), author=member, source="Regrettable")
    delete_post(post=post, actor=member)
    response = client.get(member.get_absolute_url())
    assertNotContains(response, "Regrettable")
    assertContains(response, "No posts yet.")


def test_a_profile_needs_a_fixed_number_of_queries(
    client, make_member, make_thread, make_post, django_assert_num_queries
):
    member = make_member()
    for _ in range(3):
        make_post(make_thread(), author=member)
    with django_assert_num_queries(4):  # the member, the reader's rights (2), recent posts
        client.get(member.get_absolute_url())


def test_a_profile_found_with_another_case_redirects_to_the_real_name(client, make_member):
    member = make_member(username="Amina")
    response = client.get(reverse("accounts:profile", args=["aMINA"]))
    assertRedirects(response, member.get_absolute_url(), status_code=301)


@pytest.mark.parametrize("name", ["Abu Bakr", "أمينة", "Ça va"])
def test_names_with_spaces_and_any_script_have_a_profile(client, make_member, name):
    member = make_member(username=name)
    response = client.get(member.get_absolute_url())
    assert response.status_code == 200
    assertContains(response, f'<h1><span dir="auto">{name}</span></h1>', html=True)


def test_an_unknown_member_is_not_found(client, db):
    response = client.get(reverse("accounts:profile", args=["personne"]))
    assertContains(response, "Page not found", status_code=404)


def test_an_excerpt_leaves_out_quoted_text_and_keeps_the_author_s_words():
    html = (
        '<blockquote class="quote"><div class="quote-header">Amina</div>'
        "<p>Cité <blockquote>encore</blockquote></p></blockquote>"
        "<p>Ma réponse &amp; plus</p><p>Suite</p>"
    )
    assert excerpt(html) == "Ma réponse & plus Suite"


def test_an_excerpt_is_cut_short():
    assert len(excerpt("<p>" + "mot " * 200 + "</p>")) <= 200


# ---- Signing in and out ----


@pytest.fixture
def amina(make_member):
    return make_member(username="Amina", password="un mot de passe solide")


def test_the_login_page_labels_its_fields(client, db):
    response = client.get(reverse("accounts:login"))
    assertContains(response, '<label for="id_username">')
    assertContains(response, '<label for="id_password">')
    assertContains(response, "<h1>Log in</h1>", html=True)


def test_a_member_logs_in_with_their_name_in_another_case(client, amina):
    response = client.post(
        reverse("accounts:login"),
        {"username": "AMINA", "password": "un mot de passe solide", "next": "/f/1-x/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/f/1-x/"
    assert client.session[SESSION_KEY] == str(amina.pk)


def test_login_ignores_a_next_address_on_another_site(client, amina):
    response = client.post(
        reverse("accounts:login"),
        {
            "username": "amina",
            "password": "un mot de passe solide",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("forums:index")


def test_a_wrong_password_shows_an_error_on_the_page(client, amina):
    response = client.post(reverse("accounts:login"), {"username": "amina", "password": "non"})
    assert response.status_code == 200
    assertContains(response, 'class="form-errors" role="alert"')
    assert SESSION_KEY not in client.session


def test_logging_out_takes_a_post(client, amina):
    client.force_login(amina)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("forums:index")
    assert SESSION_KEY not in client.session


def test_the_header_offers_login_to_guests_and_logout_to_members(client, amina):
    assertContains(client.get("/"), f'href="{reverse("accounts:login")}?next=/"')
    client.force_login(amina)
    response = client.get("/")
    assertContains(response, f'action="{reverse("accounts:logout")}"')
    assertContains(response, 'href="/u/Amina/" dir="auto">Amina</a>')
