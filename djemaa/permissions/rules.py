"""Every "may this person…?" answer, and "fetch this for this person or 404".

Pages, the API, feeds, search and notifications all ask here, so that what one of them
hides, none of them shows. Step 1 has public forums only; groups and per-forum rights
(step 2) change the bodies of these functions, not their callers.
"""

from django.db.models import QuerySet
from django.http import Http404

from djemaa.forums.models import Category
from djemaa.posts.models import Post
from djemaa.threads.models import Thread


def is_moderator(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def visible_categories(user) -> QuerySet[Category]:
    return Category.objects.all()


def visible_threads(user) -> QuerySet[Thread]:
    threads = Thread.objects.filter(category__in=visible_categories(user))
    if not is_moderator(user):
        threads = threads.filter(deleted_at__isnull=True)
    return threads


def visible_posts(user) -> QuerySet[Post]:
    posts = Post.objects.filter(thread__in=visible_threads(user))
    if not is_moderator(user):
        posts = posts.filter(deleted_at__isnull=True)
    return posts


def can_see_category(user, category: Category) -> bool:
    return visible_categories(user).filter(pk=category.pk).exists()


def can_see_deleted(user) -> bool:
    return is_moderator(user)


def can_moderate(user, category: Category) -> bool:
    return is_moderator(user)


def can_start_thread(user, category: Category) -> bool:
    """Threads go in forums (depth 1 and below), never straight into a top-level category."""
    return bool(user.is_authenticated and category.depth > 0)


def can_reply(user, thread: Thread) -> bool:
    return bool(user.is_authenticated and (not thread.is_locked or is_moderator(user)))


def can_edit_post(user, post: Post) -> bool:
    if is_moderator(user):
        return True
    return bool(
        user.is_authenticated
        and post.author_id == user.pk
        and not post.is_deleted
        and not post.thread.is_locked
    )


def can_delete_post(user, post: Post) -> bool:
    return can_edit_post(user, post)


def can_see_revisions(user, post: Post) -> bool:
    """Who may read a post's earlier versions: its author and moderators."""
    return bool(user.is_authenticated and (post.author_id == user.pk or is_moderator(user)))


def get_category_for(user, pk: int) -> Category:
    try:
        return visible_categories(user).get(pk=pk)
    except Category.DoesNotExist:
        raise Http404 from None


def get_thread_for(user, pk: int) -> Thread:
    try:
        return visible_threads(user).select_related("category", "author").get(pk=pk)
    except Thread.DoesNotExist:
        raise Http404 from None


def get_post_for(user, pk: int) -> Post:
    try:
        return visible_posts(user).select_related("thread").get(pk=pk)
    except Post.DoesNotExist:
        raise Http404 from None
