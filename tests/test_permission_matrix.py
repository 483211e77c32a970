"""Every page and action × each built-in group × a public, a private and a read-only forum.

Each row of a table says, for the three forums, what the four built-in groups get, one letter
per group in the order of ROLES (guest, member, moderator, administrator):

    Y  allowed            N  refused (the page says why, or the action is not offered)
    H  hidden: the forum and everything in it does not exist for them (404, never 403)

Add a row when a page or an action is added; the forums and people are built in `world`.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse

from djemaa.accounts.services import create_member
from djemaa.forums.services import create_category
from djemaa.permissions import rules, services
from djemaa.permissions.models import Right
from djemaa.posts.models import Post
from djemaa.posts.services import create_post
from djemaa.threads.models import Thread
from djemaa.threads.services import start_thread

ROLES = ("guest", "member", "moderator", "administrator")
FORUMS = ("public", "private", "readonly")
# The member's own rights in a read-only forum: they see and read, and write nothing.
READ_ONLY_REFUSED = Right.START | Right.REPLY | Right.EDIT_OWN | Right.DELETE_OWN


@dataclass
class World:
    forums: dict[str, Any]
    threads: dict[str, Thread]
    own_posts: dict[str, Post]  # the member's reply (#2) in each forum's thread
    others_posts: dict[str, Post]  # the thread's first post, by another member
    people: dict[str, Any]
    # Replies awaiting approval (DJEMAA_HOLD_FIRST_POSTS): a newcomer's, and the member's own.
    held_posts: dict[str, Post]
    own_held_posts: dict[str, Post]


@pytest.fixture
def world(db, settings) -> World:
    settings.DJEMAA_NEW_MEMBER_POSTS_PER_HOUR = 0  # the matrix is about rights, not rates
    services.ensure_built_in_groups()
    member = create_member(username="membre")
    other = create_member(username="autre")
    moderator = create_member(username="modo")
    Group.objects.get(name="moderators").user_set.add(moderator)
    administrator = create_member(username="admin", is_admin=True)
    category = create_category(title="Communauté")
    newcomer = create_member(username="nouveau")
    forums, threads, own, others, held, own_held = {}, {}, {}, {}, {}, {}
    for kind in FORUMS:
        forum = create_category(title=f"Forum {kind}", parent=category)
        thread = start_thread(author=other, category=forum, title=f"Sujet {kind}", source="Un.")
        others[kind] = thread.last_post
        own[kind] = create_post(author=member, thread=thread, source="Deux.")
        held[kind] = create_post(author=newcomer, thread=thread, source="Attente.", held=True)
        own_held[kind] = create_post(author=member, thread=thread, source="Mienne.", held=True)
        forums[kind], threads[kind] = forum, thread
    guests, members = Group.objects.get(name="guests"), Group.objects.get(name="members")
    refuse = services.REFUSE
    services.set_forum_rights(
        administrator,
        category=forums["private"],
        choices={guests: {Right.SEE: refuse}, members: {Right.SEE: refuse}},
    )
    services.set_forum_rights(
        administrator,
        category=forums["readonly"],
        choices={members: {right: refuse for right in Right if right in READ_ONLY_REFUSED}},
    )
    people = {"guest": None, "member": member, "moderator": moderator}
    people["administrator"] = administrator
    return World(forums, threads, own, others, people, held, own_held)


def person(world: World, role: str):
    """A fresh user object, as a new request has (rights are kept per user object)."""
    found = world.people[role]
    return AnonymousUser() if found is None else type(found).objects.get(pk=found.pk)


def expected(row: dict[str, str], forum: str, role: str) -> str:
    return row[forum][ROLES.index(role)]


# ---- The permission service, action by action ----

SEEN = {"public": "YYYY", "private": "NNYY", "readonly": "YYYY"}
WRITE = {"public": "NYYY", "private": "NNYY", "readonly": "NNYY"}
MODERATE = {"public": "NNYY", "private": "NNYY", "readonly": "NNYY"}
SERVICE_ROWS = {
    "see the forum": (SEEN, lambda user, w, f: rules.can_see_category(user, w.forums[f])),
    "read the forum": (SEEN, lambda user, w, f: rules.can_read_category(user, w.forums[f])),
    "start a thread": (WRITE, lambda user, w, f: rules.can_start_thread(user, w.forums[f])),
    "reply": (WRITE, lambda user, w, f: rules.can_reply(user, w.threads[f])),
    "edit own post": (WRITE, lambda user, w, f: rules.can_edit_post(user, _own(user, w, f))),
    "delete own post": (WRITE, lambda user, w, f: rules.can_delete_post(user, _own(user, w, f))),
    "edit another's post": (
        MODERATE,
        lambda user, w, f: rules.can_edit_post(user, w.others_posts[f]),
    ),
    "delete another's post": (
        MODERATE,
        lambda user, w, f: rules.can_delete_post(user, w.others_posts[f]),
    ),
    "moderate": (MODERATE, lambda user, w, f: rules.can_moderate(user, w.forums[f])),
    "see deleted posts": (MODERATE, lambda user, w, f: rules.can_see_deleted(user, w.forums[f])),
    "see own post's history": (
        {"public": "NYYY", "private": "NNYY", "readonly": "NYYY"},
        lambda user, w, f: rules.can_see_revisions(user, _own(user, w, f)),
    ),
    "see a newcomer's held post": (
        MODERATE,
        lambda user, w, f: rules.visible_posts(user).filter(pk=w.held_posts[f].pk).exists(),
    ),
    "see one's own held post": (
        {"public": "NYYY", "private": "NNYY", "readonly": "NYYY"},
        lambda user, w, f: rules.visible_posts(user).filter(pk=w.own_held_posts[f].pk).exists(),
    ),
    "approve or reject a held post": (
        MODERATE,
        lambda user, w, f: rules.can_approve(user, w.held_posts[f]),
    ),
    "manage permissions": (
        {"public": "NNNY", "private": "NNNY", "readonly": "NNNY"},
        lambda user, w, f: rules.can_manage_permissions(user),
    ),
}


def _own(user, world: World, forum: str) -> Post:
    """The person's own post in that forum (the member's for guests, who have none)."""
    post = world.own_posts[forum]
    if user.is_authenticated and post.author_id != user.pk:
        post = create_post(author=user, thread=world.threads[forum], source="À moi.")
    post.thread = world.threads[forum]
    return post


@pytest.mark.parametrize("role", ROLES)
def test_the_permission_service_answers_each_group_in_each_forum(world, role):
    wrong = []
    for forum in FORUMS:
        user = person(world, role)
        for action, (row, allowed) in SERVICE_ROWS.items():
            want = expected(row, forum, role) == "Y"
            if allowed(user, world, forum) != want:
                wrong.append(f"{action} in the {forum} forum: expected {want}")
    assert not wrong, wrong


# ---- Pages and actions through HTTP ----


def _get(url_of):
    def do(client, world, forum):
        return client.get(url_of(world, forum)), None

    return do


def _post(url_of, data_of=lambda world, forum: {}, changed=None):
    def do(client, world, forum):
        response = client.post(url_of(world, forum), data_of(world, forum))
        return response, changed(world, forum) if changed else None

    return do


def _posts_in(world, forum):
    return Post.objects.filter(thread=world.threads[forum]).count()


def _reply_written(world, forum):
    return _posts_in(world, forum) == 5


def _thread_started(world, forum):
    return Thread.objects.filter(category=world.forums[forum]).count() == 2


def _own_post_edited(world, forum):
    return Post.objects.get(pk=world.own_posts[forum].pk).source == "Modifié."


def _own_post_deleted(world, forum):
    return Post.objects.get(pk=world.own_posts[forum].pk).deleted_at is not None


def _thread_locked(world, forum):
    return Thread.objects.get(pk=world.threads[forum].pk).is_locked


# Pages of what cannot be seen are not found; the writing pages of what can be seen say why
# they refuse (check_page).
SHOWN = {"public": "YYYY", "private": "HHYY", "readonly": "YYYY"}
WRITTEN = {"public": "NYYY", "private": "HHYY", "readonly": "NNYY"}
READING_ROWS = {
    "forum page": (
        SHOWN,
        _get(lambda w, f: w.forums[f].get_absolute_url()),
    ),
    "thread page": (SHOWN, _get(lambda w, f: w.threads[f].get_absolute_url())),
    "thread short address": (
        SHOWN,
        _get(lambda w, f: reverse("threads:thread_short", args=[w.threads[f].pk])),
    ),
    "first unread post": (
        SHOWN,
        _get(lambda w, f: reverse("threads:unread", args=[w.threads[f].pk])),
    ),
    "permalink": (
        SHOWN,
        _get(lambda w, f: reverse("posts:permalink", args=[w.others_posts[f].pk])),
    ),
    "permalink of a newcomer's held post": (
        {"public": "HHYY", "private": "HHYY", "readonly": "HHYY"},
        _get(lambda w, f: reverse("posts:permalink", args=[w.held_posts[f].pk])),
    ),
    "permalink of one's own held post": (
        {"public": "HYYY", "private": "HHYY", "readonly": "HYYY"},
        _get(lambda w, f: reverse("posts:permalink", args=[w.own_held_posts[f].pk])),
    ),
    "queue of held posts": (
        {"public": "HHYY", "private": "HHYY", "readonly": "HHYY"},
        _get(lambda w, f: reverse("moderation:held_posts")),
    ),
    "reply form": (
        SHOWN,
        _get(lambda w, f: reverse("threads:reply", args=[w.threads[f].pk])),
    ),
    "new thread form": (
        SHOWN,
        _get(lambda w, f: reverse("threads:new", args=[w.forums[f].pk])),
    ),
    "history of the member's post": (
        {"public": "HYYY", "private": "HHYY", "readonly": "HYYY"},
        _get(lambda w, f: reverse("posts:history", args=[w.own_posts[f].pk])),
    ),
    "the groups page": (
        {"public": "HHHY", "private": "HHHY", "readonly": "HHHY"},
        _get(lambda w, f: reverse("permissions:groups")),
    ),
    "the forum's permission grid": (
        {"public": "HHHY", "private": "HHHY", "readonly": "HHHY"},
        _get(lambda w, f: reverse("permissions:grid", args=[w.forums[f].pk])),
    ),
}
ACTION_ROWS = {
    "send a reply": (
        WRITTEN,
        _post(
            lambda w, f: reverse("threads:reply", args=[w.threads[f].pk]),
            lambda w, f: {"source": "Ma réponse.", "token": f"reply-{f}"},
            _reply_written,
        ),
    ),
    "start a thread": (
        WRITTEN,
        _post(
            lambda w, f: reverse("threads:new", args=[w.forums[f].pk]),
            lambda w, f: {"title": "Nouveau", "source": "Texte.", "token": f"new-{f}"},
            _thread_started,
        ),
    ),
    "edit the member's post": (
        WRITTEN,
        _post(
            lambda w, f: reverse("posts:edit", args=[w.own_posts[f].pk]),
            lambda w, f: {"source": "Modifié."},
            _own_post_edited,
        ),
    ),
    "delete the member's post": (
        WRITTEN,
        _post(
            lambda w, f: reverse("posts:delete", args=[w.own_posts[f].pk]),
            changed=_own_post_deleted,
        ),
    ),
    "lock the thread": (
        {"public": "HHYY", "private": "HHYY", "readonly": "HHYY"},
        _post(
            lambda w, f: reverse("moderation:lock_thread", args=[w.threads[f].pk]),
            lambda w, f: {"locked": "1"},
            _thread_locked,
        ),
    ),
    "approve a held post": (
        {"public": "HHYY", "private": "HHYY", "readonly": "HHYY"},
        _post(
            lambda w, f: reverse("moderation:approve_post", args=[w.held_posts[f].pk]),
            changed=lambda w, f: not Post.objects.get(pk=w.held_posts[f].pk).is_held,
        ),
    ),
    "reject a held post": (
        {"public": "HHYY", "private": "HHYY", "readonly": "HHYY"},
        _post(
            lambda w, f: reverse("moderation:reject_post", args=[w.held_posts[f].pk]),
            changed=lambda w, f: Post.objects.get(pk=w.held_posts[f].pk).is_deleted,
        ),
    ),
    "pin the thread": (
        {"public": "HHYY", "private": "HHYY", "readonly": "HHYY"},
        _post(
            lambda w, f: reverse("moderation:pin_thread", args=[w.threads[f].pk]),
            lambda w, f: {"pinned": "1"},
            lambda w, f: Thread.objects.get(pk=w.threads[f].pk).is_pinned,
        ),
    ),
}


def check_page(outcome: str, response, changed: bool | None) -> str | None:
    """What is wrong with the answer for the expected outcome, or None."""
    status = response.status_code
    if outcome == "H":
        return None if status == 404 and not changed else f"expected 404, got {status}"
    to_login = status == 302 and "/login/" in response.url
    if outcome == "Y":
        if status not in (200, 301, 302) or to_login or changed is False:
            return f"expected success, got {status} (changed: {changed})"
        return None
    # Refused: a page that says why (400/403), or the login page for guests; nothing changed.
    refused = status in (400, 403) or to_login
    return None if refused and not changed else f"expected a refusal, got {status}"


def _check(client, world, row, do, role) -> list[str]:
    wrong = []
    for forum in FORUMS:
        if world.people[role] is not None:
            client.force_login(world.people[role])
        response, changed = do(client, world, forum)
        problem = check_page(expected(row, forum, role), response, changed)
        if problem:
            wrong.append(f"{forum} forum: {problem}")
    return wrong


@pytest.mark.parametrize("role", ROLES)
def test_each_reading_page_answers_each_group_in_each_forum(client, world, role):
    wrong = []
    for page, (row, do) in READING_ROWS.items():
        wrong.extend(f"{page}, {problem}" for problem in _check(client, world, row, do, role))
    assert not wrong, wrong


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTION_ROWS)
def test_each_action_answers_each_group_in_each_forum(client, world, action, role):
    row, do = ACTION_ROWS[action]
    wrong = _check(client, world, row, do, role)
    assert not wrong, wrong
