import pytest
from django.contrib.auth.models import Group
from django.http import Http404

from djemaa.core.errors import ServiceError
from djemaa.permissions import services
from djemaa.permissions.models import ForumPermission, Right


@pytest.fixture
def moderators(db):
    services.ensure_built_in_groups()
    return Group.objects.get(name="moderators")


# ---- Groups ----


@pytest.mark.parametrize("name", ["", "   ", "x" * 151])
def test_a_group_needs_a_name_of_reasonable_length(admin, name):
    with pytest.raises(ServiceError):
        services.create_group(admin, name=name)


def test_two_groups_cannot_share_a_name_whatever_its_case(admin):
    services.create_group(admin, name="Rédaction")
    with pytest.raises(ServiceError, match="already a group"):
        services.create_group(admin, name="rédaction")


def test_only_administrators_add_groups(make_member, moderators):
    moderator = make_member()
    moderators.user_set.add(moderator)
    with pytest.raises(Http404):
        services.create_group(moderator, name="Rédaction")
    assert not Group.objects.filter(name="Rédaction").exists()


def test_an_administrator_adds_a_group_with_its_name_tidied(admin):
    group = services.create_group(admin, name="  Équipe   arabe ")
    assert group.name == "Équipe arabe"


def test_the_built_in_groups_come_first_in_their_order(admin):
    services.create_group(admin, name="Aardvarks")
    names = [group.name for group in services.groups_in_order()]
    assert names == ["guests", "members", "moderators", "administrators", "Aardvarks"]


# ---- Members of a group ----


def test_adding_a_member_needs_a_known_name(admin, moderators):
    with pytest.raises(ServiceError, match="Give the name"):
        services.add_member(admin, moderators, username=" ")
    with pytest.raises(ServiceError, match="no member"):
        services.add_member(admin, moderators, username="personne")


def test_nobody_is_put_in_guests_or_members_by_hand(admin, make_member):
    member = make_member()
    for name in ("guests", "members"):
        with pytest.raises(ServiceError, match="by hand"):
            services.add_member(admin, Group.objects.get(name=name), username=member.username)


def test_only_administrators_add_members(make_member, moderators):
    member = make_member()
    with pytest.raises(Http404):
        services.add_member(member, moderators, username=member.username)
    assert not moderators.user_set.exists()


def test_a_member_is_added_by_name_in_any_case_once(admin, make_member, moderators):
    member = make_member(username="Amina")
    assert services.add_member(admin, moderators, username="amina") == member
    assert list(moderators.user_set.all()) == [member]
    with pytest.raises(ServiceError, match="already"):
        services.add_member(admin, moderators, username="Amina")


def test_removing_someone_not_in_the_group_is_refused(admin, make_member, moderators):
    with pytest.raises(ServiceError, match="not in the group"):
        services.remove_member(admin, moderators, make_member())


def test_an_administrator_by_group_cannot_take_themselves_out(make_member):
    services.ensure_built_in_groups()
    administrators = Group.objects.get(name="administrators")
    administrator = make_member()
    administrators.user_set.add(administrator)
    with pytest.raises(ServiceError, match="yourself"):
        services.remove_member(administrator, administrators, administrator)


def test_a_member_is_taken_out_of_a_group(admin, make_member, moderators):
    member = make_member()
    moderators.user_set.add(member)
    services.remove_member(admin, moderators, member)
    assert not moderators.user_set.exists()


# ---- A forum's grid ----


def test_a_choice_must_be_grant_refuse_or_inherit(admin, make_forum, moderators):
    with pytest.raises(ServiceError):
        services.set_forum_rights(
            admin, category=make_forum(), choices={moderators: {Right.SEE: "maybe"}}
        )


def test_administrators_rights_cannot_be_changed(admin, make_forum):
    group = Group.objects.get(name="administrators")
    with pytest.raises(ServiceError, match="always"):
        services.set_forum_rights(
            admin, category=make_forum(), choices={group: {Right.SEE: services.REFUSE}}
        )


def test_guests_can_only_be_given_seeing_and_reading(admin, make_forum):
    group = Group.objects.get(name="guests")
    with pytest.raises(ServiceError, match="Guests"):
        services.set_forum_rights(
            admin, category=make_forum(), choices={group: {Right.REPLY: services.GRANT}}
        )


def test_only_administrators_change_rights(make_member, make_forum, moderators):
    with pytest.raises(Http404):
        services.set_forum_rights(make_member(), category=make_forum(), choices={moderators: {}})


def test_one_refused_choice_stores_none_of_the_grid(admin, make_forum, moderators):
    guests = Group.objects.get(name="guests")
    with pytest.raises(ServiceError):
        services.set_forum_rights(
            admin,
            category=make_forum(),
            choices={
                moderators: {Right.SEE: services.REFUSE},
                guests: {Right.MODERATE: services.GRANT},
            },
        )
    assert not ForumPermission.objects.exists()


def test_choices_are_stored_as_one_row_and_all_inherit_removes_it(admin, make_forum, moderators):
    forum = make_forum()
    choices = {Right.SEE: services.GRANT, Right.MODERATE: services.REFUSE}
    services.set_forum_rights(admin, category=forum, choices={moderators: choices})
    row = ForumPermission.objects.get()
    assert (row.group, row.category, row.granted, row.refused) == (
        moderators,
        forum,
        Right.SEE,
        Right.MODERATE,
    )
    inherit = dict.fromkeys(Right, services.INHERIT)
    services.set_forum_rights(admin, category=forum, choices={moderators: inherit})
    assert not ForumPermission.objects.exists()


def test_the_grid_shows_each_groups_choice_and_what_it_gets(
    admin, make_forum, make_member, moderators, set_rights
):
    forum = make_forum()
    sub = make_forum(parent=forum)
    set_rights(forum, "members", refuse=Right.START)
    set_rights(sub, "members", grant=Right.MODERATE)
    grid = {row.group.name: row for row in services.forum_grid(admin, sub)}
    members = {right: (choice, result) for right, _, choice, result in grid["members"].cells}
    assert members[Right.START] == (services.INHERIT, False)
    assert members[Right.MODERATE] == (services.GRANT, True)
    assert members[Right.READ] == (services.INHERIT, True)
    assert not grid["administrators"].editable
    assert all(result for *_, result in grid["administrators"].cells)
    moderator = make_member()
    moderators.user_set.add(moderator)
    with pytest.raises(Http404):
        services.forum_grid(moderator, sub)
