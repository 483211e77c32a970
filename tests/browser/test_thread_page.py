"""The thread page in a real browser: what only a browser shows (layout, direction, scripts)."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

ARABIC = "مرحبا بكم في المنتدى، نتمنى لكم قراءة ممتعة."


def _numbers(page: Page) -> list[int]:
    numbers = page.locator("article.post").evaluate_all("posts => posts.map(p => p.dataset.number)")
    return [int(number) for number in numbers]


def _wait_until(page: Page, condition: Callable[[], object], timeout_ms: int = 5000) -> None:
    """Lets the browser's events (such as route handlers) run until `condition` holds."""
    for _ in range(timeout_ms // 25):
        if condition():
            return
        page.wait_for_timeout(25)
    raise AssertionError("the browser never got there")


@pytest.fixture
def thread_of(make_thread, make_post, make_member):
    """A thread of `count` posts, the even ones by its starter."""

    def make(count: int, **options):
        starter, other = make_member(username="Amina"), make_member(username="Karim")
        thread = make_thread(author=starter, source="Message 1", **options)
        for number in range(2, count + 1):
            make_post(thread, source=f"Message {number}", author=starter if number % 2 else other)
        return thread

    return make


def test_reading_a_thread(open_page, screenshot, make_member, make_thread, make_post):
    author = make_member(username="Amina", signature="*Pâtissière à Lyon*")
    thread = make_thread(
        title="Le meilleur fraisier", author=author, source="Voici ma recette, **testée**."
    )
    first = thread.posts.get()
    make_post(thread, source="[quote=Amina]Voici ma recette[/quote]\n\nMerci !", reply_to=first)

    page = open_page(thread.get_absolute_url())

    expect(page.locator("h1")).to_have_text("Le meilleur fraisier")
    expect(page.locator("article.post")).to_have_count(2)
    expect(page.locator(".signature").first).to_contain_text("Pâtissière à Lyon")
    expect(page.locator(".quote-header")).to_have_text("Amina wrote:")
    expect(page.locator(".in-reply-to")).to_have_text("in reply to #1")
    screenshot(page)


def test_paging_through_links_without_javascript(open_page, screenshot, thread_of, settings):
    settings.DJEMAA_POSTS_PER_PAGE = 3
    thread = thread_of(8)

    page = open_page(thread.get_absolute_url(), javascript=False)
    assert _numbers(page) == [1, 2, 3]

    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    assert _numbers(page) == [4, 5, 6]
    page.get_by_role("link", name="Page 3").click()
    assert _numbers(page) == [7, 8]
    screenshot(page)


def test_scrolling_loads_the_next_posts_and_the_address_follows(
    open_page, screenshot, thread_of, settings
):
    settings.DJEMAA_POSTS_PER_PAGE = 5
    thread = thread_of(12)
    fetched: list[str] = []  # the address of each fragment request, in order
    held: list[Route] = []

    def hold_the_first_fragment(route: Route) -> None:
        # Holding it shows the loading state before the posts arrive.
        if route.request.headers.get("x-djemaa-fragment") == "1":
            fetched.append(route.request.url)
            if len(fetched) == 1:
                held.append(route)
                return
        route.continue_()

    page = open_page(thread.get_absolute_url(), width=800)
    page.route(re.compile(r".*\?page=\d+$"), hold_the_first_fragment)

    page.locator("article.post").last.scroll_into_view_if_needed()
    indicator = page.locator(".loading-indicator")
    expect(indicator).to_be_visible()
    expect(indicator).to_have_text("Loading…")
    screenshot(page, "loading")
    _wait_until(page, lambda: held)
    held.pop().continue_()
    expect(page.locator("article.post")).to_have_count(10)

    page.locator('article.post[data-number="7"]').evaluate("post => post.scrollIntoView()")
    expect(page).to_have_url(re.compile(r"\?page=2$"))

    page.locator("article.post").last.scroll_into_view_if_needed()
    expect(page.locator("article.post")).to_have_count(12)
    # Each page came exactly once, and nothing is left to load.
    assert [url.rsplit("=", 1)[1] for url in fetched] == ["2", "3"]
    assert _numbers(page) == list(range(1, 13))
    expect(page.locator(".pagination a[rel=next]")).to_have_count(0)
    page.locator('article.post[data-number="12"]').evaluate("post => post.scrollIntoView()")
    expect(page).to_have_url(re.compile(r"\?page=3$"))
    screenshot(page)


def test_a_failed_load_offers_to_try_again(open_page, thread_of, settings):
    settings.DJEMAA_POSTS_PER_PAGE = 5
    thread = thread_of(8)
    page = open_page(thread.get_absolute_url(), width=800)
    page.route(re.compile(r".*\?page=2$"), lambda route: route.fulfill(status=503, body=""))

    page.locator("article.post").last.scroll_into_view_if_needed()
    retry = page.locator(".load-error a")
    expect(retry).to_be_visible()
    expect(page.locator(".loading-indicator")).to_be_hidden()

    page.unroute(re.compile(r".*\?page=2$"))
    retry.click()
    expect(page.locator("article.post")).to_have_count(8)


def test_the_filter_bar_shows_the_starters_posts_then_clears(open_page, screenshot, thread_of):
    thread = thread_of(6)

    page = open_page(thread.get_absolute_url())
    page.get_by_label("Show").select_option("starter")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"show=starter"))
    expect(page.locator("article.post")).to_have_count(3)
    authors = page.locator("article.post .username").all_inner_texts()
    assert set(authors) == {"Amina"}
    screenshot(page)

    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(thread.get_absolute_url())}$"))
    expect(page.locator("article.post")).to_have_count(6)


