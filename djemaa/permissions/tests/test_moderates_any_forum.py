"""Who is offered the moderation pages: anyone who moderates a forum, not only global moderators."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse

from djemaa.accounts.services import ban_member
from djemaa.permissions import rules
from djemaa.permissions.models import Right

HEADER_LINK = f'<a href="{reverse("moderation:reports")}">Moderation</a>'


@pytest.fixture
def forum_keeper(make_forum, make_member, set_rights):
    """A member of an added group that moderates one forum only."""
    forum = make_forum(title="Jardin")
    set_rights(forum, "Jardiniers", grant=Right.SEE | Right.READ | Right.MODERATE)
    member = make_member(language="en")
    Group.objects.get(name="Jardiniers").user_set.add(member)
    return member


def test_guests_and_members_moderate_no_forum(make_forum, make_member):
    make_forum()
    assert not rules.moderates_any_forum(AnonymousUser())
    assert not rules.moderates_any_forum(make_member())


def test_a_member_who_moderates_one_forum_moderates_some_forum(forum_keeper):
    assert rules.moderates_any_forum(forum_keeper)
    assert not rules.is_moderator(forum_keeper)


def test_a_banned_forum_moderator_is_no_longer_offered_moderation(forum_keeper, make_member):
    ban_member(make_member(is_admin=True), forum_keeper, "Vacances forcées")
    assert not rules.moderates_any_forum(type(forum_keeper).objects.get(pk=forum_keeper.pk))


def test_the_header_offers_moderation_to_a_forum_moderator_and_the_queue_opens(
    client, forum_keeper
):
    client.force_login(forum_keeper)
    index = client.get(reverse("forums:index")).content.decode()
    queue = client.get(reverse("moderation:reports"))

    assert HEADER_LINK in index
    assert queue.status_code == 200
    # The log and announcements belong to administrators: not offered, and not there.
    assert reverse("moderation:log") not in queue.content.decode()
    assert client.get(reverse("moderation:log")).status_code == 404


def test_the_header_offers_nothing_to_a_member(client, make_forum, make_member):
    make_forum()
    client.force_login(make_member(language="en"))
    assert HEADER_LINK not in client.get(reverse("forums:index")).content.decode()
    assert client.get(reverse("moderation:reports")).status_code == 404


def test_a_global_moderator_is_offered_the_queue_but_not_the_administrators_pages(
    client, make_forum, make_member
):
    make_forum()
    moderator = make_member(language="en")
    Group.objects.get(name="moderators").user_set.add(moderator)
    client.force_login(moderator)
    queue = client.get(reverse("moderation:reports")).content.decode()

    assert HEADER_LINK in queue
    assert reverse("moderation:log") not in queue
    assert reverse("moderation:announcements") not in queue


def test_an_administrator_is_offered_the_log_and_announcements(client, make_forum, make_member):
    make_forum()
    client.force_login(make_member(is_admin=True, language="en"))
    queue = client.get(reverse("moderation:reports")).content.decode()
    assert reverse("moderation:log") in queue and reverse("moderation:announcements") in queue
