"""The lists the forum pages show: the tree of forums, and the threads of one forum.

Each goes through djemaa.permissions.rules, so that a page never lists what it may not show.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from djemaa.permissions.rules import visible_categories, visible_threads
from djemaa.threads.models import ReadPosition, Thread

from .models import Category

# What a row of a forum list shows of its last post, fetched with the forums themselves.
_LAST_POST = ("last_post__author", "last_post__thread")


@dataclass
class ForumNode:
    """A forum with the forums under it, as the lists show them."""

    category: Category
    children: list["ForumNode"] = field(default_factory=list)


def _tree(categories: list[Category], root_id: int | None) -> list[ForumNode]:
    """Nest an already fetched list under `root_id`, keeping the list's order."""
    nodes = {category.pk: ForumNode(category) for category in categories}
    roots: list[ForumNode] = []
    for category in categories:
        node = nodes[category.pk]
        if category.parent_id == root_id:
            roots.append(node)
        elif category.parent_id in nodes:
            nodes[category.parent_id].children.append(node)
    return roots


def forum_index(user) -> list[ForumNode]:
    """Every top-level category, its forums and their sub-forums, in one query."""
    categories = list(visible_categories(user).select_related(*_LAST_POST))
    return _tree(categories, None)


def subforums(user, category: Category) -> list[ForumNode]:
    """The forums directly under `category`, each with its own sub-forums, in one query."""
    below = visible_categories(user).filter(
        Q(parent_id=category.pk) | Q(parent__parent_id=category.pk)
    )
    return _tree(list(below.select_related(*_LAST_POST)), category.pk)


def ancestors(user, category: Category) -> list[Category]:
    """The categories above `category`, top-level first.

    One query reaches two levels up, which covers the whole tree (forums.services.MAX_DEPTH);
    a deeper tree would still work, with a query per extra level.
    """
    if category.parent_id is None:
        return []
    node = (
        visible_categories(user)
        .select_related("parent__parent")
        .filter(pk=category.parent_id)
        .first()
    )
    chain = []
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain[::-1]


def forum_threads(user, category: Category) -> QuerySet[Thread]:
    """The threads of one forum as its page lists them: pinned first, then latest activity."""
    return (
        visible_threads(user)
        .filter(category=category)
        .select_related("author", "last_post__author")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )


def unread_thread_ids(user, threads: list[Thread]) -> set[int]:
    """Which of these threads have posts the member has not been shown (one query).

    A thread the member never opened counts as unread. Guests have no reading positions.
    """
    if not user.is_authenticated or not threads:
        return set()
    read_up_to = dict(
        ReadPosition.objects.filter(user=user, thread__in=threads).values_list(
            "thread_id", "last_read_number"
        )
    )
    return {
        thread.pk
        for thread in threads
        if thread.last_post is not None and thread.last_post.number > read_up_to.get(thread.pk, 0)
    }
