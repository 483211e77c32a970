"""The reply and new-thread pages, the reply box, previews, drafts and multi-quote."""

from django.test import Client
from django.urls import reverse

from djemaa.posts import multiquote
from djemaa.posts.models import Draft, Post
from djemaa.posts.services import delete_post
from djemaa.threads.models import Thread

FRAGMENT = {"HTTP_X_DJEMAA_FRAGMENT": "1"}


def _reply_url(thread) -> str:
    return reverse("threads:reply", args=[thread.pk])


def _textarea(html: str) -> str:
    start = html.index('name="source"')
    start = html.index(">", start) + 1
    return html[start : html.index("</textarea>", start)]


# ---- The reply page ----


def test_guests_are_asked_to_log_in_on_the_reply_page(reader, make_thread):
    thread = make_thread()

    html = reader.get(_reply_url(thread)).content.decode()

    assert "Log in to reply." in html
    assert 'name="source"' not in html


def test_the_quote_action_fills_the_reply_box_with_the_quoted_post(
    member_reader, make_thread, make_member
):
    thread = make_thread(author=make_member(username="Amine"), source="Le texte **cité**")
    post = thread.posts.get()

    html = member_reader().get(_reply_url(thread), {"quote": post.pk}).content.decode()

    assert _textarea(html) == f"[quote=Amine;{post.pk}]\nLe texte **cité**\n[/quote]\n"
    assert 'name="token" value="' in html


def test_answering_a_post_links_the_reply_to_it(member_reader, make_thread):
    thread = make_thread()
    first = thread.posts.get()
    client = member_reader()

    html = client.get(_reply_url(thread), {"to": first.pk}).content.decode()
    assert f'<input type="hidden" name="to" value="{first.pk}">' in html
    assert "in reply to #1" in html

    response = client.post(_reply_url(thread), {"source": "Je réponds.", "to": first.pk})

    reply = Post.objects.get(thread=thread, number=2)
    assert reply.reply_to == first
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{reply.pk}")


def test_posting_twice_with_one_token_writes_one_post_and_leads_to_it(member_reader, make_thread):
    thread = make_thread()
    client = member_reader()
    token = "double-click-token"

    first = client.post(_reply_url(thread), {"source": "Une fois", "token": token})
    second = client.post(_reply_url(thread), {"source": "Une fois", "token": token})

    assert thread.posts.count() == 2
    assert first["Location"] == second["Location"]


