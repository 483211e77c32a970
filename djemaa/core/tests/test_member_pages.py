"""Members' kept thread pages (core.pagecache): one page per rights class, language and time
zone, sent to each member with their own name and tokens, and only to members it is true for.

Driven through the wrapper around the real Django application, on committed data, with real
sessions (signed in by Django's test client) and real CSRF checks when posting.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from djemaa.accounts.services import ban_member, set_password
from djemaa.permissions.services import ensure_built_in_groups
from djemaa.posts.models import Draft, Post
from djemaa.posts.multiquote import SESSION_KEY as MULTIQUOTE_KEY
from djemaa.posts.services import create_post, save_draft
from djemaa.threads.services import mark_read
from djemaa.threads.views import FRAGMENT_HEADER

from .asgi import fetch

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_FIELD = re.compile(r'name="token" value="([^"]+)"')


class SignedIn:
    """A member's browser: a real session made by Django, and a CSRF cookie of its own."""

    def __init__(self, user) -> None:
        self.user = user
        client = Client()
        client.force_login(user)
        self.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.csrf_secret = get_random_string(32)

    @property
    def cookie(self) -> tuple[bytes, bytes]:
        value = f"{settings.SESSION_COOKIE_NAME}={self.session_key}; "
        value += f"{settings.CSRF_COOKIE_NAME}={self.csrf_secret}"
        return (b"cookie", value.encode())

    def get(self, cache, path: str, *headers) -> tuple[int, dict, str]:
        return fetch(cache, path, self.cookie, *headers)

    def client(self) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.cookies[settings.SESSION_COOKIE_NAME] = self.session_key
        client.cookies[settings.CSRF_COOKIE_NAME] = self.csrf_secret
        return client


def _header(html: str) -> str:
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def _csrf_tokens(html: str) -> list[str]:
    return CSRF_FIELD.findall(html)


@pytest.fixture(autouse=True)
def _groups(cache):
    ensure_built_in_groups()  # transactional tests start from an empty database


@pytest.fixture
def thread(make_thread, make_post):
    thread = make_thread(source="Le fil commence ici.")
    make_post(thread, source="Une première réponse.")
    return thread


@pytest.fixture
def reader(make_member, thread):
    return SignedIn(make_member(username="lecteur"))


def test_a_members_second_visit_is_sent_without_django_with_fresh_tokens(
    cache, django_app, thread, reader
):
    first = reader.get(cache, thread.get_absolute_url())
    second = reader.get(cache, thread.get_absolute_url())

    assert first[0] == second[0] == 200
    assert django_app.calls == 1
    assert "Une première réponse." in second[2]
    assert 'href="/u/lecteur/"' in _header(second[2])
    assert int(second[1]["content-length"]) == len(second[2].encode())
    tokens = _csrf_tokens(second[2])
    assert tokens and set(tokens).isdisjoint(_csrf_tokens(first[2]))  # masked afresh
    assert {_unmask_cipher_token(token) for token in tokens} == {reader.csrf_secret}
    assert SUBMISSION_FIELD.findall(first[2]) != SUBMISSION_FIELD.findall(second[2])
    assert "djemaa-slot-" not in first[2] + second[2]


def test_a_page_kept_for_one_member_carries_the_next_members_own_values(
    cache, django_app, thread, reader, make_member
):
    other = SignedIn(make_member(username="autre_membre"))
    reader.get(cache, thread.get_absolute_url())
    mark_read(other.user, thread, thread.posts.count())

    status, _, html = other.get(cache, thread.get_absolute_url())

    assert status == 200 and django_app.calls == 1
    assert 'href="/u/autre_membre/"' in _header(html)
    assert "lecteur" not in html
    assert {_unmask_cipher_token(token) for token in _csrf_tokens(html)} == {other.csrf_secret}


def test_the_tokens_of_a_kept_page_post_a_reply(cache, django_app, thread, reader):
    reader.get(cache, thread.get_absolute_url())
    _, _, html = reader.get(cache, thread.get_absolute_url())
    assert django_app.calls == 1
    form = html[html.index('class="writing-form') :]

    response = reader.client().post(
        f"/t/{thread.pk}/reply/",
        {
            "csrfmiddlewaretoken": CSRF_FIELD.search(form).group(1),
            "token": SUBMISSION_FIELD.search(form).group(1),
            "source": "Répondu depuis une page gardée.",
            "action": "post",
        },
    )

    assert response.status_code == 302
    assert Post.objects.filter(thread=thread, source="Répondu depuis une page gardée.").exists()


def test_a_member_who_has_not_read_the_page_gets_django_which_moves_their_position(
    cache, django_app, thread, reader, make_member
):
    reader.get(cache, thread.get_absolute_url())
    newcomer = SignedIn(make_member())

    newcomer.get(cache, thread.get_absolute_url())
    newcomer.get(cache, thread.get_absolute_url())

    assert django_app.calls == 2  # rendered for them once, then the kept page


