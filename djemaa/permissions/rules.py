"""Every "may this person…?" answer, and "fetch this for this person or 404".

Pages, the API, feeds, search and notifications all ask here, so that what one of them
hides, none of them shows. Rights come from groups (permissions.models): a person's rights
in a forum are the union of their groups' rights there, each inherited from the parent forum
unless overridden. They are worked out for the whole tree at once, with one query, and kept
on the user object for the rest of the request.

They depend on nothing but the site's generation (core.pagecache.site_changed, which every
change to rights or forums calls), the person's groups, and whether they are signed in, staff
or superuser: their *rights class*. Each process keeps the rights of the classes it met, so a
request costs one small query (the generation and the person's groups) instead of the tree.
"""

import threading
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value
from django.http import Http404

from djemaa.accounts.bans import is_banned
from djemaa.core.pagecache import SITE, BoundedStore
from djemaa.forums.models import Category
from djemaa.posts.models import Post
from djemaa.threads.models import Thread

from .models import (
    ADMINISTRATORS,
    ALL_RIGHTS,
    DEFAULT_RIGHTS,
    GUESTS,
    MEMBERS,
    MODERATORS,
    NO_RIGHTS,
    ForumPermission,
    Right,
)

# The attribute of the user object (which lives for one request) that keeps its TreeRights.
_MEMO = "_djemaa_tree_rights"
_CATEGORY, _PERMISSION = 0, 1


@dataclass(frozen=True)
class TreeRights:
    """One rights class's rights in every forum, and the tree they were worked out on.

    Shared by every request of the class in this process: never changed once made.
    """

    is_administrator: bool
    is_moderator: bool
    rights: dict[int, Right]
    parents: dict[int, int | None]

    def at(self, category_id: int) -> Right:
        return self.rights.get(category_id, NO_RIGHTS)

    def _having(self, right: Right) -> frozenset[int]:
        return frozenset(pk for pk, rights in self.rights.items() if right in rights)

    @cached_property
    def visible_ids(self) -> frozenset[int]:
        return self._having(Right.SEE)

    @cached_property
    def readable_ids(self) -> frozenset[int]:
        return self._having(Right.READ)

    @cached_property
    def moderated_ids(self) -> frozenset[int]:
        return self._having(Right.MODERATE)

    @cached_property
    def reads_everything(self) -> bool:
        return len(self.readable_ids) == len(self.parents)


@dataclass(frozen=True)
class RightsClass:
    """What a person's rights depend on, and nothing else: people of one class share them."""

    generation: int | None  # the site's (core.pagecache.site_changed)
    authenticated: bool
    is_staff: bool
    is_superuser: bool
    groups: frozenset[int]
    group_names: frozenset[str]  # follow from `groups`: not part of the key

    @property
    def key(self) -> tuple:
        return (self.generation, self.authenticated, self.is_staff, self.is_superuser, self.groups)


# The generation, then the person's groups: (NULL, generation), (group name, group id). Written
# out: building it through the ORM costs 0.45 ms, running it 0.02 ms (measured on SQLite), and
# it runs on every request.
_GENERATION_SQL = "SELECT NULL, value FROM core_generation WHERE name = %s"
_CLASS_SQL = (
    "SELECT NULL, value FROM core_generation WHERE name = %s UNION ALL "
    "SELECT g.name, m.group_id FROM accounts_user_groups m "
    "JOIN auth_group g ON g.id = m.group_id WHERE m.user_id = %s"
)


def _rights_class(user) -> RightsClass:
    """The person's class, read with one small query."""
    authenticated = user.is_authenticated
    with connection.cursor() as cursor:
        if authenticated:
            cursor.execute(_CLASS_SQL, [SITE, user.pk])
        else:
            cursor.execute(_GENERATION_SQL, [SITE])
        rows = cursor.fetchall()
    return _class_of(
        rows, authenticated, authenticated and user.is_staff, authenticated and user.is_superuser
    )


def _class_of(rows, authenticated: bool, is_staff: bool, is_superuser: bool) -> RightsClass:
    generation, groups, names = None, set(), set()
    for name, value in rows:
        if name is None:
            generation = value
        else:
            groups.add(value)
            names.add(name)
    return RightsClass(
        generation, authenticated, is_staff, is_superuser, frozenset(groups), frozenset(names)
    )


def member_class_query(user_id: int) -> tuple[str, tuple]:
    """The query of a member's rights class, for readers outside a request (core.pagecache's
    own connection); `member_rights_key` reads its rows."""
    return _CLASS_SQL, (SITE, user_id)


