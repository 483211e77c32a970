import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404

from djemaa.accounts.services import ban_member
from djemaa.permissions import rules
from djemaa.permissions.models import ALL_RIGHTS, MEMBER_RIGHTS, Right
from djemaa.threads.services import start_thread


def fresh(user):
    """The same person as a new request sees them (the rights are kept per user object)."""
    if not user.is_authenticated:
        return AnonymousUser()
    return type(user).objects.get(pk=user.pk)


def join(member, group_name):
    Group.objects.get_or_create(name=group_name)[0].user_set.add(member)
    return fresh(member)


# ---- Defaults ----


def test_guests_see_and_read_by_default_and_nothing_more(make_forum):
    forum = make_forum()
    assert rules.tree_rights(AnonymousUser()).at(forum.pk) == Right.SEE | Right.READ


def test_members_may_write_but_not_moderate_by_default(make_forum, make_member):
    forum = make_forum()
    assert rules.tree_rights(make_member()).at(forum.pk) == MEMBER_RIGHTS


def test_the_moderators_group_moderates_everywhere_by_default(make_forum, make_member):
    forum = make_forum()
    moderator = join(make_member(), "moderators")
    assert rules.tree_rights(moderator).at(forum.pk) == ALL_RIGHTS
    assert rules.is_moderator(moderator) and not rules.is_administrator(moderator)


def test_staff_accounts_count_as_moderators_and_superusers_as_administrators(
    make_forum, make_member
):
    forum = make_forum()
    staff = make_member()
    staff.is_staff = True
    assert rules.can_moderate(staff, forum) and not rules.is_administrator(staff)
    assert rules.is_administrator(make_member(is_admin=True))


def test_administrators_may_do_everything_even_where_their_group_is_refused(
    make_forum, make_member, set_rights
):
    forum = make_forum()
    set_rights(forum, "moderators", refuse=ALL_RIGHTS)
    administrator = join(make_member(), "administrators")
    assert rules.tree_rights(administrator).at(forum.pk) == ALL_RIGHTS
    assert rules.can_manage_permissions(administrator)


# ---- Inheritance and overrides ----


def test_a_forum_inherits_its_parents_rights_unless_it_overrides_them(
    make_forum, make_member, set_rights
):
    forum = make_forum()
    sub = make_forum(parent=forum)
    other = make_forum(parent=forum)
    set_rights(forum, "members", refuse=Right.START)
    set_rights(other, "members", grant=Right.START)
    rights = rules.tree_rights(make_member())
    assert Right.START not in rights.at(forum.pk)
    assert Right.START not in rights.at(sub.pk)
    assert Right.START in rights.at(other.pk)
    assert Right.REPLY in rights.at(sub.pk)


def test_the_root_row_changes_the_defaults_of_every_forum(make_forum, make_member, set_rights):
    forum = make_forum()
    set_rights(None, "members", refuse=Right.DELETE_OWN)
    assert Right.DELETE_OWN not in rules.tree_rights(make_member()).at(forum.pk)


def test_a_members_rights_are_the_union_of_their_groups(make_forum, make_member, set_rights):
    forum = make_forum()
    set_rights(forum, "members", refuse=Right.REPLY)
    set_rights(forum, "Rédaction", grant=Right.REPLY | Right.MODERATE)
    member = make_member()
    assert not rules.tree_rights(member).at(forum.pk) & Right.REPLY
    editor = join(member, "Rédaction")
    assert Right.REPLY in rules.tree_rights(editor).at(forum.pk)
    assert rules.can_moderate(editor, forum)
    assert not rules.is_moderator(editor)  # a forum's moderator, not a global one


def test_an_added_group_has_no_rights_of_its_own(make_forum, make_member, set_rights):
    forum = make_forum()
    set_rights(forum, "members", refuse=Right.SEE)
    member = join(make_member(), "Lecteurs")
    assert rules.tree_rights(member).at(forum.pk) == Right(0)


def test_a_forum_under_a_hidden_one_is_hidden_whatever_it_says(make_forum, make_member, set_rights):
    forum = make_forum()
    sub = make_forum(parent=forum)
    set_rights(forum, "members", refuse=Right.SEE)
    set_rights(sub, "members", grant=Right.SEE | Right.READ)
    rights = rules.tree_rights(make_member())
    assert sub.pk not in rights.visible_ids and forum.pk not in rights.visible_ids


def test_seeing_without_reading_lists_the_forum_but_gives_no_other_right(
    make_forum, make_member, set_rights
):
    forum = make_forum()
    set_rights(forum, "members", refuse=Right.READ)
    member = make_member()
    assert rules.tree_rights(member).at(forum.pk) == Right.SEE
    assert rules.can_see_category(member, forum) and not rules.can_read_category(member, forum)
    assert not rules.can_start_thread(member, forum)


