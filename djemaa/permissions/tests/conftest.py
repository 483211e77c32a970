import pytest
from django.contrib.auth.models import Group
from django.utils.translation import override

from djemaa.permissions import services
from djemaa.permissions.models import NO_RIGHTS, Right


@pytest.fixture(autouse=True)
def in_english():
    # A page read by an earlier test may leave its language active in this thread.
    with override("en"):
        yield


@pytest.fixture
def admin(make_member):
    return make_member(is_admin=True)


@pytest.fixture
def set_rights(admin):
    """set_rights(category, group_name, grant=Right…, refuse=Right…): one grid line, stored."""

    def set_(category, group_name, *, grant=NO_RIGHTS, refuse=NO_RIGHTS):
        services.ensure_built_in_groups()
        group, _ = Group.objects.get_or_create(name=group_name)
        choices = {}
        for right in Right:
            if right in grant:
                choices[right] = services.GRANT
            elif right in refuse:
                choices[right] = services.REFUSE
        services.set_forum_rights(admin, category=category, choices={group: choices})

    return set_


@pytest.fixture
def private_forum(make_forum, set_rights):
    """A forum that neither guests nor members can see."""
    forum = make_forum(title="Coulisses")
    set_rights(forum, "guests", refuse=Right.SEE)
    set_rights(forum, "members", refuse=Right.SEE)
    return forum
