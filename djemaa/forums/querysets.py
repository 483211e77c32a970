"""The lists the forum pages show: the tree of forums, and the threads of one forum.

Each goes through djemaa.permissions.rules, so that a page never lists what it may not show:
not a hidden forum, nor its threads and posts in the counters and "last post" of the forums
above it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from djemaa.permissions.rules import tree_rights, visible_categories, visible_threads
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


def _without_hidden(user, categories: list[Category]) -> list[Category]:
    """Take out of the listed forums' stored counters and last posts what `user` may not see.

    Stored counters cover a node's whole subtree; the hidden subtrees' counters (one query,
    when something is hidden) are subtracted here. A node whose stored last post lies in a
    forum the person may not read gets the newest one they may read, at one query for each.
    """
    rights = tree_rights(user)
    if rights.reads_everything:
        return categories
    # The top of each hidden subtree under a visible node: its counters include what is below.
    tops = [
        pk
        for pk, parent in rights.parents.items()
        if pk not in rights.visible_ids and parent in rights.visible_ids
    ]
    hidden_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if tops:
        counters = Category.objects.filter(pk__in=tops)
        for pk, threads, posts in counters.values_list("pk", "thread_count", "post_count"):
            parent = rights.parents[pk]
            while parent is not None:
                hidden_counts[parent][0] += threads
                hidden_counts[parent][1] += posts
                parent = rights.parents[parent]
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent in rights.parents.items():
        children[parent].append(pk)
    for category in categories:
        threads, posts = hidden_counts.get(category.pk, (0, 0))
        category.thread_count -= threads
        category.post_count -= posts
        post = category.last_post
        if post is not None and post.thread.category_id not in rights.readable_ids:
            category.last_post = _newest_readable_post(category.pk, children, rights.readable_ids)
    return categories


def _newest_readable_post(pk: int, children: dict[int, list[int]], readable: frozenset[int]):
    subtree, frontier = [], [pk]
    while frontier:
        node = frontier.pop()
        subtree.append(node)
        frontier.extend(children[node])
    thread = (
        Thread.objects.filter(
            category_id__in=[node for node in subtree if node in readable],
            deleted_at__isnull=True,
            last_post__isnull=False,
        )
        .select_related("last_post__author")
        .order_by("-last_activity_at", "-pk")
        .first()
    )
    if thread is None:
        return None
    thread.last_post.thread = thread
    return thread.last_post


def forum_index(user) -> list[ForumNode]:
    """Every top-level category, its forums and their sub-forums, in one query."""
    categories = list(visible_categories(user).select_related(*_LAST_POST))
    return _tree(_without_hidden(user, categories), None)


def subforums(user, category: Category) -> list[ForumNode]:
    """The forums directly under `category`, each with its own sub-forums, in one query."""
    below = visible_categories(user).filter(
        Q(parent_id=category.pk) | Q(parent__parent_id=category.pk)
    )
    return _tree(_without_hidden(user, list(below.select_related(*_LAST_POST))), category.pk)


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
