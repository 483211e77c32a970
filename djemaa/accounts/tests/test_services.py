import pytest
from django.db import IntegrityError, transaction

from djemaa.accounts import services
from djemaa.accounts.models import User
from djemaa.core.errors import ServiceError


@pytest.mark.parametrize("name", ["", "   ", "a/b", "bell\x07name", "x" * 151])
def test_a_bad_username_is_refused(db, name):
    with pytest.raises(ServiceError):
        services.create_member(username=name)


def test_a_username_is_taken_whatever_its_case(make_member):
    make_member("Amina")
    with pytest.raises(ServiceError, match="taken"):
        services.create_member(username="aMINA")


def test_the_database_itself_refuses_two_names_differing_only_in_case(make_member):
    make_member("Karim")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="KARIM")


def test_names_with_spaces_and_arabic_letters_are_welcome(db):
    assert services.create_member(username="  Nour   El Houda ").username == "Nour El Houda"
    assert services.create_member(username="ياسين").username == "ياسين"


def test_an_unknown_language_or_time_zone_is_refused(db):
    with pytest.raises(ServiceError):
        services.create_member(username="a1", language="de")
    with pytest.raises(ServiceError):
        services.create_member(username="a2", timezone_name="Mars/Olympus")


def test_a_member_without_password_cannot_sign_in(make_member):
    member = make_member("Sans")
    assert not member.has_usable_password()


def test_a_signature_is_rendered_and_may_mix_scripts(make_member):
    member = make_member(signature="**Salam** — سلام عليكم")
    assert "<strong>Salam</strong>" in member.signature_html
    assert "سلام عليكم" in member.signature_html


def test_a_too_long_signature_is_refused_and_the_old_one_kept(make_member):
    member = make_member(signature="Avant")
    with pytest.raises(ServiceError):
        services.change_signature(member, "x" * (services.MAX_SIGNATURE_LENGTH + 1))
    member.refresh_from_db()
    assert member.signature == "Avant"


def test_changing_a_signature_renders_it_again(make_member):
    member = make_member(signature="Avant")
    services.change_signature(member, "*Après*")
    member.refresh_from_db()
    assert "<em>Après</em>" in member.signature_html
    services.change_signature(member, "")
    member.refresh_from_db()
    assert member.signature_html == ""


def test_the_preferred_language_must_be_one_we_ship(make_member):
    member = make_member()
    services.set_preferred_language(member, "ar")
    member.refresh_from_db()
    assert member.language == "ar"
    with pytest.raises(ServiceError):
        services.set_preferred_language(member, "xx")
