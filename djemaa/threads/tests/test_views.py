import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from djemaa.forums.services import create_announcement
from djemaa.posts.services import delete_post
from djemaa.threads.models import Thread
from djemaa.threads.services import delete_thread

from .pages import element, shown_numbers


def test_the_thread_page_shows_its_title_breadcrumbs_and_counts(reader, make_forum, make_thread):
    forum = make_forum(title="Cuisine")
    subforum = make_forum(title="Pâtisserie", parent=forum)
    thread = make_thread(title="Le meilleur fraisier", category=subforum)

    response = reader.get(thread.get_absolute_url())

    html = response.content.decode()
    assert '<h1 dir="auto">Le meilleur fraisier</h1>' in html
    crumbs = element(response, "breadcrumbs")
    titles = re.findall(r'dir="auto">([^<]+)</a>', crumbs)
    assert titles == [forum.parent.title, "Cuisine", "Pâtisserie"]
    assert '<span aria-current="page" dir="auto">Le meilleur fraisier</span>' in crumbs
    assert "0 replies" in html
    assert "0 views" in html
    assert "Pinned" not in html and "Locked" not in html


def test_a_pinned_locked_thread_says_so_and_offers_no_reply(member_reader, make_thread, make_post):
    client = member_reader()
    thread = make_thread(is_pinned=True, is_locked=True)

    html = client.get(thread.get_absolute_url()).content.decode()

    assert '<span class="badge badge-pinned">Pinned</span>' in html
    assert '<span class="badge badge-locked">Locked</span>' in html
    assert "This thread is locked: no new replies can be posted." in html
    assert "?quote=" not in html and "?to=" not in html
    assert 'class="permalink"' in html


def test_members_who_may_reply_get_quote_and_reply_links_to_the_reply_page(
    member_reader, make_thread
):
    client = member_reader()
    thread = make_thread()
    first = thread.posts.get()

    html = client.get(thread.get_absolute_url()).content.decode()

    reply_url = reverse("threads:reply", kwargs={"pk": thread.pk})
    assert f'href="{reply_url}?quote={first.pk}" data-post="{first.pk}"' in html
    assert f'href="{reply_url}?to={first.pk}">Reply</a>' in html
    assert f'<a class="permalink" href="/p/{first.pk}/">Permalink</a>' in html


def test_guests_see_the_permalink_but_no_quote_or_reply(reader, make_thread):
    thread = make_thread()

    html = reader.get(thread.get_absolute_url()).content.decode()

    assert "?quote=" not in html and "?to=" not in html
    assert 'class="permalink"' in html


def test_a_post_shows_its_author_number_time_and_body(reader, make_member, make_thread):
    joined = datetime(2015, 3, 2, 12, 0, tzinfo=UTC)
    author = make_member(username="Amina", joined_at=joined)
    thread = make_thread(author=author, source="Salam **tout le monde**")
    post = thread.posts.get()

    response = reader.get(thread.get_absolute_url())

    html = response.content.decode()
    assert f'<article class="post" id="post-{post.pk}" data-number="1">' in html
    assert f'<a class="post-number" href="/p/{post.pk}/">#1</a>' in html
    assert '<a class="username" href="/u/Amina/" dir="auto">Amina</a>' in html
    assert "Joined <time" in html and "2015" in html
    assert "1 post</p>" in html
    assert f'<time datetime="{post.created_at.isoformat()}">' in html
    assert element(response, "post-body user-content").strip() == (
        '<p dir="auto">Salam <strong>tout le monde</strong></p>'
    )


def test_quote_headers_are_shown_in_the_readers_language(reader, make_thread, make_post):
    thread = make_thread()
    make_post(thread, source="[quote=Amina]Bonjour[/quote]\n\nMerci.")

    html = reader.get(thread.get_absolute_url()).content.decode()

    assert "Amina</span> wrote:" in html
    assert "\ue000" not in html


