from enum import IntFlag

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext, pgettext_lazy

# The built-in groups, found by name. Guests and members are implicit: guests is whoever is
# not signed in, members is every signed-in member; nobody is put in them by hand.
GUESTS = "guests"
MEMBERS = "members"
MODERATORS = "moderators"
ADMINISTRATORS = "administrators"
BUILT_IN_GROUPS = (GUESTS, MEMBERS, MODERATORS, ADMINISTRATORS)
IMPLICIT_GROUPS = (GUESTS, MEMBERS)


class Right(IntFlag):
    """What a group may do in a forum; stored as bits so one row holds a whole grid line."""

    SEE = 1
    READ = 2
    START = 4
    REPLY = 8
    EDIT_OWN = 16
    DELETE_OWN = 32
    MODERATE = 64


NO_RIGHTS = Right(0)
ALL_RIGHTS = Right(127)
MEMBER_RIGHTS = ALL_RIGHTS & ~Right.MODERATE
# At the root of the tree, before any row says otherwise (a row without a category overrides
# these for every forum). Kept in code so a fresh or emptied database starts sensible.
DEFAULT_RIGHTS = {
    GUESTS: Right.SEE | Right.READ,
    MEMBERS: MEMBER_RIGHTS,
    MODERATORS: ALL_RIGHTS,
    ADMINISTRATORS: ALL_RIGHTS,
}
RIGHT_LABELS = (
    (Right.SEE, pgettext_lazy("permission", "See")),
    (Right.READ, pgettext_lazy("permission", "Read")),
    (Right.START, pgettext_lazy("permission", "Start threads")),
    (Right.REPLY, pgettext_lazy("permission", "Reply")),
    (Right.EDIT_OWN, pgettext_lazy("permission", "Edit own posts")),
    (Right.DELETE_OWN, pgettext_lazy("permission", "Delete own posts")),
    (Right.MODERATE, pgettext_lazy("permission", "Moderate")),
)


def group_label(group: Group) -> str:
    """The built-in groups' names in the reader's language; added groups as they were named."""
    return {
        GUESTS: pgettext("group", "Guests"),
        MEMBERS: pgettext("group", "Members"),
        MODERATORS: pgettext("group", "Moderators"),
        ADMINISTRATORS: pgettext("group", "Administrators"),
    }.get(group.name, group.name)


class ForumPermission(models.Model):
    """What one group may do in one forum and below it, where it differs from the parent.

    A right in neither `granted` nor `refused` is inherited. The row without a category holds
    the defaults at the root of the tree.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="forum_permissions")
    category = models.ForeignKey(
        "forums.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="permissions",
    )
    granted = models.PositiveSmallIntegerField(pgettext_lazy("rights", "granted"), default=0)
    refused = models.PositiveSmallIntegerField(pgettext_lazy("rights", "refused"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "category"], name="forum_permission_once_per_group"
            ),
            # NULLs are distinct in a unique constraint, so the root row needs its own.
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(category__isnull=True),
                name="root_permission_once_per_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} in {self.category_id or 'root'}: +{self.granted} -{self.refused}"