def test_the_whole_tree_costs_two_queries_and_is_kept_for_the_request(
    make_forum, make_member, set_rights, django_assert_num_queries
):
    forums = [make_forum() for _ in range(5)]
    for forum in forums:
        set_rights(forum, "members", refuse=Right.START)
    member = join(make_member(), "Rédaction")
    # The rights class, then (nothing is kept inside a transaction) the tree.
    with django_assert_num_queries(2):
        rules.tree_rights(member)
        for forum in forums:
            assert not rules.can_start_thread(member, forum)
    with django_assert_num_queries(0):
        rules.is_moderator(member)
        rules.visible_categories(member)


def test_forgetting_the_rights_reads_them_again(make_forum, make_member, set_rights):
    forum = make_forum()
    member = make_member()
    assert rules.can_see_category(member, forum)
    set_rights(forum, "members", refuse=Right.SEE)
    assert rules.can_see_category(member, forum)
    rules.forget_rights(member)
    assert not rules.can_see_category(member, forum)


# ---- Fetching for a person ----


def test_a_hidden_forum_its_threads_and_posts_are_not_found(
    private_forum, make_thread, make_member
):
    thread = start_thread(
        author=make_member(), category=private_forum, title="Secret", source="Chut."
    )
    post = thread.last_post
    for person in (AnonymousUser(), make_member()):
        with pytest.raises(Http404):
            rules.get_category_for(person, private_forum.pk)
        with pytest.raises(Http404):
            rules.get_thread_for(person, thread.pk)
        with pytest.raises(Http404):
            rules.get_post_for(person, post.pk)
    moderator = join(make_member(), "moderators")
    assert rules.get_post_for(moderator, post.pk) == post


def test_hidden_post_ids_names_the_posts_that_exist_but_may_not_be_seen(
    private_forum, make_thread, make_member, django_assert_num_queries
):
    hidden = start_thread(
        author=make_member(), category=private_forum, title="Secret", source="Chut."
    ).last_post
    shown = make_thread().last_post
    member = make_member()
    rules.tree_rights(member)
    with django_assert_num_queries(1):
        assert rules.hidden_post_ids(member, {hidden.pk, shown.pk, 999999}) == {hidden.pk}
    with django_assert_num_queries(0):
        assert rules.hidden_post_ids(member, set()) == set()


# ---- Writing ----


def test_banned_members_read_but_never_write(make_thread, make_member):
    thread = make_thread()
    member = make_member()
    own = thread.last_post
    ban_member(make_member(is_admin=True), member, "Spam")
    member = fresh(member)
    assert rules.can_read_category(member, thread.category)
    assert not rules.can_start_thread(member, thread.category)
    assert not rules.can_reply(member, thread)
    own.author = member
    assert not rules.can_edit_post(member, own)
    assert not rules.can_delete_post(member, own)


def test_authors_edit_and_delete_their_own_posts_where_their_group_may(
    make_thread, make_member, set_rights
):
    author = make_member()
    thread = make_thread(author=author)
    post = thread.last_post
    post.thread = thread
    assert rules.can_edit_post(author, post) and rules.can_delete_post(author, post)
    assert not rules.can_edit_post(make_member(), post)
    set_rights(thread.category, "members", refuse=Right.EDIT_OWN | Right.DELETE_OWN)
    author = fresh(author)
    assert not rules.can_edit_post(author, post) and not rules.can_delete_post(author, post)
    assert rules.can_see_revisions(author, post)


def test_locked_threads_take_replies_from_moderators_only(make_thread, make_member):
    thread = make_thread()
    thread.is_locked = True
    assert not rules.can_reply(make_member(), thread)
    assert rules.can_reply(join(make_member(), "moderators"), thread)


def test_guests_never_write_even_where_reading_is_open(make_forum):
    forum = make_forum()
    assert not rules.can_start_thread(AnonymousUser(), forum)


def test_threads_go_in_forums_not_top_level_categories(make_forum, make_member):
    forum = make_forum()
    assert not rules.can_start_thread(make_member(), forum.parent)
    assert rules.can_start_thread(make_member(), forum)


def test_deleted_threads_are_shown_where_the_person_moderates_only(
    make_thread, make_member, set_rights
):
    from django.utils import timezone

    from djemaa.threads.models import Thread

    thread = make_thread()
    Thread.objects.filter(pk=thread.pk).update(deleted_at=timezone.now())
    editor = join(make_member(), "Rédaction")
    assert not rules.visible_threads(editor).filter(pk=thread.pk).exists()
    set_rights(thread.category, "Rédaction", grant=Right.MODERATE)
    editor = fresh(editor)
    assert rules.visible_threads(editor).filter(pk=thread.pk).exists()
    assert rules.can_see_deleted(editor, thread.category)
    assert not rules.visible_threads(make_member()).filter(pk=thread.pk).exists()