def test_an_author_on_the_page_gets_their_own_actions_from_django(
    cache, django_app, thread, reader
):
    author = SignedIn(thread.author)
    reader.get(cache, thread.get_absolute_url())
    mark_read(author.user, thread, thread.posts.count())

    author.get(cache, thread.get_absolute_url())
    _, _, html = author.get(cache, thread.get_absolute_url())

    assert django_app.calls == 3
    first_post = thread.posts.get(number=1)
    assert f'href="/p/{first_post.pk}/edit/"' in html


def test_a_page_showing_its_readers_own_posts_or_draft_is_not_kept_for_others(
    cache, django_app, thread, reader
):
    author = SignedIn(thread.author)
    for member in (author, reader):
        mark_read(member.user, thread, thread.posts.count())
    save_draft(author=author.user, category=thread.category, thread=thread, source="Secret")
    first_post = thread.posts.get(number=1)

    author.get(cache, thread.get_absolute_url())
    _, _, html = reader.get(cache, thread.get_absolute_url())

    assert django_app.calls == 2
    assert f'href="/p/{first_post.pk}/edit/"' not in html
    assert "Secret" not in html


def test_a_draft_or_gathered_quotes_send_the_member_to_django(cache, django_app, thread, reader):
    reader.get(cache, thread.get_absolute_url())
    save_draft(author=reader.user, category=thread.category, thread=thread, source="Mon brouillon")

    _, _, html = reader.get(cache, thread.get_absolute_url())
    assert "Mon brouillon" in html
    assert django_app.calls == 2

    # The draft goes, a gathered quote comes.
    Draft.objects.filter(author=reader.user).delete()
    session = Session.objects.get(session_key=reader.session_key)
    data = session.get_decoded()
    data[MULTIQUOTE_KEY] = [thread.posts.get(number=2).pk]
    Session.objects.save(reader.session_key, data, session.expire_date)

    _, _, html = reader.get(cache, thread.get_absolute_url())
    assert 'aria-pressed="true"' in html
    assert django_app.calls == 3


@pytest.mark.parametrize("change", ["logout", "expiry", "password"])
def test_a_session_that_no_longer_signs_in_gets_djangos_guest_page(
    cache, django_app, thread, reader, change
):
    reader.get(cache, thread.get_absolute_url())
    if change == "logout":
        Session.objects.filter(session_key=reader.session_key).delete()
    elif change == "expiry":
        Session.objects.filter(session_key=reader.session_key).update(
            expire_date=timezone.now() - timezone.timedelta(seconds=1)
        )
    else:
        set_password(reader.user, "Un-autre-mot-de-passe-9")

    _, _, html = reader.get(cache, thread.get_absolute_url())

    assert django_app.calls == 2
    assert "lecteur" not in _header(html)
    assert 'action="/logout/"' not in html


def test_a_ban_sends_the_member_to_django_and_its_banner(
    cache, django_app, thread, reader, make_member
):
    reader.get(cache, thread.get_absolute_url())
    moderator = make_member()
    moderator.groups.add(Group.objects.get(name="administrators"))

    ban_member(moderator, reader.user, "Insultes répétées")
    _, _, html = reader.get(cache, thread.get_absolute_url())

    assert django_app.calls == 2
    assert "Insultes répétées" in html


def test_joining_a_group_gives_the_member_their_new_classs_page(cache, django_app, thread, reader):
    _, _, before = reader.get(cache, thread.get_absolute_url())
    reader.user.groups.add(Group.objects.get(name="moderators"))

    _, _, html = reader.get(cache, thread.get_absolute_url())
    _, _, again = reader.get(cache, thread.get_absolute_url())

    assert django_app.calls == 2
    assert 'class="moderation-tools"' not in before
    assert 'class="moderation-tools"' in html and 'class="moderation-tools"' in again


def test_a_new_reply_is_on_the_members_next_page(cache, django_app, thread, reader, make_member):
    reader.get(cache, thread.get_absolute_url())
    reader.get(cache, thread.get_absolute_url())

    create_post(thread=thread, author=make_member(), source="Tout juste arrivée.")
    _, _, html = reader.get(cache, thread.get_absolute_url())

    assert "Tout juste arrivée." in html
    assert django_app.calls == 2


def test_the_scrolling_fragment_and_the_full_page_are_kept_apart(cache, thread, reader):
    fragment_header = (FRAGMENT_HEADER.lower().encode(), b"1")
    full = reader.get(cache, thread.get_absolute_url())
    fragment = reader.get(cache, thread.get_absolute_url(), fragment_header)
    kept_full = reader.get(cache, thread.get_absolute_url())
    kept_fragment = reader.get(cache, thread.get_absolute_url(), fragment_header)

    assert "<html" in full[2] and "<html" in kept_full[2]
    assert "<html" not in fragment[2] and "<html" not in kept_fragment[2]
    assert kept_fragment[2].count('<article class="post') == 2


def test_a_message_waiting_or_no_csrf_cookie_sends_the_member_to_django(
    cache, django_app, thread, reader
):
    session_only = (b"cookie", f"sessionid={reader.session_key}".encode())
    with_message = (b"cookie", reader.cookie[1] + b"; messages=abc")
    reader.get(cache, thread.get_absolute_url())

    fetch(cache, thread.get_absolute_url(), session_only)
    fetch(cache, thread.get_absolute_url(), with_message)

    assert django_app.calls == 3