def test_a_quote_of_a_deleted_post_on_another_page_is_hidden_and_one_on_the_page_is_shown(
    reader, make_thread, make_post, settings
):
    settings.DJEMAA_POSTS_PER_PAGE = 3
    thread = make_thread(source="Le premier message.")
    first = thread.posts.get(number=1)
    gone = make_post(thread, source="Un message retiré ensuite.")
    make_post(thread, source="Pour finir la page.")
    quoting_both = make_post(
        thread,
        source=(
            f"[quote={first.author.username};{first.pk}]Le premier message.[/quote]\n\n"
            f"[quote={gone.author.username};{gone.pk}]Un message retiré ensuite.[/quote]\n\nOui."
        ),
    )
    delete_post(post=gone, actor=gone.author)

    page_two = reader.get(thread.get_absolute_url(), {"page": 2}).content.decode()
    assert "Quoted post not available." in page_two and "Un message retiré" not in page_two
    assert "Le premier message." in page_two  # #1 is on page 1: asked about, and visible

    make_post(
        thread, source=f"[quote={quoting_both.author.username};{quoting_both.pk}]Oui.[/quote]"
    )
    page_two = reader.get(thread.get_absolute_url(), {"page": 2}).content.decode()
    assert page_two.count("Oui.") == 2  # quoted from the same page: shown


def test_the_authors_signature_shows_under_the_post(reader, make_member, make_thread):
    author = make_member(signature="*Vive la pâtisserie*")
    thread = make_thread(author=author)

    response = reader.get(thread.get_absolute_url())

    assert '<div class="signature user-content" dir="auto">' in response.content.decode()
    assert "<em>Vive la pâtisserie</em>" in element(response, "signature")


def test_an_edited_post_says_who_edited_it_and_when_in_the_readers_zone_and_language(
    make_member, make_thread, make_post
):
    editor = make_member(username="Karim")
    thread = make_thread()
    make_post(
        thread,
        source="Corrigé.",
        edited_by=editor,
        edited_at=datetime(2021, 10, 13, 17, 21, tzinfo=UTC),
    )
    reader = Client(HTTP_ACCEPT_LANGUAGE="fr")  # the site's zone is Europe/Paris: UTC+2 then

    response = reader.get(thread.get_absolute_url())

    note = element(response, "edited-note")
    assert '<bdi dir="auto">Karim</bdi>' in note
    assert "13 octobre 2021, 19h21</time>" in note
    assert strip_tags(note).strip() == "Dernière modification par Karim, 13 octobre 2021, 19h21"


def test_an_unedited_post_has_no_edited_note(reader, make_thread):
    thread = make_thread()

    assert 'class="edited-note"' not in reader.get(thread.get_absolute_url()).content.decode()


def test_replies_are_linked_both_ways(reader, make_member, make_thread, make_post):
    thread = make_thread()
    answered = make_post(thread, source="Une question ?")
    first_reply = make_post(thread, source="Oui.", reply_to=answered, author=make_member())
    second_reply = make_post(
        thread, source="Non.", reply_to=answered, author=make_member(username="سلمى")
    )

    response = reader.get(thread.get_absolute_url())

    replies = element(response, "replies")
    assert "<summary>2 replies</summary>" in replies
    assert f'<a href="/p/{first_reply.pk}/">#3 by <bdi dir="auto">' in replies
    assert f'<a href="/p/{second_reply.pk}/">#4 by <bdi dir="auto">سلمى</bdi></a>' in replies
    html = response.content.decode()
    assert html.count(f'<p class="in-reply-to"><a href="/p/{answered.pk}/">in reply to #2</a>') == 2


def test_a_reply_to_a_deleted_post_names_it_without_a_link_for_readers(
    reader, make_member, make_thread, make_post
):
    from djemaa.posts.services import delete_post

    thread = make_thread()
    answered = make_post(thread)
    make_post(thread, reply_to=answered)
    delete_post(post=answered, actor=make_member(is_admin=True))

    html = reader.get(thread.get_absolute_url()).content.decode()

    assert '<p class="in-reply-to">in reply to #2</p>' in html


