"""Guests' kept pages (core.pagecache): sent again only while what they show is unchanged.

The wrapper is driven as the server drives it (ASGI messages), around the real Django
application; committed data (transactional_db) so that its own connection sees the writes.
"""

from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from djemaa.core import pagecache
from djemaa.permissions.models import Right
from djemaa.permissions.services import ensure_built_in_groups, set_forum_rights
from djemaa.posts.services import create_post, edit_post
from djemaa.threads.models import Thread

from .asgi import fetch


def test_a_guests_second_visit_of_a_thread_is_sent_without_django(cache, django_app, make_thread):
    thread = make_thread(source="Le premier message du fil.")

    first = fetch(cache, thread.get_absolute_url())
    second = fetch(cache, thread.get_absolute_url())

    assert first[0] == second[0] == 200
    assert "Le premier message du fil." in second[2]
    assert second == first
    assert django_app.calls == 1


def test_a_new_reply_makes_the_kept_thread_page_out_of_date(
    cache, django_app, make_thread, make_member
):
    thread = make_thread()
    fetch(cache, thread.get_absolute_url())

    create_post(thread=thread, author=make_member(), source="Une réponse toute neuve.")
    status, _, html = fetch(cache, thread.get_absolute_url())

    assert status == 200
    assert "Une réponse toute neuve." in html
    assert django_app.calls == 2


def test_an_edit_makes_the_kept_thread_page_out_of_date(cache, django_app, make_thread):
    thread = make_thread(source="Texte d'origine.")
    fetch(cache, thread.get_absolute_url())
    post = thread.posts.get()

    edit_post(post=post, editor=post.author, source="Texte corrigé.")
    _, _, html = fetch(cache, thread.get_absolute_url())

    assert "Texte corrigé." in html
    assert "Texte d&#x27;origine." not in html and "Texte d'origine." not in html
    assert django_app.calls == 2


def test_every_write_to_a_post_moves_its_threads_version_whoever_writes_it(make_thread):
    thread = make_thread()
    post = thread.posts.get()
    versions = [Thread.objects.get(pk=thread.pk).version]

    # Plain queries, not the services: the triggers move the version.
    post.__class__.objects.filter(pk=post.pk).update(source="x")
    versions.append(Thread.objects.get(pk=thread.pk).version)
    post.__class__.objects.filter(pk=post.pk).delete()
    versions.append(Thread.objects.get(pk=thread.pk).version)

    assert versions[0] < versions[1] < versions[2]


def test_the_triggers_are_there_after_migrating(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    assert names & {"djemaa_post_inserted", "djemaa_posts_inserted"}


def test_hiding_a_forum_from_guests_hides_its_kept_pages_at_once(
    cache, django_app, make_thread, make_member
):
    ensure_built_in_groups()  # a transactional test starts from empty tables
    thread = make_thread(source="Bientôt privé.")
    admin = _administrator(make_member)
    assert fetch(cache, thread.get_absolute_url())[0] == 200

    set_forum_rights(
        admin,
        category=thread.category,
        choices={Group.objects.get(name="guests"): {Right.READ: "refuse"}},
    )
    status, _, html = fetch(cache, thread.get_absolute_url())

    assert status == 404
    assert "Bientôt privé." not in html


def _administrator(make_member):
    member = make_member()
    member.groups.add(Group.objects.get(name="administrators"))
    return member


def test_an_unknown_session_is_never_answered_from_kept_pages(cache, django_app, make_thread):
    thread = make_thread()
    fetch(cache, thread.get_absolute_url())

    fetch(cache, thread.get_absolute_url(), (b"cookie", b"sessionid=abc"))
    fetch(cache, thread.get_absolute_url(), (b"cookie", b"sessionid=abc"))

    assert django_app.calls == 3


def test_a_cookie_the_cache_does_not_know_goes_to_django(cache, django_app, make_thread):
    thread = make_thread()
    fetch(cache, thread.get_absolute_url())

    fetch(cache, thread.get_absolute_url(), (b"cookie", b"messages=xyz"))

    assert django_app.calls == 2


def test_each_language_has_its_own_kept_page(cache, django_app, make_thread):
    thread = make_thread()

    _, french_headers, french = fetch(cache, thread.get_absolute_url(), (b"accept-language", b"fr"))
    _, arabic_headers, arabic = fetch(cache, thread.get_absolute_url(), (b"accept-language", b"ar"))
    fetch(cache, thread.get_absolute_url(), (b"accept-language", b"ar"))

    assert french_headers["content-language"] == "fr"
    assert arabic_headers["content-language"] == "ar"
    assert 'dir="rtl"' in arabic and 'dir="rtl"' not in french
    assert django_app.calls == 2


def test_a_page_that_sets_a_cookie_is_not_kept(cache, django_app):
    # The sign-in form carries a CSRF token: that guest's cookie is not everybody's page.
    fetch(cache, "/login/")
    fetch(cache, "/login/")

    assert django_app.calls == 2


def test_lists_are_kept_for_their_time_limit_only(cache, django_app, make_thread, settings):
    make_thread()
    settings.DJEMAA_GUEST_LIST_SECONDS = 0
    fetch(cache, "/")
    fetch(cache, "/")
    assert django_app.calls == 2

    settings.DJEMAA_GUEST_LIST_SECONDS = 60
    fetch(cache, "/")
    fetch(cache, "/")
    assert django_app.calls == 3


def test_a_change_to_the_site_makes_every_kept_page_out_of_date(cache, django_app, make_thread):
    make_thread()
    fetch(cache, "/")

    pagecache.site_changed()
    fetch(cache, "/")

    assert django_app.calls == 2


def test_a_kept_thread_page_sent_again_still_counts_a_view(cache, make_thread):
    thread = make_thread()

    for _ in range(3):
        fetch(cache, thread.get_absolute_url())

    thread.refresh_from_db()
    assert thread.view_count == 3


def test_the_store_forgets_the_least_recently_used_pages_beyond_its_size():
    store = pagecache.BoundedStore(max_bytes=250)

    store.put("a", "page a", 100)
    store.put("b", "page b", 100)
    store.get("a")
    store.put("c", "page c", 100)
    store.put("d", "too big", 300)

    assert store.get("a") is not None
    assert store.get("b") is None
    assert store.get("c") is not None
    assert store.get("d") is None
    assert store.size == 200


def test_a_guests_permalink_redirect_is_kept_until_its_thread_changes(
    cache, django_app, make_thread, make_member
):
    thread = make_thread()
    post = thread.posts.get()
    permalink = reverse("posts:permalink", args=[post.pk])

    first = fetch(cache, permalink)
    second = fetch(cache, permalink)
    assert first[0] == second[0] == 302
    assert second[1]["location"] == first[1]["location"]
    assert django_app.calls == 1

    create_post(thread=thread, author=make_member(), source="Une de plus.")
    fetch(cache, permalink)
    assert django_app.calls == 2


def test_a_guests_permalink_to_a_missing_post_is_not_kept(cache, django_app, make_thread):
    thread = make_thread()
    permalink = reverse("posts:permalink", args=[thread.posts.get().pk + 1000])

    assert fetch(cache, permalink)[0] == 404
    assert fetch(cache, permalink)[0] == 404
    assert django_app.calls == 2
