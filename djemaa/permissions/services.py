"""The verbs of permission management: groups, their members, and each forum's grid."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from djemaa.core import pagecache
from djemaa.core.errors import ServiceError
from djemaa.forums.models import Category

from . import rules
from .models import (
    ADMINISTRATORS,
    BUILT_IN_GROUPS,
    GUESTS,
    IMPLICIT_GROUPS,
    RIGHT_LABELS,
    ForumPermission,
    Right,
)

MAX_GROUP_NAME = 150  # auth.Group.name

# A cell of the grid: the right is granted, refused, or taken from the forum above.
GRANT, REFUSE, INHERIT = "grant", "refuse", "inherit"
CHOICES = (GRANT, REFUSE, INHERIT)


def _require_administrator(actor) -> None:
    # The same answer as for a page that does not exist: others never learn these pages exist.
    if not rules.can_manage_permissions(actor):
        raise Http404


def ensure_built_in_groups() -> None:
    """The migration creates them; this puts back any that an emptied database lost."""
    for name in BUILT_IN_GROUPS:
        Group.objects.get_or_create(name=name)


def groups_in_order() -> list[Group]:
    """Every group with its `member_count`: the built-in ones in their order, then by name."""
    groups = list(Group.objects.annotate(member_count=Count("user")).order_by("name"))
    if not set(BUILT_IN_GROUPS) <= {group.name for group in groups}:
        ensure_built_in_groups()
        return groups_in_order()
    rank = {name: position for position, name in enumerate(BUILT_IN_GROUPS)}
    return sorted(groups, key=lambda group: (rank.get(group.name, len(rank)), group.name))


def takes_members(group: Group) -> bool:
    """Guests and members are whoever is signed out or in: nobody is put in them by hand."""
    return group.name not in IMPLICIT_GROUPS


def create_group(actor, *, name: str) -> Group:
    _require_administrator(actor)
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_("A group needs a name."))
    if len(name) > MAX_GROUP_NAME:
        raise ServiceError(
            ngettext(
                "A group name can have at most %(limit)d character.",
                "A group name can have at most %(limit)d characters.",
                MAX_GROUP_NAME,
            )
            % {"limit": MAX_GROUP_NAME}
        )
    if Group.objects.filter(name__iexact=name).exists():
        raise ServiceError(_("There is already a group with that name."))
    return Group.objects.create(name=name)


def add_member(actor, group: Group, *, username: str):
    _require_administrator(actor)
    if not takes_members(group):
        raise ServiceError(_("Nobody is put in this group by hand."))
    username = username.strip()
    if not username:
        raise ServiceError(_("Give the name of the member to add."))
    member = get_user_model().objects.named(username).first()
    if member is None:
        raise ServiceError(_("There is no member with that name."))
    if group.user_set.filter(pk=member.pk).exists():
        raise ServiceError(_("This member is already in the group."))
    group.user_set.add(member)
    return member


def remove_member(actor, group: Group, member) -> None:
    _require_administrator(actor)
    if not group.user_set.filter(pk=member.pk).exists():
        raise ServiceError(_("This member is not in the group."))
    if group.name == ADMINISTRATORS and member.pk == actor.pk and not actor.is_superuser:
        raise ServiceError(_("You cannot take yourself out of the administrators."))
    group.user_set.remove(member)


@dataclass
class GridRow:
    """One group's line of a forum's grid: its choice and what it gets, right by right."""

    group: Group
    cells: list[tuple[Right, str, str, bool]]  # right, label, choice, resulting right
    editable: bool


def forum_grid(actor, category: Category | None) -> list[GridRow]:
    """Every group's rights at `category` (None: the defaults at the root of the tree)."""
    _require_administrator(actor)
    chain = [] if category is None else category.ancestor_ids()[::-1]
    rows: dict[int, dict[int | None, tuple[int, int]]] = {}
    stored = ForumPermission.objects.filter(Q(category__isnull=True) | Q(category_id__in=chain))
    for permission in stored:
        rows.setdefault(permission.group_id, {})[permission.category_id] = (
            permission.granted,
            permission.refused,
        )
    here = chain[-1] if chain else None
    grid = []
    for group in groups_in_order():
        own = rows.get(group.pk, {})
        granted, refused = own.get(here, (0, 0))
        result = rules.root_rights(group.name, own.get(None))
        for pk in chain:
            result = rules.apply_row(result, own.get(pk))
        cells = []
        for right, label in RIGHT_LABELS:
            choice = GRANT if right & granted else REFUSE if right & refused else INHERIT
            cells.append((right, label, choice, right in result))
        grid.append(GridRow(group, cells, editable=group.name != ADMINISTRATORS))
    return grid


def _masks(group: Group, choices: dict[Right, str]) -> tuple[int, int]:
    if group.name == ADMINISTRATORS:
        raise ServiceError(_("Administrators may always do everything."))
    if any(choice not in CHOICES for choice in choices.values()):
        raise ServiceError(_("Choose to grant, refuse or inherit each right."))
    granted = refused = 0
    for right, choice in choices.items():
        if choice == GRANT:
            granted |= right
        elif choice == REFUSE:
            refused |= right
    if group.name == GUESTS and granted & ~(Right.SEE | Right.READ):
        raise ServiceError(_("Guests can only see and read: they must sign in to do more."))
    return granted, refused


@transaction.atomic
def set_forum_rights(
    actor, *, category: Category | None, choices: dict[Group, dict[Right, str]]
) -> None:
    """Store each group's choices at one node (None: the root); a right left out is inherited.

    All or nothing: one refused choice stores none of them.
    """
    _require_administrator(actor)
    masks = {group: _masks(group, rights) for group, rights in choices.items()}
    for group, (granted, refused) in masks.items():
        if granted or refused:
            ForumPermission.objects.update_or_create(
                group=group, category=category, defaults={"granted": granted, "refused": refused}
            )
        else:
            ForumPermission.objects.filter(group=group, category=category).delete()
    rules.forget_rights(actor)
    pagecache.site_changed()  # what guests may read may have changed
