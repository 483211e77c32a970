"""Rights kept per rights class across requests: one small query when the class is known, and
every change to rights, groups, memberships or forums seen on the next request.

These tests commit (the kept rights are only ever rights that were committed), so each
"next request" is a fresh user object, as Django's authentication makes one per request.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import transaction
from django.urls import reverse

from djemaa.accounts.services import ban_member
from djemaa.core import pagecache
from djemaa.core.models import Generation
from djemaa.forums.services import create_category
from djemaa.permissions import rules, services
from djemaa.permissions.models import MEMBER_RIGHTS, Right

pytestmark = pytest.mark.django_db(transaction=True)


def next_request(user):
    """The same person as their next request sees them."""
    if not user.is_authenticated:
        return AnonymousUser()
    return type(user).objects.get(pk=user.pk)


def rights(user):
    return rules.tree_rights(next_request(user))


@pytest.fixture
def group(admin):
    services.ensure_built_in_groups()  # a transactional test's flush empties the groups
    return services.create_group(admin, name="Rédaction")


def test_a_known_rights_class_costs_one_query_and_is_shared(
    make_forum, make_member, django_assert_num_queries
):
    forum = make_forum()
    first, second = next_request(make_member()), next_request(make_member())
    with django_assert_num_queries(2):  # the class, then its rights
        kept = rules.tree_rights(first)
    with django_assert_num_queries(1):  # the class only
        assert rules.tree_rights(second) is kept
    assert kept.at(forum.pk) == MEMBER_RIGHTS
    with django_assert_num_queries(2):
        guest = rules.tree_rights(AnonymousUser())
    with django_assert_num_queries(1):
        assert rules.tree_rights(AnonymousUser()) is guest
    assert guest.at(forum.pk) == Right.SEE | Right.READ


def test_members_of_different_groups_are_different_classes(
    make_forum, make_member, admin, group, set_rights
):
    forum = make_forum()
    set_rights(forum, "Rédaction", grant=Right.MODERATE)
    editor, reader = make_member(), make_member()
    services.add_member(admin, group, username=editor.username)
    assert Right.MODERATE not in rights(reader).at(forum.pk)
    assert Right.MODERATE in rights(editor).at(forum.pk)
    assert Right.MODERATE not in rights(reader).at(forum.pk)


def test_a_change_of_a_forums_rights_shows_on_the_next_request(make_forum, make_member, set_rights):
    forum = make_forum()
    member = make_member()
    assert forum.pk in rights(member).visible_ids
    assert forum.pk in rights(AnonymousUser()).visible_ids
    set_rights(forum, "members", refuse=Right.SEE)
    assert forum.pk not in rights(member).visible_ids
    set_rights(None, "guests", refuse=Right.SEE)
    assert forum.pk not in rights(AnonymousUser()).visible_ids


def test_joining_or_leaving_a_group_shows_on_the_next_request(
    make_forum, make_member, admin, group, set_rights
):
    forum = make_forum()
    set_rights(forum, "Rédaction", grant=Right.MODERATE)
    member = make_member()
    assert not rules.can_moderate(next_request(member), forum)
    services.add_member(admin, group, username=member.username)
    assert rules.can_moderate(next_request(member), forum)
    services.remove_member(admin, group, next_request(member))
    assert not rules.can_moderate(next_request(member), forum)


def test_joining_the_moderators_or_administrators_shows_on_the_next_request(
    make_forum, make_member, admin
):
    forum = make_forum()
    member = make_member()
    assert not rules.is_moderator(next_request(member))
    services.ensure_built_in_groups()
    moderators = Group.objects.get(name="moderators")
    services.add_member(admin, moderators, username=member.username)
    assert rules.is_moderator(next_request(member))
    assert not rules.is_administrator(next_request(member))
    administrators = Group.objects.get(name="administrators")
    services.add_member(admin, administrators, username=member.username)
    assert rules.tree_rights(next_request(member)).at(forum.pk) == Right(127)


def test_becoming_staff_or_superuser_shows_on_the_next_request(make_forum, make_member):
    forum = make_forum()
    member = make_member()
    assert not rules.can_moderate(next_request(member), forum)
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    assert rules.can_moderate(next_request(member), forum)
    assert not rules.is_administrator(next_request(member))
    member.is_superuser = True
    member.save(update_fields=["is_superuser"])
    assert rules.is_administrator(next_request(member))


def test_a_new_forum_shows_on_the_next_request(make_forum, make_member):
    forum = make_forum()
    member = make_member()
    assert rights(member).parents.keys() == {forum.pk, forum.parent_id}
    assert rights(AnonymousUser()).parents.keys() == {forum.pk, forum.parent_id}
    added = create_category(title="Nouveau", parent=forum.parent)
    assert added.pk in rights(member).visible_ids
    assert added.pk in rights(AnonymousUser()).visible_ids


def test_a_ban_stops_writing_on_the_next_request(make_forum, make_member, admin):
    forum = make_forum()
    member = make_member()
    assert rules.can_start_thread(next_request(member), forum)
    ban_member(admin, member, "Spam")
    assert not rules.can_start_thread(next_request(member), forum)
    assert rules.can_read_category(next_request(member), forum)


def test_rights_read_inside_a_transaction_that_rolls_back_are_not_kept(
    make_forum, make_member, set_rights
):
    forum = make_forum()
    member = make_member()
    assert forum.pk in rights(member).visible_ids
    with pytest.raises(RuntimeError), transaction.atomic():
        set_rights(forum, "members", refuse=Right.SEE)
        assert forum.pk not in rights(member).visible_ids
        raise RuntimeError
    # The rolled-back generation is taken again, by other rights.
    set_rights(forum, "members", refuse=Right.REPLY)
    kept = rights(member)
    assert forum.pk in kept.visible_ids and Right.REPLY not in kept.at(forum.pk)


def test_an_emptied_database_starts_its_generation_afresh(make_forum):
    make_forum()
    before = Generation.objects.get(name=pagecache.SITE).value
    Generation.objects.all().delete()
    pagecache.site_changed()
    assert Generation.objects.get(name=pagecache.SITE).value not in (before, 1)


def test_the_index_counts_posts_of_hidden_forums_written_after_the_rights_were_kept(
    client, make_forum, make_thread, make_post, set_rights
):
    public = make_forum(title="Place publique")
    hidden = make_forum(title="Coulisses", parent=public)
    set_rights(hidden, "guests", refuse=Right.SEE)
    make_thread(category=public)
    secret = make_thread(category=hidden)
    assert "1 post" in client.get(reverse("forums:index")).content.decode()
    make_post(secret)
    make_thread(category=public)
    html = client.get(reverse("forums:index")).content.decode()
    assert "2 threads" in html and "2 posts" in html


def test_rights_are_worked_out_from_the_class_read_not_from_memberships_read_later(
    make_forum, make_member, admin, group, set_rights
):
    forum = make_forum()
    set_rights(forum, "Rédaction", grant=Right.MODERATE)
    member = next_request(make_member())
    before = rules._rights_class(member)
    # The member joins between the class's query and the tree's (another request's commit).
    services.add_member(admin, group, username=member.username)
    assert Right.MODERATE not in rules._resolve(before).at(forum.pk)
    assert Right.MODERATE in rights(member).at(forum.pk)