def member_rights_key(rows: list, is_staff: bool, is_superuser: bool) -> tuple:
    return _class_of(rows, True, is_staff, is_superuser).key


def _rows(rights_class: RightsClass) -> QuerySet:
    """The tree and the permission rows of the class's groups: one UNION query of
    (kind, a, b, x, y, name) rows, for categories (pk, parent) and permission rows
    (category, group, granted, refused, group name).

    The groups are the class's, not read again: the rights always match the class they are
    kept under, whatever changed since.
    """
    integer, text = IntegerField(), CharField()

    def columns(queryset: QuerySet, kind: int, a, b, x, y, name) -> QuerySet:
        return queryset.annotate(
            r_kind=Value(kind, output_field=integer),
            r_a=a,
            r_b=b,
            r_x=x,
            r_y=y,
            r_name=name,
        ).values_list("r_kind", "r_a", "r_b", "r_x", "r_y", "r_name")

    nothing, blank = Value(None, output_field=integer), Value("", text)
    tree = columns(
        Category.objects.order_by(), _CATEGORY, F("pk"), F("parent_id"), nothing, nothing, blank
    )
    if not rights_class.authenticated:
        groups = Q(group__name=GUESTS)
    else:
        groups = Q(group__name=MEMBERS) | Q(group_id__in=rights_class.groups)
        if rights_class.is_staff:
            groups |= Q(group__name=MODERATORS)
    permissions = columns(
        ForumPermission.objects.filter(groups).order_by(),
        _PERMISSION,
        F("category_id"),
        F("group_id"),
        F("granted"),
        F("refused"),
        F("group__name"),
    )
    return tree.union(permissions, all=True)


def apply_row(rights: Right, row: tuple[int, int] | None) -> Right:
    """What a group gets at a node: what it inherits, with the node's row (granted, refused)."""
    if row is None:
        return rights
    granted, refused = row
    return Right((rights & ~refused) | granted)


def root_rights(group_name: str, row: tuple[int, int] | None) -> Right:
    """A group's rights at the root: its built-in defaults with the root row applied."""
    return apply_row(DEFAULT_RIGHTS.get(group_name, NO_RIGHTS), row)


def _resolve(rights_class: RightsClass) -> TreeRights:
    """The class's rights: worked out from the class alone, so that all its people share them."""
    parents: dict[int, int | None] = {}
    overrides: dict[int, dict[int | None, tuple[int, int]]] = {}
    group_names: dict[int, str] = {}
    for kind, a, b, x, y, name in _rows(rights_class):
        if kind == _CATEGORY:
            parents[a] = b
        else:
            overrides.setdefault(b, {})[a] = (x, y)
            group_names[b] = name
    member_of = rights_class.group_names
    signed_in = rights_class.authenticated
    is_administrator = signed_in and (rights_class.is_superuser or ADMINISTRATORS in member_of)
    is_moderator = is_administrator or (
        signed_in and (rights_class.is_staff or MODERATORS in member_of)
    )
    if is_administrator:
        return TreeRights(True, True, dict.fromkeys(parents, ALL_RIGHTS), parents)

    # The person's groups: the implicit one, the ones they were put in, and moderators for
    # staff accounts. A group with no row anywhere has its defaults (none for added groups).
    names = {MEMBERS, *member_of} if signed_in else {GUESTS}
    if rights_class.is_staff:
        names.add(MODERATORS)
    by_name = {name: {} for name in names}
    for group_id, rows in overrides.items():
        by_name.setdefault(group_names[group_id], {}).update(rows)

    rights: dict[int, Right] = {}
    for group_name, rows in by_name.items():
        resolved: dict[int | None, Right] = {None: root_rights(group_name, rows.get(None))}

        def at(pk: int, rows=rows, resolved=resolved) -> Right:
            if pk not in resolved:
                inherited = at(parents[pk]) if parents[pk] is not None else resolved[None]
                resolved[pk] = apply_row(inherited, rows.get(pk))
            return resolved[pk]

        for pk in parents:
            rights[pk] = rights.get(pk, NO_RIGHTS) | at(pk)

    # A forum under one the person cannot see does not exist for them either; seeing a forum
    # without reading it shows it in lists, and nothing more.
    effective: dict[int, Right] = {}

    def settle(pk: int) -> Right:
        if pk not in effective:
            parent = parents[pk]
            own = rights[pk]
            if (parent is not None and Right.SEE not in settle(parent)) or Right.SEE not in own:
                own = NO_RIGHTS
            elif Right.READ not in own:
                own = Right.SEE
            effective[pk] = own
        return effective[pk]

    for pk in parents:
        settle(pk)
    return TreeRights(False, is_moderator, effective, parents)