def test_the_announcements_box_remembers_it_was_closed(open_page, screenshot, make_thread):
    from djemaa.forums.services import create_announcement

    create_announcement(title="Bienvenue", body="Lisez les règles avant de poster.")
    thread = make_thread()

    page = open_page(thread.get_absolute_url())
    box = page.locator("details.announcements")
    expect(box).to_have_attribute("open", "")
    page.locator("details.announcements > summary").click()
    expect(box).not_to_have_attribute("open", "")

    page.reload()
    expect(page.locator("details.announcements > summary")).to_be_visible()
    assert box.evaluate("box => box.open") is False
    screenshot(page, "closed")

    page.locator("details.announcements > summary").click()
    page.reload()
    assert box.evaluate("box => box.open") is True
    screenshot(page)


def test_an_arabic_paragraph_in_a_french_post_runs_right_to_left(
    open_page, screenshot, make_thread
):
    thread = make_thread(
        title="Bienvenue à tous", source=f"Bonjour à toutes et à tous.\n\n{ARABIC}\n\nÀ bientôt."
    )
    direction = "p => getComputedStyle(p).direction"

    page = open_page(thread.get_absolute_url(), locale="fr-FR")
    paragraphs = page.locator(".post-body p")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert paragraphs.nth(0).evaluate(direction) == "ltr"
    assert paragraphs.nth(1).evaluate(direction) == "rtl"
    assert paragraphs.nth(2).evaluate(direction) == "ltr"
    screenshot(page, "french-interface")

    page = open_page(thread.get_absolute_url(), locale="ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    # The French title stays left to right inside the Arabic page.
    assert page.locator("h1").evaluate("h1 => getComputedStyle(h1).direction") == "ltr"
    assert page.locator(".post-body p").nth(1).evaluate(direction) == "rtl"
    screenshot(page, "arabic-interface")


@pytest.mark.parametrize("locale", ["fr-FR", "ar"])
def test_a_phone_shows_a_post_with_a_very_long_url_without_scrolling_sideways(
    open_page, screenshot, make_thread, locale
):
    long_url = "https://example.org/" + "tres-long-chemin/" * 30 + "?q=" + "x" * 200
    thread = make_thread(title="Un lien très long", source=f"Regardez : {long_url}")

    page = open_page(thread.get_absolute_url(), locale=locale, width=375)

    expect(page.locator(".post-body a")).to_have_count(1)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    box = page.locator("article.post").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    screenshot(page)
