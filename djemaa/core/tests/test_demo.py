import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from djemaa.accounts.models import User
from djemaa.core import demo
from djemaa.core.tests.commandline import run_djemaa
from djemaa.forums.models import Announcement, Category
from djemaa.forums.services import active_announcements, repair_counters
from djemaa.posts.models import Post
from djemaa.threads.models import Thread

ARABIC = re.compile(r"[\u0600-\u06ff]")
QUOTE_REF = re.compile(r"\[quote=([^;\]]+);([0-9]+)\]")


def run_demo() -> tuple[str, str]:
    """Run `djemaa demo --no-serve`; return its output and the password it printed."""
    out = io.StringIO()
    call_command("demo", no_serve=True, stdout=out)
    printed = out.getvalue()
    assert re.search(r"^\s*Username\s+admin$", printed, re.MULTILINE)
    return printed, re.search(r"^\s*Password\s+(\S+)$", printed, re.MULTILINE).group(1)


@pytest.fixture
def built(db):
    return run_demo()


def counters() -> dict:
    return {
        "categories": list(
            Category.objects.order_by("pk").values_list(
                "pk", "thread_count", "post_count", "last_post"
            )
        ),
        "threads": list(
            Thread.objects.order_by("pk").values_list(
                "pk", "post_count", "last_number", "last_post", "last_activity_at"
            )
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "post_count")),
    }


def content_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Category, Thread, Post, User, Announcement)
    }


def test_the_demo_builds_a_three_level_tree_with_french_and_arabic_titles(built):
    assert Category.objects.filter(depth=2).exists()
    assert not Thread.objects.filter(category__depth=0).exists()
    titles = list(Category.objects.values_list("title", flat=True))
    titles += list(Thread.objects.values_list("title", flat=True))
    assert any(ARABIC.search(title) for title in titles)
    assert "Littérature" in titles
    assert Thread.objects.count() >= 20


def test_the_demo_has_a_long_thread_of_four_pages_and_pinned_and_locked_threads(built):
    long_thread = Thread.objects.get(title=demo.LONG_THREAD_TITLE)
    assert long_thread.post_count > 60
    assert Thread.objects.filter(is_pinned=True).exists()
    assert Thread.objects.filter(is_locked=True).exists()


def test_each_time_range_of_the_thread_filters_shows_a_different_number_of_threads(built):
    now = timezone.now()
    counts = [
        Thread.objects.filter(last_activity_at__gte=now - timedelta(days=days)).count()
        for days in (1, 7, 30, 365)
    ]
    counts.append(Thread.objects.count())
    assert counts == sorted(set(counts))
    assert counts[0] > 0


def test_quotes_link_to_the_permalink_of_an_earlier_post_and_one_quote_is_nested(built):
    quoting = Post.objects.filter(has_quotes=True).select_related("thread")
    assert quoting.count() > 10
    for post in quoting:
        for name, pk in QUOTE_REF.findall(post.source):
            quoted = Post.objects.select_related("author").get(pk=pk)
            assert quoted.author.username == name
            assert quoted.thread_id == post.thread_id and quoted.number < post.number
            assert f'href="{reverse("posts:permalink", args=[quoted.pk])}"' in post.html
    assert any(post.html.count('<blockquote class="quote"') >= 2 for post in quoting)


def test_posts_mention_members_reply_to_each_other_and_mix_french_and_arabic(built):
    profile = reverse("accounts:profile", args=["Mehdi_Casa"])
    assert Post.objects.filter(html__contains=f'href="{profile}"').exists()
    assert Post.objects.filter(reply_to__isnull=False).count() > 10
    mixed = [
        post
        for post in Post.objects.all()
        if any(ARABIC.search(p) for p in post.source.split("\n\n"))
        and any("é" in p and not ARABIC.search(p) for p in post.source.split("\n\n"))
    ]
    assert mixed
    assert Post.objects.filter(format="bbcode", html__contains="<strong>").exists()


def test_members_have_arabic_signatures_languages_and_time_zones(built):
    members = User.objects.exclude(username=demo.ADMIN_USERNAME)
    assert members.count() >= 12
    assert members.filter(username__contains=" ").exists()
    assert any(ARABIC.search(member.signature_html) for member in members)
    assert {"fr", "ar", "en"} <= set(members.values_list("language", flat=True))
    zones = set(members.values_list("timezone", flat=True))
    assert {"Europe/Paris", "Africa/Algiers", "Africa/Casablanca", "Africa/Tunis"} <= zones
    assert "America/Montreal" in zones


def test_edited_posts_carry_who_edited_them_some_by_the_admin(built):
    edited = Post.objects.filter(edited_by__isnull=False)
    assert edited.count() == sum(
        1 for thread in demo.THREADS for post in thread.posts if post.edit is not None
    )
    by_admin = edited.filter(edited_by__username=demo.ADMIN_USERNAME)
    assert by_admin.exclude(author__username=demo.ADMIN_USERNAME).exists()
    for post in edited:
        assert post.edited_at - post.created_at > timedelta(minutes=5)
        assert post.edited_at < timezone.now()
        assert post.revisions.count() == 2


def test_announcements_are_site_wide_in_the_press_forum_and_one_scheduled_later(built):
    press = Category.objects.get(title="Presse et revue de presse")
    shown_in_press = list(active_announcements(press))
    assert {announcement.category for announcement in shown_in_press} == {None, press}
    assert Announcement.objects.count() == len(shown_in_press) + 1
    assert Announcement.objects.filter(starts_at__gt=timezone.now()).count() == 1


def test_the_printed_admin_password_signs_in(built):
    _, password = built
    admin = authenticate(username="admin", password=password)
    assert admin is not None and admin.is_superuser


def test_running_the_demo_again_adds_nothing_and_changes_the_password(built):
    _, first_password = built
    before = content_counts()
    printed, second_password = run_demo()
    assert "already there" in printed
    assert content_counts() == before
    assert second_password != first_password
    assert authenticate(username="admin", password=first_password) is None
    assert authenticate(username="admin", password=second_password) is not None


def test_every_counter_the_demo_leaves_is_what_a_repair_would_compute(built):
    before = counters()
    repair_counters()
    assert counters() == before


def test_a_site_with_its_own_content_gets_no_demo_content_but_an_admin_login(make_thread):
    make_thread(title="Un vrai sujet")
    before = content_counts()
    printed, password = run_demo()
    assert "content of its own" in printed
    assert Thread.objects.count() == before["Thread"]
    assert authenticate(username="admin", password=password) is not None


def test_a_member_called_admin_who_is_not_an_administrator_is_left_alone(make_member):
    make_member(username="Admin", password="un-mot-de-passe-solide")
    with pytest.raises(CommandError, match="not an administrator"):
        run_demo()
    assert authenticate(username="admin", password="un-mot-de-passe-solide") is not None


def test_djemaa_demo_works_on_a_fresh_data_directory(tmp_path):
    result = run_djemaa("demo", "--no-serve", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Demo forum created" in result.stdout
    assert re.search(r"Password\s+\S{16}", result.stdout)
    assert (tmp_path / "djemaa.sqlite3").exists()