class RightsClasses:
    """The rights of the classes this process met at the newest generation it saw.

    Request threads share it, hence the lock. Bounded (each class counts 1 in the store): a
    site has few classes (combinations of groups), but nothing stops an administrator from
    making many.
    """

    MAX_CLASSES = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = None
        self._kept = BoundedStore(self.MAX_CLASSES)

    def get(self, key: tuple) -> TreeRights | None:
        with self._lock:
            return self._kept.get(key)

    def put(self, key: tuple, rights: TreeRights) -> None:
        generation = key[0]
        with self._lock:
            if generation != self._generation:
                # Classes of another generation are dead (or, rarely, a late reader's): drop.
                self._kept.clear()
                self._generation = generation
            self._kept.put(key, rights, 1)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._generation = None


rights_classes = RightsClasses()


def _rights_of(user) -> TreeRights:
    rights_class = _rights_class(user)
    kept = rights_classes.get(rights_class.key)
    if kept is not None:
        return kept
    rights = _resolve(rights_class)
    # The tree may be newer than the generation read first: kept under that generation, it is
    # only ever shown to requests that read it before the change was committed.
    # Only what is committed is kept: a transaction that changed rights may yet roll back,
    # and its generation be taken again by other rights. No generation row yet: nothing kept.
    if rights_class.generation is not None and not connection.in_atomic_block:
        rights_classes.put(rights_class.key, rights)
    return rights


def tree_rights(user) -> TreeRights:
    """The person's rights over the whole tree: kept per rights class in the process, and on
    the user object for the rest of the request."""
    memo = getattr(user, _MEMO, None)
    if memo is None:
        memo = _rights_of(user)
        setattr(user, _MEMO, memo)
    return memo


def forget_rights(user) -> None:
    """Drop the memo after groups or rights change, so the same request sees the change."""
    if hasattr(user, _MEMO):
        delattr(user, _MEMO)


def is_administrator(user) -> bool:
    return user.is_authenticated and tree_rights(user).is_administrator


def is_moderator(user) -> bool:
    """A global moderator: in the moderators group, staff, or an administrator."""
    return user.is_authenticated and tree_rights(user).is_moderator


def can_manage_permissions(user) -> bool:
    return is_administrator(user)


def _may_write(user) -> bool:
    # Banned members keep reading; administrators cannot lock themselves out.
    return user.is_authenticated and (is_administrator(user) or not is_banned(user))


def visible_categories(user) -> QuerySet[Category]:
    return Category.objects.filter(pk__in=tree_rights(user).visible_ids)


def readable_categories(user) -> QuerySet[Category]:
    return Category.objects.filter(pk__in=tree_rights(user).readable_ids)


def _own(user, field: str) -> Q:
    """What this person wrote (nothing, for a guest): held posts are shown to their author."""
    return Q(**{field: user.pk}) if user.is_authenticated else Q(pk__in=[])


def _thread_conditions(user, path: str = "") -> list[Q]:
    """What makes a thread visible, asked of the thread at `path` ("" for a thread, "thread__"
    for a post's): the forums the person may read; deleted threads where they moderate; held
    ones (awaiting approval) where they moderate or that they opened.

    Posts ask them of their joined thread row rather than `thread_id IN (visible threads)`: for
    that subquery SQLite lists every visible thread on each query (50,000 threads: 60-85 ms of
    a member's thread page instead of 21-28, measured)."""
    rights = tree_rights(user)
    conditions = []
    if not rights.reads_everything:
        conditions.append(Q(**{f"{path}category_id__in": rights.readable_ids}))
    if not rights.is_administrator:
        moderated = Q(**{f"{path}category_id__in": rights.moderated_ids})
        conditions.append(Q(**{f"{path}deleted_at__isnull": True}) | moderated)
        conditions.append(Q(**{f"{path}is_held": False}) | moderated | _own(user, f"{path}author"))
    return conditions


def visible_threads(user) -> QuerySet[Thread]:
    return Thread.objects.filter(*_thread_conditions(user))


def visible_posts(user) -> QuerySet[Post]:
    """Posts of visible threads; deleted ones where they moderate; held ones where they
    moderate or that they wrote."""
    rights = tree_rights(user)
    posts = Post.objects.filter(*_thread_conditions(user, "thread__"))
    if not rights.is_administrator:
        moderated = Q(thread__category_id__in=rights.moderated_ids)
        posts = posts.filter(Q(deleted_at__isnull=True) | moderated)
        posts = posts.filter(Q(held_at__isnull=True) | moderated | _own(user, "author"))
    return posts


