import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from djemaa.accounts.services import ban_member, lift_ban
from djemaa.forums.models import Announcement
from djemaa.moderation import services
from djemaa.moderation.models import ModerationAction, Report
from djemaa.posts.models import Post
from djemaa.posts.services import create_post
from djemaa.threads.models import Thread
from djemaa.threads.services import start_thread


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def as_member(client, make_member):
    member = make_member(username="Lectrice")
    client.force_login(member)
    client.member = member
    return client


def _thread_urls(thread: Thread) -> list[tuple[str, str]]:
    names_get = ["rename_thread", "move_thread", "merge_thread", "split_thread"]
    names_post = ["pin_thread", "lock_thread", "delete_thread", "restore_thread"]
    return [("get", reverse(f"moderation:{name}", args=[thread.pk])) for name in names_get] + [
        ("post", reverse(f"moderation:{name}", args=[thread.pk])) for name in names_post
    ]


def test_moderation_pages_do_not_exist_for_members(as_member, make_thread, make_post):
    thread = make_thread()
    reply = make_post(thread)
    report = services.report_post(reporter=as_member.member, post=reply, reason="Spam")
    urls = [
        *_thread_urls(thread),
        ("post", reverse("moderation:delete_post", args=[reply.pk])),
        ("post", reverse("moderation:restore_post", args=[reply.pk])),
        ("get", reverse("moderation:reports")),
        ("post", reverse("moderation:close_report", args=[report.pk])),
        ("get", reverse("moderation:log")),
        ("get", reverse("moderation:announcements")),
        ("get", reverse("moderation:new_announcement")),
    ]
    for method, url in urls:
        assert getattr(as_member, method)(url).status_code == 404, url
    thread.refresh_from_db()
    assert not (thread.is_pinned or thread.is_locked or thread.deleted_at)
    assert not ModerationAction.objects.exists()


def test_moderation_pages_do_not_exist_for_guests(client, make_thread):
    for method, url in [*_thread_urls(make_thread()), ("get", reverse("moderation:log"))]:
        assert getattr(client, method)(url).status_code == 404, url


def test_a_missing_thread_is_a_404_for_moderators_too(as_moderator):
    assert as_moderator.post(reverse("moderation:pin_thread", args=[999])).status_code == 404


def test_the_thread_page_shows_the_tools_to_moderators_only(as_moderator, make_thread, client):
    thread = make_thread()
    page = as_moderator.get(thread.get_absolute_url()).content.decode()
    assert reverse("moderation:pin_thread", args=[thread.pk]) in page
    assert reverse("moderation:merge_thread", args=[thread.pk]) in page
    client.logout()
    assert (
        reverse("moderation:pin_thread", args=[thread.pk])
        not in client.get(thread.get_absolute_url()).content.decode()
    )


def test_pinning_from_the_thread_page_is_a_plain_form(as_moderator, make_thread):
    thread = make_thread()
    response = as_moderator.post(
        reverse("moderation:pin_thread", args=[thread.pk]), {"pinned": "1"}
    )
    assert response.status_code == 302
    assert response.url == thread.get_absolute_url()
    thread.refresh_from_db()
    assert thread.is_pinned
    page = as_moderator.get(response.url).content.decode()
    assert "The thread is pinned." in page


def test_locking_and_unlocking_from_the_thread_page(as_moderator, make_thread):
    thread = make_thread()
    url = reverse("moderation:lock_thread", args=[thread.pk])
    as_moderator.post(url, {"locked": "1"})
    thread.refresh_from_db()
    assert thread.is_locked
    as_moderator.post(url, {"locked": "0"})
    thread.refresh_from_db()
    assert not thread.is_locked


def test_a_refused_rename_keeps_what_the_moderator_typed(as_moderator, make_thread):
    thread = make_thread(title="Avant")
    url = reverse("moderation:rename_thread", args=[thread.pk])
    typed = "x" * 200 + " trop long"
    response = as_moderator.post(url, {"title": typed})
    assert response.status_code == 200
    assert typed in response.content.decode()
    thread.refresh_from_db()
    assert thread.title == "Avant"


def test_renaming_leads_to_the_new_address_and_the_old_one_redirects(as_moderator, make_thread):
    thread = make_thread(title="Avant")
    old_url = thread.get_absolute_url()
    response = as_moderator.post(
        reverse("moderation:rename_thread", args=[thread.pk]), {"title": "Après coup"}
    )
    thread.refresh_from_db()
    assert response.url == thread.get_absolute_url() != old_url
    redirected = as_moderator.get(old_url)
    assert (redirected.status_code, redirected.url) == (301, thread.get_absolute_url())