def test_a_refused_reply_keeps_what_was_typed(member_reader, make_thread):
    thread = make_thread()
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)

    response = member_reader().post(_reply_url(thread), {"source": "Mon long message"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "This thread is locked: no new replies can be posted." in html
    assert _textarea(html) == "Mon long message"
    assert thread.posts.count() == 1


def test_a_rate_limited_reply_says_when_and_keeps_the_text(member_reader, make_thread, settings):
    settings.DJEMAA_NEW_MEMBER_POSTS_PER_HOUR = 1
    thread = make_thread()
    client = member_reader()
    client.post(_reply_url(thread), {"source": "Premier"})

    response = client.post(_reply_url(thread), {"source": "Second"})

    html = response.content.decode()
    assert "New members can write 1 post an hour. You can post again at" in html
    assert _textarea(html) == "Second"


def test_the_preview_button_shows_the_rendered_text_and_saves_the_draft(member_reader, make_thread):
    thread = make_thread()
    client = member_reader()

    response = client.post(_reply_url(thread), {"source": "Du **gras**", "action": "preview"})

    html = response.content.decode()
    preview = '<div class="preview-body post-body user-content" dir="auto"><p dir="auto">'
    assert f"{preview}Du <strong>gras</strong></p>" in html
    assert _textarea(html) == "Du **gras**"
    assert Draft.objects.get(author=client.member, thread=thread).source == "Du **gras**"
    assert thread.posts.count() == 1


def test_the_live_preview_answers_with_the_fragment_only(member_reader, make_thread):
    thread = make_thread()
    client = member_reader()

    response = client.post(
        _reply_url(thread), {"source": "*vite*", "action": "preview"}, **FRAGMENT
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "<em>vite</em>" in html
    assert Draft.objects.get(author=client.member, thread=thread).source == "*vite*"


def test_a_draft_saved_by_button_or_by_script_comes_back_after_a_reload(member_reader, make_thread):
    thread = make_thread()
    client = member_reader()

    plain = client.post(_reply_url(thread), {"source": "Brouillon 1", "action": "draft"})
    assert "Your draft is saved." in plain.content.decode()
    autosave = client.post(
        _reply_url(thread), {"source": "Brouillon 2", "action": "draft"}, **FRAGMENT
    )
    assert autosave.status_code == 204

    assert _textarea(client.get(_reply_url(thread)).content.decode()) == "Brouillon 2"
    assert _textarea(client.get(thread.get_absolute_url()).content.decode()) == "Brouillon 2"


def test_the_reply_box_under_the_thread_is_for_members_who_may_reply(
    reader, member_reader, make_thread
):
    thread = make_thread()
    locked = make_thread(is_locked=True)

    assert "reply-box" in member_reader().get(thread.get_absolute_url()).content.decode()
    assert "reply-box" not in reader.get(thread.get_absolute_url()).content.decode()
    assert "reply-box" not in member_reader().get(locked.get_absolute_url()).content.decode()


# ---- Multi-quote ----


def test_gathered_posts_fill_the_reply_form_and_are_let_go_after_posting(
    member_reader, make_thread, make_post, make_member
):
    thread = make_thread(author=make_member(username="Nadia"), source="Premier")
    second = make_post(thread, source="Deuxième", author=make_member(username="Karim"))
    first = thread.posts.get(number=1)
    client = member_reader()

    client.post(reverse("posts:multiquote", args=[second.pk]))
    client.post(reverse("posts:multiquote", args=[first.pk]))
    html = client.get(_reply_url(thread)).content.decode()

    assert _textarea(html) == (
        f"[quote=Karim;{second.pk}]\nDeuxième\n[/quote]\n\n"
        f"[quote=Nadia;{first.pk}]\nPremier\n[/quote]\n"
    )
    client.post(_reply_url(thread), {"source": _textarea(html) + "\nD'accord."})
    assert multiquote.gathered(client.session) == []
    assert Post.objects.get(thread=thread, number=3).has_quotes


def test_a_reload_of_the_reply_page_does_not_quote_twice(member_reader, make_thread):
    thread = make_thread()
    post = thread.posts.get()
    client = member_reader()
    text = _textarea(client.get(_reply_url(thread), {"quote": post.pk}).content.decode())
    client.post(_reply_url(thread), {"source": text, "action": "draft"}, **FRAGMENT)

    again = _textarea(client.get(_reply_url(thread), {"quote": post.pk}).content.decode())

    assert again.count("[quote=") == 1


def test_the_thread_page_shows_which_posts_are_gathered(member_reader, make_thread, make_post):
    thread = make_thread()
    reply = make_post(thread)
    client = member_reader()

    client.post(reverse("posts:multiquote", args=[reply.pk]))

    html = client.get(thread.get_absolute_url()).content.decode()
    assert html.count('aria-pressed="true"') == 1
    assert "Reply with the quotes you gathered" in html


# ---- New threads ----


def test_the_forum_page_offers_a_new_thread_to_members_only(reader, member_reader, make_forum):
    forum = make_forum()
    url = reverse("threads:new", args=[forum.pk])

    assert f'href="{url}"' in member_reader().get(forum.get_absolute_url()).content.decode()
    assert f'href="{url}"' not in reader.get(forum.get_absolute_url()).content.decode()


def test_a_member_opens_a_thread_and_lands_on_it(member_reader, make_forum):
    forum = make_forum()
    client = member_reader()

    response = client.post(
        reverse("threads:new", args=[forum.pk]),
        {"title": "مرحبا", "source": "Premier message", "token": "tok"},
    )

    thread = Thread.objects.get(category=forum)
    assert response["Location"] == thread.get_absolute_url()
    assert thread.title == "مرحبا"
    assert thread.posts.get().source == "Premier message"


def test_a_new_thread_refused_keeps_its_title_and_text(member_reader, make_forum):
    forum = make_forum()

    response = member_reader().post(
        reverse("threads:new", args=[forum.pk]), {"title": "", "source": "Mon texte"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "A thread needs a title." in html
    assert _textarea(html) == "Mon texte"


def test_a_new_thread_draft_keeps_the_title_across_a_reload(member_reader, make_forum):
    forum = make_forum()
    client = member_reader()
    url = reverse("threads:new", args=[forum.pk])

    client.post(url, {"title": "Un titre", "source": "Un début", "action": "draft"}, **FRAGMENT)

    html = client.get(url).content.decode()
    assert 'value="Un titre"' in html
    assert _textarea(html) == "Un début"


def test_guests_are_asked_to_log_in_to_start_a_thread(reader, make_forum):
    html = reader.get(reverse("threads:new", args=[make_forum().pk])).content.decode()

    assert "Log in to start a thread." in html
    assert 'name="source"' not in html


def test_the_new_thread_page_speaks_arabic_right_to_left(make_member, make_forum):
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    client.force_login(make_member())

    response = client.get(reverse("threads:new", args=[make_forum().pk]))

    assert '<html lang="ar" dir="rtl">' in response.content.decode()


def test_the_reply_page_of_a_locked_thread_says_so_instead_of_offering_a_form(
    member_reader, make_thread
):
    thread = make_thread(is_locked=True)

    html = member_reader().get(_reply_url(thread)).content.decode()

    assert "This thread is locked: no new replies can be posted." in html
    assert 'name="source"' not in html


def test_a_gathered_post_the_reader_can_no_longer_see_is_not_quoted(
    member_reader, make_thread, make_post
):
    thread = make_thread()
    hidden = make_post(thread, source="Secret")
    delete_post(post=hidden, actor=hidden.author)
    client = member_reader()
    session = client.session
    session[multiquote.SESSION_KEY] = [hidden.pk]
    session.save()

    html = client.get(_reply_url(thread)).content.decode()

    assert _textarea(html) == ""
    assert "Secret" not in html