def test_the_announcements_box_shows_site_forum_and_parent_announcements(
    reader, make_forum, make_thread
):
    forum = make_forum()
    subforum = make_forum(parent=forum)
    elsewhere = make_forum()
    thread = make_thread(category=subforum)
    now = timezone.now()
    create_announcement(title="Pour tout le site", body="Bienvenue.")
    create_announcement(title="Pour le forum", body="Règles.", category=forum)
    create_announcement(title="Pour le sous-forum", body="Sujet du mois.", category=subforum)
    create_announcement(title="Ailleurs", body="Autre forum.", category=elsewhere)
    create_announcement(title="Bientôt", body="Pas encore.", starts_at=now + timedelta(days=1))
    create_announcement(
        title="Terminée", body="Fini.", starts_at=now - timedelta(days=9), ends_at=now
    )

    response = reader.get(thread.get_absolute_url())

    box = element(response, "announcements")
    titles = re.findall(r'<h2 class="announcement-title" dir="auto">([^<]+)</h2>', box)
    assert sorted(titles) == ["Pour le forum", "Pour le sous-forum", "Pour tout le site"]
    assert '<details class="announcements" open>' in response.content.decode()


def test_the_announcements_box_says_when_there_is_none(reader, make_thread):
    thread = make_thread()

    response = reader.get(thread.get_absolute_url())

    assert "No announcements." in element(response, "announcements")


def test_a_thread_without_its_slug_redirects_to_its_address(reader, make_thread):
    thread = make_thread(title="Recettes d'été")

    response = reader.get(reverse("threads:thread_short", args=[thread.pk]))

    assert response.status_code == 301
    assert response["Location"] == thread.get_absolute_url()


def test_a_wrong_slug_redirects_permanently_keeping_the_query(reader, make_thread):
    thread = make_thread(title="Recettes d'été")

    response = reader.get(f"/t/{thread.pk}-ancien-titre/?show=starter&page=2")

    assert response.status_code == 301
    assert response["Location"] == f"{thread.get_absolute_url()}?show=starter&page=2"


def test_an_arabic_title_gives_an_arabic_address_that_works(reader, make_thread):
    thread = make_thread(title="مرحبا بالجميع")

    url = thread.get_absolute_url()

    assert "%D9%85" in url  # percent-encoded Arabic letters
    assert reader.get(url).status_code == 200


def test_a_title_of_punctuation_only_still_has_an_address(reader, make_thread):
    thread = make_thread(title="?!…")

    url = thread.get_absolute_url()

    assert url == f"/t/{thread.pk}--/"
    assert reader.get(url).status_code == 200


def test_an_unknown_thread_is_a_404(reader, db):
    missing = (Thread.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    assert reader.get(f"/t/{missing}-x/").status_code == 404
    assert reader.get(f"/t/{missing}/").status_code == 404
    assert reader.get("/t/99999999999999999999999-x/").status_code == 404


def test_a_deleted_thread_is_a_404_for_guests_and_marked_for_moderators(
    reader, member_reader, make_thread
):
    moderator = member_reader(is_admin=True)
    thread = make_thread()
    delete_thread(thread=thread, actor=moderator.member)

    assert reader.get(thread.get_absolute_url()).status_code == 404
    html = moderator.get(thread.get_absolute_url()).content.decode()
    assert "This thread has been deleted: only moderators can see it." in html


def test_the_thread_page_only_answers_reading_methods(member_reader, make_thread):
    thread = make_thread()

    response = member_reader().post(thread.get_absolute_url())

    assert response.status_code == 405


@pytest.mark.parametrize("value", ["", "abc", "0", "99999999999999999999999"])
def test_the_reply_page_links_back_to_the_thread_for_an_unknown_post(reader, make_thread, value):
    thread = make_thread()

    response = reader.get(reverse("threads:reply", kwargs={"pk": thread.pk}), {"quote": value})

    assert response.status_code == 200
    assert f'<a href="{thread.get_absolute_url()}">Back to the thread</a>' in (
        response.content.decode()
    )


def test_the_reply_page_does_not_link_to_a_post_of_another_thread(reader, make_thread):
    thread, other = make_thread(), make_thread()

    response = reader.get(
        reverse("threads:reply", kwargs={"pk": thread.pk}), {"to": other.posts.get().pk}
    )

    assert "Back to the thread" in response.content.decode()


def test_the_thread_page_renders_in_arabic_right_to_left(make_thread):
    thread = make_thread(title="Bonjour")

    response = Client(HTTP_ACCEPT_LANGUAGE="ar").get(thread.get_absolute_url())

    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert shown_numbers(response) == [1]
