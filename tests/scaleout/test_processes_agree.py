"""Djemaa processes on one database agree: what one writes, the others show on the next request.

The scale-out setup itself (deploy/scaleout.py): nginx in front of two real `djemaa serve`
processes, A and B, on the test database. Each keeps its own guests' pages and post blocks, as
in production. On PostgreSQL they share Redis (database 11, or DJEMAA_TEST_SCALEOUT_REDIS_URL);
on SQLite they share the database file, with no Redis (the embedded case).
"""

import http.client
import os
import secrets
import socket
import threading
import urllib.parse
from datetime import timedelta
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from deploy.scaleout import ScaleOut
from djemaa.permissions.models import GUESTS, MEMBERS, Right
from djemaa.permissions.services import ensure_built_in_groups
from djemaa.posts.models import Post
from djemaa.posts.tests.test_services import assert_counters_are_exact

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = os.environ.get("DJEMAA_TEST_SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/11")
# Sent as the CSRF cookie and as the form's token: Django accepts the cookie's own secret.
CSRF = secrets.token_hex(16)


def free_ports(count: int) -> int:
    """The first of `count` consecutive free ports (nginx's, then each process's)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise RuntimeError("no free ports")


def database_url() -> str:
    database = settings.DATABASES["default"]  # the test database pytest-django made
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    user = quote(database["USER"], safe="")
    if database.get("PASSWORD"):
        user += ":" + quote(database["PASSWORD"], safe="")
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{database['NAME']}"


@pytest.fixture(scope="module")
def site(django_db_setup, tmp_path_factory):
    """nginx, process A and process B; stopped after the module's tests."""
    folder = tmp_path_factory.mktemp("scaleout")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJEMAA_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    env.update(
        DJEMAA_DATA_DIR=str(folder / "data"),
        DATABASE_URL=database_url(),
        # The same key as this process's, so that sessions made here are valid there.
        DJEMAA_SECRET_KEY=settings.SECRET_KEY,
        DJEMAA_VIEW_COUNT_SECONDS="0",
    )
    if connection.vendor == "postgresql":
        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.ConnectionError:
            pytest.skip(f"no Redis server at {REDIS_URL}")
        env["REDIS_URL"] = REDIS_URL
    with ScaleOut(env, 2, free_ports(3), folder / "run") as running:
        yield running


@pytest.fixture
def a(site):
    return site.servers[0].base


@pytest.fixture
def b(site):
    return site.servers[1].base


