"""Moderation in a real browser: merging two threads from the thread page, the reports queue."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from djemaa.moderation import services
from djemaa.moderation.models import Report

pytestmark = pytest.mark.browser


@pytest.fixture
def two_threads(make_member, make_thread, make_post):
    """The same question asked twice; the answers of both interleave in time."""
    start = timezone.now() - timedelta(hours=5)
    amina, karim = make_member(username="Amina"), make_member(username="Karim")
    target = make_thread(
        title="Le fraisier",
        author=amina,
        source="Quelle crème pour le fraisier ?",
        created_at=start,
    )
    source = make_thread(
        title="Fraisier : quelle crème ?",
        author=karim,
        source="Mousseline ou diplomate ?",
        created_at=start + timedelta(hours=1),
    )
    make_post(target, source="Une mousseline.", author=karim, created_at=start + timedelta(hours=2))
    make_post(source, source="Diplomate !", author=amina, created_at=start + timedelta(hours=3))
    return source, target


def _post_texts(page: Page) -> list[str]:
    return page.locator("article.post .post-body").all_inner_texts()


def test_a_moderator_merges_two_threads_from_the_thread_page(
    open_as, screenshot, make_member, two_threads
):
    source, target = two_threads
    moderator = make_member(username="Modératrice", is_admin=True)
    page = open_as(moderator, source.get_absolute_url())

    tools = page.get_by_role("region", name="Moderate this thread")
    tools.get_by_label("Merge into").fill(target.get_absolute_url())
    screenshot(page, "choosing")
    tools.get_by_role("button", name="Merge…").click()

    expect(page.locator("h1")).to_have_text("Merge threads")
    expect(page.locator(".merge-thread h2")).to_have_text(
        ["Fraisier : quelle crème ?", "Le fraisier"]
    )
    screenshot(page, "confirming")
    page.get_by_role("button", name="Merge", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(target.get_absolute_url()) + "$"))
    expect(page.locator(".messages")).to_contain_text("The threads are merged.")
    assert _post_texts(page) == [
        "Quelle crème pour le fraisier ?",
        "Mousseline ou diplomate ?",
        "Une mousseline.",
        "Diplomate !",
    ]
    numbers = page.locator("article.post").evaluate_all("posts => posts.map(p => p.dataset.number)")
    assert numbers == ["1", "2", "3", "4"]
    screenshot(page, "merged")

    page.goto(source.get_absolute_url())
    expect(page).to_have_url(re.compile(re.escape(target.get_absolute_url()) + "$"))
    expect(page.locator("h1")).to_have_text("Le fraisier")


def test_a_moderator_settles_reports_without_leaving_the_queue(
    open_as, screenshot, make_member, make_thread, make_post
):
    thread = make_thread(title="Le fraisier")
    rude = make_post(thread, source="Message grossier")
    fine = make_post(thread, source="Message correct")
    services.report_post(reporter=make_member(), post=rude, reason="Grossier")
    services.report_post(reporter=make_member(), post=fine, reason="Pas d'accord")
    moderator = make_member(username="Modératrice", is_admin=True)
    page = open_as(moderator, "/moderation/")

    reports = page.locator("li.report")
    reports.nth(0).get_by_role("button", name="Delete the post").click()
    expect(reports.nth(0).locator(".report-note")).to_have_text(re.compile("The post is deleted"))
    reports.nth(1).get_by_role("button", name="Dismiss").click()
    expect(reports.nth(1).locator(".report-note")).to_have_text("The report is dismissed.")
    expect(page).to_have_url(re.compile(r"/moderation/$"))
    screenshot(page)
    rude.refresh_from_db()
    assert rude.is_deleted
    assert not Report.objects.filter(closed_at__isnull=True).exists()
