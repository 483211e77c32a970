"""Bans: the service, the moderator's page, and the banner a banned member sees."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from djemaa.accounts import services
from djemaa.accounts.bans import active_ban, is_banned
from djemaa.accounts.models import Ban, User
from djemaa.core.errors import ServiceError
from djemaa.moderation.models import ModerationAction


@pytest.fixture
def moderator(make_member):
    return make_member("Modo", is_admin=True)


def test_guests_are_never_banned(rf):
    from django.contrib.auth.models import AnonymousUser

    assert not is_banned(AnonymousUser())


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_ban_needs_a_reason_of_reasonable_length(moderator, make_member, reason):
    with pytest.raises(ServiceError):
        services.ban_member(moderator, make_member(), reason)


def test_a_ban_cannot_end_in_the_past(moderator, make_member):
    with pytest.raises(ServiceError, match="future"):
        services.ban_member(moderator, make_member(), "Spam", timezone.now() - timedelta(hours=1))


def test_only_moderators_ban_and_lift(make_member):
    member, other = make_member(), make_member()
    with pytest.raises(ServiceError, match="Only moderators"):
        services.ban_member(other, member, "Spam")
    with pytest.raises(ServiceError, match="Only moderators"):
        services.lift_ban(other, member)


def test_moderators_cannot_be_banned(moderator, make_member):
    with pytest.raises(ServiceError, match="cannot be banned"):
        services.ban_member(moderator, make_member(is_admin=True), "Spam")


def test_a_permanent_ban_holds_until_lifted(moderator, make_member):
    member = make_member()
    ban = services.ban_member(moderator, member, "Spam")
    member = User.objects.get(pk=member.pk)
    assert is_banned(member) and active_ban(member) == ban
    services.lift_ban(moderator, member)
    member = User.objects.get(pk=member.pk)
    assert not is_banned(member)
    ban.refresh_from_db()
    assert ban.lifted_at and ban.lifted_by == moderator
    with pytest.raises(ServiceError, match="not banned"):
        services.lift_ban(moderator, member)


def test_refused_bans_and_lifts_leave_nothing_in_the_moderation_log(moderator, make_member):
    member = make_member()
    with pytest.raises(ServiceError):
        services.ban_member(moderator, member, "")
    with pytest.raises(ServiceError):
        services.ban_member(make_member(), member, "Spam")
    with pytest.raises(ServiceError):
        services.lift_ban(moderator, member)
    assert not ModerationAction.objects.exists()


def test_bans_and_lifts_are_recorded_in_the_moderation_log(moderator, make_member):
    member = make_member(username="Trublion")
    until = timezone.now() + timedelta(days=3)
    services.ban_member(moderator, member, "Spam")
    services.ban_member(moderator, member, "Encore", until)
    services.lift_ban(moderator, member)
    logged = list(
        ModerationAction.objects.order_by("pk").values_list("actor", "kind", "reason", "details")
    )
    who = {"member_id": member.pk, "member": "Trublion"}
    assert logged == [
        (moderator.pk, ModerationAction.Kind.BAN, "Spam", {**who, "until": None}),
        (moderator.pk, ModerationAction.Kind.BAN, "Encore", {**who, "until": until.isoformat()}),
        (moderator.pk, ModerationAction.Kind.LIFT_BAN, "", who),
    ]


def test_a_temporary_ban_ends_by_itself(moderator, make_member):
    member = make_member()
    ban = services.ban_member(moderator, member, "Calm down", timezone.now() + timedelta(days=1))
    assert is_banned(User.objects.get(pk=member.pk))
    Ban.objects.filter(pk=ban.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert not is_banned(User.objects.get(pk=member.pk))


def test_a_new_ban_replaces_the_one_in_force(moderator, make_member):
    member = make_member()
    first = services.ban_member(moderator, member, "One")
    second = services.ban_member(moderator, member, "Two", timezone.now() + timedelta(days=2))
    first.refresh_from_db()
    assert first.lifted_at is not None
    assert active_ban(User.objects.get(pk=member.pk)) == second


def test_asking_whether_a_member_is_banned_costs_no_query_when_not(
    make_member, django_assert_num_queries
):
    member = make_member()
    with django_assert_num_queries(0):
        assert not is_banned(member)


# ---- Pages ----


def test_a_banned_member_sees_the_reason_and_end_on_every_page(client, moderator, make_member):
    member = make_member()
    services.ban_member(moderator, member, "Insultes répétées", timezone.now() + timedelta(days=3))
    client.force_login(member)
    for url in [reverse("forums:index"), member.get_absolute_url()]:
        response = client.get(url)
        assertContains(response, "You are banned until")
        assertContains(response, '<span dir="auto">Insultes répétées</span>', html=True)


def test_the_banner_costs_no_query_for_the_signed_in_member(client, moderator, make_member):
    url = reverse("accounts:settings")

    def queries_for(member):
        client.force_login(member)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return len(queries), response

    plain_count, _response = queries_for(make_member())
    banned = make_member()
    services.ban_member(moderator, banned, "Spam")
    banned_count, response = queries_for(banned)
    assertContains(response, "You are banned: you can read, but not write.")
    assert banned_count == plain_count


def test_members_who_are_not_banned_see_no_banner(client, make_member):
    client.force_login(make_member())
    assertNotContains(client.get(reverse("forums:index")), "You are banned")


def test_a_moderator_bans_from_the_profile_with_a_small_form(client, moderator, make_member):
    member = make_member("Troll")
    client.force_login(moderator)
    assertContains(client.get(member.get_absolute_url()), reverse("accounts:ban", args=["Troll"]))
    response = client.post(
        reverse("accounts:ban", args=["Troll"]), {"reason": "Spam", "until": "2099-01-01T10:00"}
    )
    assertRedirects(response, member.get_absolute_url())
    ban = active_ban(User.objects.get(pk=member.pk))
    assert ban.reason == "Spam" and ban.ends_at.year == 2099
    assertContains(client.get(member.get_absolute_url()), "Lift the ban")


def test_a_refused_ban_keeps_the_typed_reason(client, moderator, make_member):
    make_member("Troll")
    client.force_login(moderator)
    response = client.post(
        reverse("accounts:ban", args=["Troll"]), {"reason": "Spam", "until": "2000-01-01T10:00"}
    )
    assertContains(response, "must be in the future", status_code=400)
    assertContains(response, "Spam</textarea>", status_code=400)


def test_a_moderator_lifts_a_ban_from_the_profile(client, moderator, make_member):
    member = make_member("Troll")
    services.ban_member(moderator, member, "Spam")
    client.force_login(moderator)
    response = client.post(reverse("accounts:lift_ban", args=["Troll"]))
    assertRedirects(response, member.get_absolute_url())
    assert not is_banned(User.objects.get(pk=member.pk))


@pytest.mark.parametrize("who", ["guest", "member"])
def test_the_ban_pages_do_not_exist_for_non_moderators(client, make_member, who):
    member = make_member("Troll")
    if who == "member":
        client.force_login(make_member())
    assert client.get(reverse("accounts:ban", args=["Troll"])).status_code == 404
    assert client.post(reverse("accounts:lift_ban", args=["Troll"])).status_code == 404
    assertNotContains(client.get(member.get_absolute_url()), "/ban/")


def test_a_banned_member_can_still_sign_in_and_read(client, moderator, make_member):
    member = make_member("Troll", password="une-longue-phrase-de-passe")
    services.ban_member(moderator, member, "Spam")
    response = client.post(
        reverse("accounts:login"), {"username": "Troll", "password": "une-longue-phrase-de-passe"}
    )
    assertRedirects(response, reverse("forums:index"), fetch_redirect_response=False)
    assertContains(client.get(reverse("forums:index")), "You are banned")