def test_moving_a_thread_through_its_page(as_moderator, make_thread, make_forum):
    thread = make_thread()
    target = make_forum(title="Cuisine")
    url = reverse("moderation:move_thread", args=[thread.pk])
    page = as_moderator.get(url).content.decode()
    assert "Cuisine" in page
    response = as_moderator.post(url, {"category": str(target.pk), "reason": "Mieux là"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.category == target


def test_moving_into_the_same_forum_shows_the_error_on_the_form(as_moderator, make_thread):
    thread = make_thread()
    response = as_moderator.post(
        reverse("moderation:move_thread", args=[thread.pk]), {"category": thread.category_id}
    )
    assert response.status_code == 200
    assert "The thread is in this forum already." in response.content.decode()


def test_merging_asks_for_a_target_then_confirms(as_moderator, make_thread, make_post):
    source, target = make_thread(title="Doublon"), make_thread(title="Original")
    url = reverse("moderation:merge_thread", args=[source.pk])

    unknown = as_moderator.get(url, {"target": "99999"})
    assert "There is no such thread" in unknown.content.decode()
    itself = as_moderator.get(url, {"target": source.get_absolute_url()})
    assert "A thread cannot be merged into itself." in itself.content.decode()

    confirm = as_moderator.get(url, {"target": f"http://example.org/t/{target.pk}-original/"})
    page = confirm.content.decode()
    assert "Original" in page and "Doublon" in page
    assert Thread.objects.filter(pk=source.pk).exists()

    response = as_moderator.post(url, {"target": str(target.pk)})
    assert response.url == target.get_absolute_url()
    assert not Thread.objects.filter(pk=source.pk).exists()
    assert target.posts.count() == 2


def test_a_merged_threads_addresses_redirect_to_the_target(client, moderator, make_thread):
    source, target = make_thread(), make_thread()
    old_urls = [source.get_absolute_url(), reverse("threads:thread_short", args=[source.pk])]
    services.merge_threads(source=source, target=target, actor=moderator)
    for url in old_urls:
        response = client.get(url)
        assert (response.status_code, response.url) == (301, target.get_absolute_url())
    assert client.get(reverse("threads:thread_short", args=[999999])).status_code == 404


def test_a_merged_away_post_keeps_its_permalink(client, moderator, make_thread, make_post):
    source, target = make_thread(), make_thread()
    reply = make_post(source)
    services.merge_threads(source=source, target=target, actor=moderator)
    response = client.get(reply.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(target.get_absolute_url())


def test_splitting_through_its_page(as_moderator, make_thread, make_post, make_forum):
    thread = make_thread()
    first, second = make_post(thread, source="Hors sujet 1"), make_post(thread, source="HS 2")
    url = reverse("moderation:split_thread", args=[thread.pk])
    page = as_moderator.get(url).content.decode()
    assert "Hors sujet 1" in page and "HS 2" in page

    refused = as_moderator.post(
        url, {"title": "Sans messages", "category": thread.category_id, "reason": ""}
    )
    assert "Choose the posts to move into the new thread." in refused.content.decode()
    assert "Sans messages" in refused.content.decode()

    response = as_moderator.post(
        url,
        {
            "title": "Le hors-sujet",
            "category": str(thread.category_id),
            "posts": [str(first.pk), str(second.pk)],
        },
    )
    new = Thread.objects.get(title="Le hors-sujet")
    assert response.url == new.get_absolute_url()
    assert list(new.posts.order_by("number").values_list("pk", flat=True)) == [first.pk, second.pk]


def test_the_split_page_starts_at_the_post_it_was_opened_from(as_moderator, make_thread, make_post):
    thread = make_thread()
    make_post(thread, source="Avant le point de coupe")
    make_post(thread, source="Après le point de coupe")
    url = reverse("moderation:split_thread", args=[thread.pk])
    page = as_moderator.get(url, {"from": "3"}).content.decode()
    assert "Après le point de coupe" in page
    assert "Avant le point de coupe" not in page


def test_a_member_reports_a_post(as_member, make_thread, make_post):
    reply = make_post(make_thread())
    thread_page = as_member.get(reply.thread.get_absolute_url()).content.decode()
    url = reverse("moderation:report_post", args=[reply.pk])
    assert url in thread_page
    assert as_member.get(url).status_code == 200
    response = as_member.post(url, {"reason": "Publicité déguisée"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.post, report.reporter, report.reason) == (
        reply,
        as_member.member,
        "Publicité déguisée",
    )
    again = as_member.post(url, {"reason": "Toujours de la pub"})
    assert again.status_code == 200
    assert "You have reported this post already" in again.content.decode()
    assert "Toujours de la pub" in again.content.decode()
    assert Report.objects.count() == 1


def test_no_report_link_on_ones_own_posts_and_guests_are_sent_to_log_in(
    client, make_thread, make_member
):
    author = make_member()
    thread = make_thread(author=author)
    post = thread.posts.get()
    url = reverse("moderation:report_post", args=[post.pk])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url
    client.force_login(author)
    assert url not in client.get(thread.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 404


def test_the_reports_queue_lists_open_reports_in_a_fixed_number_of_queries(
    as_moderator, make_thread, make_post, make_member, django_assert_num_queries
):
    numbers = iter(range(100))

    def report_some(count):
        for n in itertools.islice(numbers, count):
            post = make_post(make_thread(), source=f"Message signalé {n}")
            services.report_post(reporter=make_member(), post=post, reason=f"Raison {n}")

    report_some(2)
    url = reverse("moderation:reports")
    as_moderator.get(url)  # the session and its user are cached from here on
    with django_assert_num_queries(7) as few:
        page = as_moderator.get(url).content.decode()
    assert "Raison 0" in page and "Raison 1" in page
    report_some(5)
    with django_assert_num_queries(len(few.captured_queries)):
        page = as_moderator.get(url).content.decode()
    assert "Raison 6" in page


def test_acting_on_a_report_from_the_queue(as_moderator, make_thread, make_post, make_member):
    thread = make_thread()
    bad, fine = make_post(thread, source="Insulte"), make_post(thread, source="Ça va")
    services.report_post(reporter=make_member(), post=bad, reason="Insulte")
    dismissed = services.report_post(reporter=make_member(), post=fine, reason="Pas d'accord")
    queue = reverse("moderation:reports")

    response = as_moderator.post(reverse("moderation:delete_post", args=[bad.pk]), {"next": queue})
    assert response.url == queue
    bad.refresh_from_db()
    assert bad.is_deleted
    response = as_moderator.post(
        reverse("moderation:close_report", args=[dismissed.pk]),
        {"outcome": "dismissed", "next": queue},
    )
    assert response.url == queue
    assert not Report.objects.filter(closed_at__isnull=True).exists()
    assert "No open reports." in as_moderator.get(queue).content.decode()


def test_an_unsafe_next_address_is_ignored(as_moderator, make_thread):
    thread = make_thread()
    response = as_moderator.post(
        reverse("moderation:pin_thread", args=[thread.pk]),
        {"pinned": "1", "next": "https://evil.example/"},
    )
    assert response.url == thread.get_absolute_url()


def test_deleting_a_threads_first_post_alone_is_refused_with_a_message(as_moderator, make_thread):
    post = make_thread().posts.get()
    response = as_moderator.post(reverse("moderation:delete_post", args=[post.pk]), follow=True)
    assert "can only be deleted with the thread" in response.content.decode()
    post.refresh_from_db()
    assert not post.is_deleted


def test_the_log_lists_actions_newest_first_in_a_fixed_number_of_queries(
    as_moderator, moderator, make_thread, make_post, django_assert_num_queries
):
    def act(count):
        for _ in range(count):
            thread = make_thread()
            # Rights are worked out once per user object (one request); the forum is new.
            actor = type(moderator).objects.get(pk=moderator.pk)
            services.set_pinned(thread=thread, actor=actor, pinned=True)
            services.rename_thread(thread=thread, actor=actor, title="Renommé")
            services.delete_post(post=make_post(thread), actor=actor, reason="Spam")

    act(1)
    url = reverse("moderation:log")
    as_moderator.get(url)
    with django_assert_num_queries(6) as few:
        page = as_moderator.get(url).content.decode()
    assert page.index("deleted post") < page.index("renamed") < page.index("pinned")
    assert "Reason: " in page
    act(4)
    with django_assert_num_queries(len(few.captured_queries)):
        as_moderator.get(url)


def test_the_log_still_reads_once_a_thread_is_merged_away(as_moderator, moderator, make_thread):
    source, target = make_thread(title="Parti"), make_thread(title="Resté")
    services.set_locked(thread=source, actor=moderator, locked=True)
    services.merge_threads(source=source, target=target, actor=moderator)
    page = as_moderator.get(reverse("moderation:log")).content.decode()
    assert "Parti" in page and "Resté" in page


def _announcement_data(**changes):
    data = {
        "title": "Maintenance",
        "body": "Fermé **dimanche**.",
        "category": "",
        "starts_at": "",
        "ends_at": "",
    }
    return {**data, **changes}


def test_an_announcement_ending_before_it_starts_is_refused_and_kept_in_the_form(
    as_moderator,
):
    response = as_moderator.post(
        reverse("moderation:new_announcement"),
        _announcement_data(
            title="Mal daté", starts_at="2030-05-02T10:00", ends_at="2030-05-01T10:00"
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "An announcement must end after it starts." in page
    assert "Mal daté" in page and "2030-05-02T10:00" in page
    assert not Announcement.objects.exists()


def test_administrators_create_schedule_edit_and_remove_announcements(
    as_moderator, make_forum, client
):
    forum = make_forum(title="Pâtisserie")
    response = as_moderator.post(
        reverse("moderation:new_announcement"),
        _announcement_data(category=str(forum.pk), starts_at="2099-01-01T09:00"),
    )
    assert response.url == reverse("moderation:announcements")
    announcement = Announcement.objects.get()
    assert announcement.category == forum
    assert announcement.starts_at > timezone.now() + timedelta(days=300)
    listing = as_moderator.get(response.url).content.decode()
    assert "Scheduled" in listing and "Maintenance" in listing

    edit_url = reverse("moderation:edit_announcement", args=[announcement.pk])
    assert "Fermé **dimanche**." in as_moderator.get(edit_url).content.decode()
    as_moderator.post(edit_url, _announcement_data(title="Maintenance lundi"))
    announcement.refresh_from_db()
    assert (announcement.title, announcement.category, announcement.starts_at) == (
        "Maintenance lundi",
        None,
        None,
    )
    as_moderator.post(reverse("moderation:delete_announcement", args=[announcement.pk]))
    assert not Announcement.objects.exists()


def test_the_moderation_link_is_in_the_header_for_moderators(as_moderator, make_thread):
    page = as_moderator.get(make_thread().get_absolute_url()).content.decode()
    assert reverse("moderation:reports") in page


def test_deleted_post_count_in_thread_stays_in_step_after_a_queue_deletion(
    as_moderator, make_thread, make_post
):
    thread = make_thread()
    reply = make_post(thread)
    as_moderator.post(reverse("moderation:delete_post", args=[reply.pk]))
    thread.refresh_from_db()
    assert thread.post_count == 1
    assert Post.objects.get(pk=reply.pk).deleted_by is not None


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_moderation_pages_render_in_each_language(
    as_moderator, moderator, make_thread, make_post, make_member, language
):
    thread, duplicate = make_thread(), make_thread()
    reply = make_post(thread)
    services.report_post(reporter=make_member(), post=reply, reason="Spam")
    services.set_pinned(thread=thread, actor=moderator, pinned=True)
    services.merge_threads(source=duplicate, target=thread, actor=moderator)
    urls = [
        thread.get_absolute_url(),
        reverse("moderation:reports"),
        reverse("moderation:log"),
        reverse("moderation:announcements"),
        reverse("moderation:new_announcement"),
        *[url for method, url in _thread_urls(thread) if method == "get"],
    ]
    for url in urls:
        response = as_moderator.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'lang="{language}"' in response.content.decode()


def test_the_log_has_a_sentence_for_every_kind_of_action(
    as_moderator, moderator, make_thread, make_post, make_member, make_forum
):
    thread, other, elsewhere, other_live = (
        make_thread(title="Sujet"),
        make_thread(),
        make_forum(title="Ailleurs"),
        make_thread(title="Vivant"),
    )
    reply, spare = make_post(thread), make_post(thread)
    resolved = services.report_post(
        reporter=make_member(username="Rapporteur"), post=reply, reason="x"
    )
    dismissed = services.report_post(reporter=make_member(), post=spare, reason="y")
    now = timezone.now()
    fields = {"body": "Texte", "category": None, "starts_at": now, "ends_at": None}
    for pinned in (True, False):
        services.set_pinned(thread=thread, actor=moderator, pinned=pinned)
        services.set_locked(thread=thread, actor=moderator, locked=pinned)
    services.rename_thread(thread=thread, actor=moderator, title="Sujet renommé")
    services.move_thread(thread=thread, actor=moderator, category=elsewhere)
    services.close_report(report=resolved, actor=moderator, outcome="resolved")
    services.close_report(report=dismissed, actor=moderator, outcome="dismissed")
    services.delete_post(post=reply, actor=moderator)
    services.restore_post(post=reply, actor=moderator)
    services.split_thread(
        thread=thread, actor=moderator, post_ids=[spare.pk], title="À part", category=elsewhere
    )
    services.merge_threads(source=other, target=thread, actor=moderator)
    services.delete_thread(thread=thread, actor=moderator)
    services.restore_thread(thread=thread, actor=moderator)
    announcement = services.publish_announcement(actor=moderator, title="Annonce", **fields)
    services.update_announcement(
        announcement=announcement, actor=moderator, title="Annonce modifiée", **fields
    )
    services.remove_announcement(announcement=announcement, actor=moderator)
    newcomer = make_member(username="Nouvelle")
    for approve in (True, False):
        held_thread = start_thread(
            author=newcomer, category=elsewhere, title="En attente", source="x", held=True
        )
        held_reply = create_post(thread=other_live, author=newcomer, source="y", held=True)
        for post in (held_thread.posts.get(), held_reply):
            if approve:
                services.approve_post(post=post, actor=moderator)
            else:
                services.reject_post(post=post, actor=moderator)
    troublemaker = make_member(username="Trublion")
    ban_member(moderator, troublemaker, "Spam")
    ban_member(moderator, troublemaker, "Spam", now + timedelta(days=3))
    lift_ban(moderator, troublemaker)

    page = as_moderator.get(reverse("moderation:log")).content.decode()
    for fragment in [
        "</a> pinned <a",
        "</a> unpinned <a",
        "</a> locked <a",
        "</a> unlocked <a",
        '</a> renamed <bdi dir="auto">Sujet</bdi> to <a',
        "</a> moved <a",
        'resolved the report by <bdi dir="auto">Rapporteur</bdi>',
        "dismissed the report by",
        "</a> deleted post <a",
        "</a> restored post <a",
        "moved 1 post of",
        "</a> merged <bdi",
        "deleted the thread",
        "restored the thread",
        'published the announcement <bdi dir="auto">Annonce</bdi>',
        "edited the announcement",
        "removed the announcement",
        '</a> banned <bdi dir="auto">Trublion</bdi> permanently.',
        '</a> banned <bdi dir="auto">Trublion</bdi> until <time datetime="',
        '</a> lifted the ban of <bdi dir="auto">Trublion</bdi>.',
        '</a> approved the new thread <a href="',
        '</a> approved post <a href="',
        'by <bdi dir="auto">Nouvelle</bdi> in <a href="',
        'by <bdi dir="auto">Nouvelle</bdi> in <a href="',
        "</a> rejected post <a href=",
        '</a> rejected the new thread <a href="',
    ]:
        assert fragment in page, fragment
    assert set(ModerationAction.objects.values_list("kind", flat=True)) == set(
        ModerationAction.Kind.values
    )


def test_the_tools_add_no_query_per_post_to_the_thread_page(
    as_moderator, make_thread, make_post, django_assert_num_queries
):
    thread = make_thread()
    make_post(thread)
    url = thread.get_absolute_url()
    as_moderator.get(url)
    # The page's own count belongs to the threads app's tests; here only its growth matters.
    with CaptureQueriesContext(connection) as few:
        as_moderator.get(url)
    expected = len(few)  # now: the next request clears the connection's query log
    for _ in range(5):
        make_post(thread)
    as_moderator.get(url)  # moves the reading position past the new posts, once
    with django_assert_num_queries(expected):
        page = as_moderator.get(url).content.decode()
    assert page.count("Split from here") == 6


def test_the_announcements_list_needs_a_fixed_number_of_queries(
    as_moderator, moderator, make_forum, django_assert_num_queries
):
    def publish(count):
        for n in range(count):
            services.publish_announcement(
                actor=type(moderator).objects.get(pk=moderator.pk),
                title=f"Annonce {n}",
                body="Texte",
                category=make_forum(),
                starts_at=None,
                ends_at=None,
            )

    publish(1)
    url = reverse("moderation:announcements")
    as_moderator.get(url)
    with django_assert_num_queries(6):  # session, user, rights (2), count, the page
        as_moderator.get(url)
    publish(4)
    with django_assert_num_queries(6):
        page = as_moderator.get(url).content.decode()
    assert page.count("Annonce ") == 5


def test_the_queues_enhanced_requests_get_the_outcome_alone(
    as_moderator, make_thread, make_post, make_member
):
    thread = make_thread()
    reply = make_post(thread)
    report = services.report_post(reporter=make_member(), post=reply, reason="Spam")
    enhanced = {"X-Djemaa-Fragment": "1"}

    refused = as_moderator.post(
        reverse("moderation:delete_post", args=[thread.posts.get(number=1).pk]), headers=enhanced
    )
    assert refused.status_code == 409
    assert "can only be deleted with the thread" in refused.content.decode()

    done = as_moderator.post(
        reverse("moderation:close_report", args=[report.pk]),
        {"outcome": "dismissed"},
        headers=enhanced,
    )
    assert (done.status_code, done.content.decode()) == (200, "The report is dismissed.")
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.DISMISSED
