import pytest
from django.test import Client
from django.urls import reverse

from djemaa.posts.services import delete_post
from djemaa.threads.services import delete_thread


@pytest.fixture
def thread_of(make_thread, make_post, make_member):
    """A thread of `count` posts (#1…#count)."""

    def make(count: int, **options):
        thread = make_thread(**options)
        author = make_member()
        for _ in range(count - 1):
            make_post(thread, author=author)
        return thread

    return make


def test_a_permalink_lands_on_the_page_that_shows_the_post(client, thread_of):
    thread = thread_of(45)
    post = thread.posts.get(number=41)

    response = client.get(reverse("posts:permalink", args=[post.pk]))

    # 20 posts a page: #41 opens page 3.
    assert response.status_code == 302
    assert response["Location"] == f"{thread.get_absolute_url()}?page=3#post-{post.pk}"


def test_a_permalink_follows_the_configured_page_size(client, thread_of, settings):
    settings.DJEMAA_POSTS_PER_PAGE = 10
    thread = thread_of(45)
    post = thread.posts.get(number=41)

    response = client.get(reverse("posts:permalink", args=[post.pk]))

    assert response["Location"] == f"{thread.get_absolute_url()}?page=5#post-{post.pk}"


def test_a_permalink_to_the_first_page_has_no_page_number(client, thread_of):
    thread = thread_of(25)
    post = thread.posts.get(number=20)

    response = client.get(reverse("posts:permalink", args=[post.pk]))

    assert response["Location"] == f"{thread.get_absolute_url()}#post-{post.pk}"


def test_the_page_a_permalink_lands_on_shows_the_post(client, thread_of, settings):
    settings.DJEMAA_POSTS_PER_PAGE = 4
    thread = thread_of(10)
    post = thread.posts.get(number=7)

    response = client.get(reverse("posts:permalink", args=[post.pk]), follow=True)

    assert response.status_code == 200
    assert f'id="post-{post.pk}"' in response.content.decode()


def test_a_permalink_to_a_deleted_post_is_a_404_except_for_moderators(
    client, thread_of, make_member
):
    moderator = make_member(is_admin=True)
    thread = thread_of(3)
    post = thread.posts.get(number=3)
    delete_post(post=post, actor=moderator)
    url = reverse("posts:permalink", args=[post.pk])

    assert client.get(url).status_code == 404
    staff = Client()
    staff.force_login(moderator)
    assert staff.get(url)["Location"] == f"{thread.get_absolute_url()}#post-{post.pk}"


def test_a_permalink_into_a_deleted_thread_is_a_404(client, thread_of, make_member):
    thread = thread_of(2)
    post = thread.posts.get(number=2)
    delete_thread(thread=thread, actor=make_member(is_admin=True))

    assert client.get(reverse("posts:permalink", args=[post.pk])).status_code == 404


def test_a_permalink_to_no_post_is_a_404(client, db):
    assert client.get("/p/999999/").status_code == 404
    assert client.get("/p/99999999999999999999999/").status_code == 404
