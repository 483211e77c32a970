import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from djemaa.permissions.models import ForumPermission, Right


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def moderators(db):
    return Group.objects.get(name="moderators")


def _pages(forum, group):
    return [
        reverse("permissions:groups"),
        reverse("permissions:group", args=[group.pk]),
        reverse("permissions:forums"),
        reverse("permissions:root_grid"),
        reverse("permissions:grid", args=[forum.pk]),
    ]


def test_the_administration_pages_do_not_exist_for_anyone_else(
    client, make_member, make_forum, moderators
):
    forum = make_forum()
    moderator = make_member()
    moderators.user_set.add(moderator)
    for person in (None, make_member(), moderator):
        if person:
            client.force_login(person)
        for url in _pages(forum, moderators):
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"name": "x", "username": "x"}).status_code == 404, url
        remove = reverse("permissions:remove_member", args=[moderators.pk, moderator.pk])
        assert client.post(remove).status_code == 404
    assert moderators.user_set.count() == 1 and not Group.objects.filter(name="x").exists()


def test_administrators_get_every_page(as_admin, make_forum, moderators):
    for url in _pages(make_forum(), moderators):
        assert as_admin.get(url).status_code == 200, url


def test_the_header_offers_administration_to_administrators_only(client, as_admin, make_member):
    assertContains(as_admin.get("/"), reverse("permissions:groups"))
    client.force_login(make_member())
    assertNotContains(client.get("/"), reverse("permissions:groups"))


def test_the_groups_page_lists_the_groups_with_their_members_count(
    as_admin, make_member, moderators, django_assert_max_num_queries
):
    moderators.user_set.add(make_member(), make_member())
    with django_assert_max_num_queries(5):
        response = as_admin.get(reverse("permissions:groups"))
    assertContains(response, "Moderators")
    assertContains(response, "Every signed-in member")
    assertContains(response, "<td>2</td>", html=True)


def test_adding_a_group_leads_to_its_page(as_admin):
    response = as_admin.post(reverse("permissions:groups"), {"name": "Rédaction"})
    group = Group.objects.get(name="Rédaction")
    assert response.status_code == 302
    assert response.url == reverse("permissions:group", args=[group.pk])


def test_a_refused_group_name_is_said_and_kept_in_the_form(as_admin):
    as_admin.post(reverse("permissions:groups"), {"name": "Rédaction"})
    response = as_admin.post(reverse("permissions:groups"), {"name": "rédaction"})
    assert response.status_code == 400
    assertContains(response, "There is already a group with that name.", status_code=400)
    assertContains(response, 'value="rédaction"', status_code=400)


def test_a_member_is_added_by_name_and_taken_out(as_admin, make_member, moderators):
    member = make_member(username="Amina")
    page = reverse("permissions:group", args=[moderators.pk])
    response = as_admin.post(page, {"username": "amina"}, follow=True)
    assertContains(response, '<bdi dir="auto">Amina</bdi> was added to the group.')
    assert list(moderators.user_set.all()) == [member]
    remove = reverse("permissions:remove_member", args=[moderators.pk, member.pk])
    response = as_admin.post(remove, follow=True)
    assertContains(response, '<bdi dir="auto">Amina</bdi> was taken out of the group.')
    assert not moderators.user_set.exists()


def test_an_unknown_name_is_said_and_kept_in_the_form(as_admin, moderators):
    page = reverse("permissions:group", args=[moderators.pk])
    response = as_admin.post(page, {"username": "Personne"})
    assertContains(response, "There is no member with that name.", status_code=400)
    assertContains(response, 'value="Personne"', status_code=400)


def test_the_members_group_has_no_member_form(as_admin):
    members = Group.objects.get(name="members")
    response = as_admin.get(reverse("permissions:group", args=[members.pk]))
    assertContains(response, "nobody is put in it by hand")
    assertNotContains(response, 'name="username"')


def test_the_grid_saves_each_groups_choices(as_admin, make_forum, moderators):
    forum = make_forum()
    url = reverse("permissions:grid", args=[forum.pk])
    field = f"g{moderators.pk}-{int(Right.MODERATE)}"
    response = as_admin.post(url, {field: "refuse"}, follow=True)
    assertContains(response, "The permissions were saved.")
    row = ForumPermission.objects.get()
    assert (row.group, row.category_id, row.refused) == (moderators, forum.pk, Right.MODERATE)
    assertContains(response, '<option value="refuse" selected>No</option>', html=True)


def test_the_root_grid_changes_the_defaults(as_admin, make_forum):
    members = Group.objects.get(name="members")
    field = f"g{members.pk}-{int(Right.START)}"
    as_admin.post(reverse("permissions:root_grid"), {field: "refuse"})
    row = ForumPermission.objects.get()
    assert row.category is None and row.refused == Right.START


def test_a_refused_grid_is_shown_again_as_it_was_sent(as_admin, make_forum):
    forum = make_forum()
    guests = Group.objects.get(name="guests")
    members = Group.objects.get(name="members")
    response = as_admin.post(
        reverse("permissions:grid", args=[forum.pk]),
        {f"g{guests.pk}-{int(Right.REPLY)}": "grant", f"g{members.pk}-1": "refuse"},
    )
    assertContains(response, "Guests can only see and read", status_code=400)
    assert not ForumPermission.objects.exists()
    assertContains(
        response,
        '<option value="refuse" selected>No</option>',
        status_code=400,
        html=True,
    )


def test_the_grid_page_is_translated(as_admin, make_forum):
    response = as_admin.get(
        reverse("permissions:grid", args=[make_forum().pk]), HTTP_ACCEPT_LANGUAGE="ar"
    )
    assertContains(response, 'dir="rtl"')