def hidden_post_ids(user, post_ids: set[int]) -> set[int]:
    """Which of these posts exist but are not for this person's eyes (one query, none if empty).

    A post that does not exist at all is not hidden: it has nothing to give away.
    """
    if not post_ids:
        return set()
    existing = Post.objects.filter(pk__in=post_ids)
    visible = visible_posts(user).filter(pk__in=post_ids).values("pk")
    return set(existing.exclude(pk__in=visible).values_list("pk", flat=True))


def can_see_category(user, category: Category) -> bool:
    return category.pk in tree_rights(user).visible_ids


def can_read_category(user, category: Category) -> bool:
    return category.pk in tree_rights(user).readable_ids


def can_see_deleted(user, category: Category | None = None) -> bool:
    """Deleted threads and posts: shown where the person moderates (anywhere, without a forum)."""
    if category is None:
        return is_moderator(user)
    return category.pk in tree_rights(user).moderated_ids


def can_moderate(user, category: Category) -> bool:
    return _may_write(user) and Right.MODERATE in tree_rights(user).at(category.pk)


def moderates_any_forum(user) -> bool:
    """Whether the person moderates at least one forum they can see (global or per forum):
    the moderation pages are for them."""
    if not _may_write(user):
        return False
    rights = tree_rights(user)
    return bool(rights.moderated_ids & rights.visible_ids)


def can_start_thread(user, category: Category) -> bool:
    """Threads go in forums (depth 1 and below), never straight into a top-level category."""
    return bool(
        category.depth > 0 and _may_write(user) and Right.START in tree_rights(user).at(category.pk)
    )


def posts_are_held(user, category: Category) -> bool:
    """Whether this person's new posts in this forum wait for a moderator's approval: members
    with fewer approved posts than DJEMAA_HOLD_FIRST_POSTS; never those who moderate."""
    limit = settings.DJEMAA_HOLD_FIRST_POSTS
    return bool(
        limit
        and user.is_authenticated
        and user.post_count < limit
        and not is_moderator(user)
        and not can_moderate(user, category)
    )


def can_approve(user, post: Post) -> bool:
    return post.is_held and not post.is_deleted and can_moderate(user, post.thread.category)


def can_reply(user, thread: Thread) -> bool:
    if not _may_write(user) or Right.REPLY not in tree_rights(user).at(thread.category_id):
        return False
    if thread.is_held:
        return False  # a thread awaiting approval takes no replies until it is approved
    closed = thread.is_locked or thread.deleted_at is not None
    return not closed or can_moderate(user, thread.category)


def _may_change_own(user, post: Post, right: Right) -> bool:
    thread = post.thread
    if not _may_write(user):
        return False
    if can_moderate(user, thread.category):
        return True
    return bool(
        post.author_id == user.pk
        and right in tree_rights(user).at(thread.category_id)
        and not post.is_deleted
        and not thread.is_locked
        and thread.deleted_at is None
    )


def can_edit_post(user, post: Post) -> bool:
    return _may_change_own(user, post, Right.EDIT_OWN)


def can_delete_post(user, post: Post) -> bool:
    return _may_change_own(user, post, Right.DELETE_OWN)


def can_see_revisions(user, post: Post) -> bool:
    """Who may read a post's earlier versions: its author and the forum's moderators."""
    rights = tree_rights(user).at(post.thread.category_id)
    if Right.READ not in rights or not user.is_authenticated:
        return False
    return post.author_id == user.pk or Right.MODERATE in rights


def get_category_for(user, pk: int) -> Category:
    if pk not in tree_rights(user).visible_ids:
        raise Http404
    return Category.objects.get(pk=pk)


def get_thread_for(user, pk: int) -> Thread:
    try:
        # The forum's parent comes along: posting counts in every forum above, and the
        # page shows them (Category.ancestor_ids), which would read it on its own. The
        # thread's author does not (no page of one thread shows it): joining that row cost
        # 0.24 of the 1.24 ms of CPU this query took (measured on a 60k-post forum).
        return visible_threads(user).select_related("category__parent").get(pk=pk)
    except Thread.DoesNotExist:
        raise Http404 from None


def get_post_for(user, pk: int) -> Post:
    try:
        return visible_posts(user).select_related("thread__category").get(pk=pk)
    except Post.DoesNotExist:
        raise Http404 from None