def request(base: str, method: str, path: str, cookie: str = "", fields: dict | None = None):
    """One request, redirects not followed: (status, body as text, headers)."""
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if fields is not None:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": CSRF})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    try:
        connection.request(method, iri_to_uri(path), body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        connection.close()


def page(base: str, path: str, cookie: str = "") -> str:
    status, body, _ = request(base, "GET", path, cookie)
    assert status == 200, (base, path, status)
    return body


def submit(base: str, path: str, cookie: str, **fields) -> None:
    status, body, _ = request(base, "POST", path, cookie, fields)
    assert status == 302, (base, path, status, body[-500:])


def cookie_of(member) -> str:
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={CSRF}"


@pytest.fixture
def old_member(make_member):
    """A member who is not "new" (no posting rate limit), with a session cookie."""

    def make():
        member = make_member(joined_at=timezone.now() - timedelta(days=365))
        return member, cookie_of(member)

    return make


def read_through(base: str, path: str, cookie: str) -> None:
    """A guest and a member read `path` twice, so that the process keeps their page and blocks."""
    for _ in range(2):
        page(base, path)
        page(base, path, cookie)


def test_a_reply_through_one_process_shows_through_the_other(a, b, make_thread, old_member):
    (writer, writer_cookie), (_, reader_cookie) = old_member(), old_member()
    thread = make_thread(author=writer)
    url = thread.get_absolute_url()
    read_through(b, url, reader_cookie)

    submit(a, f"/t/{thread.pk}/reply/", writer_cookie, source="Réponse via A", token="t1")

    assert "Réponse via A" in page(b, url)
    assert "Réponse via A" in page(b, url, reader_cookie)


@pytest.mark.parametrize(
    "action, fields, shown",
    [
        ("edit", {"source": "Seconde version", "action": "post"}, "Seconde version"),
        ("delete", {}, None),
    ],
)
def test_an_edit_or_a_deletion_through_one_process_shows_through_the_other(
    a, b, make_thread, make_post, old_member, action, fields, shown
):
    (writer, writer_cookie), (_, reader_cookie) = old_member(), old_member()
    thread = make_thread()
    post = make_post(thread, source="Première version", author=writer)
    url = thread.get_absolute_url()
    read_through(b, url, reader_cookie)

    submit(a, f"/p/{post.pk}/{action}/", writer_cookie, **fields)

    for body in (page(b, url), page(b, url, reader_cookie)):
        assert "Première version" not in body
        assert shown is None or shown in body


def test_a_forum_hidden_through_one_process_is_hidden_through_the_other(
    a, b, make_thread, make_member, old_member
):
    ensure_built_in_groups()  # an earlier test's flush emptied the groups table
    from django.contrib.auth.models import Group

    admin = make_member(is_admin=True)
    _, member_cookie = old_member()
    thread = make_thread(source="Réservé aux modérateurs bientôt")
    forum = thread.category
    url, forum_url = thread.get_absolute_url(), forum.get_absolute_url()
    for _ in range(2):
        assert "Réservé aux modérateurs bientôt" in page(b, url)
        assert "Réservé aux modérateurs bientôt" in page(b, url, member_cookie)
        assert thread.title in page(b, forum_url)
        assert forum.title in page(b, "/")

    see = int(Right.SEE)
    guests, members = Group.objects.get(name=GUESTS), Group.objects.get(name=MEMBERS)
    grid = f"/administration/forums/{forum.pk}/"
    submit(a, grid, cookie_of(admin), **{f"g{guests.pk}-{see}": "refuse"})
    assert request(b, "GET", url)[0] == 404
    assert request(b, "GET", forum_url)[0] == 404
    assert forum.title not in page(b, "/")
    assert "Réservé aux modérateurs bientôt" in page(b, url, member_cookie)

    submit(a, grid, cookie_of(admin), **{f"g{members.pk}-{see}": "refuse"})
    assert request(b, "GET", url, member_cookie)[0] == 404


def test_counters_stay_exact_when_replies_arrive_through_both_processes(
    a, b, make_thread, old_member
):
    writers = [old_member() for _ in range(4)]
    thread = make_thread()
    replies_each = 5
    start = threading.Barrier(len(writers))
    failures = []

    def write(base: str, cookie: str, name: str) -> None:
        try:
            start.wait()
            for n in range(replies_each):
                source = f"{name}, réponse {n}"
                submit(base, f"/t/{thread.pk}/reply/", cookie, source=source, token=f"{name}{n}")
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)

    # Two writers through each process, all at once.
    workers = [
        threading.Thread(target=write, args=(base, cookie, member.username))
        for base, (member, cookie) in zip((a, b, a, b), writers, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    total = 1 + replies_each * len(writers)
    numbers = sorted(Post.objects.filter(thread=thread).values_list("number", flat=True))
    assert numbers == list(range(1, total + 1))
    thread.refresh_from_db()
    assert (thread.post_count, thread.last_number) == (total, total)
    for member, _ in writers:
        member.refresh_from_db()
        assert member.post_count == replies_each
    assert_counters_are_exact()


def test_nginx_serves_the_pages_of_both_processes_and_the_static_files(
    site, make_thread, old_member
):
    member, cookie = old_member()
    thread = make_thread(author=member)
    body = page(site.base, thread.get_absolute_url())
    submit(site.base, f"/t/{thread.pk}/reply/", cookie, source="Réponse via nginx", token="n1")
    assert "Réponse via nginx" in page(site.base, thread.get_absolute_url(), cookie)

    stylesheet = body.split('href="/static/', 1)[1].split('"', 1)[0]
    status, _, headers = request(site.base, "GET", f"/static/{stylesheet}")
    assert status == 200
    # nginx's own header (deploy/nginx.conf), not the processes' (WhiteNoise's).
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
