"""Writing in a real browser: multi-quote, quoting a selection, editing and its history."""

import re

import pytest
from playwright.sync_api import expect

from djemaa.posts.models import Post

pytestmark = pytest.mark.browser


@pytest.fixture
def conversation(make_member, make_thread, make_post):
    """A thread where Amina asks and Karim answers."""
    amina, karim = make_member(username="Amina"), make_member(username="Karim")
    thread = make_thread(
        title="Le meilleur fraisier", author=amina, source="Quelle crème pour le fraisier ?"
    )
    make_post(thread, source="Une crème mousseline, sans hésiter.", author=karim)
    return thread


def test_writing_a_reply_with_a_multi_quote(open_as, screenshot, make_member, conversation):
    first, second = conversation.posts.order_by("number")
    page = open_as(make_member(language="en"), conversation.get_absolute_url())

    for post in (first, second):
        button = page.locator(f"#post-{post.pk} form.multiquote button")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name="Reply with the quotes you gathered").click()

    box = page.locator("textarea[name=source]")
    expect(box).to_have_value(
        re.compile(rf"^\[quote=Amina;{first.pk}\].*\[quote=Karim;{second.pk}\]", re.S)
    )
    box.press("Control+End")
    box.press_sequentially("\nMerci à vous deux !")
    expect(page.locator(".writing-preview blockquote.quote")).to_have_count(2)
    screenshot(page, "form")
    page.get_by_role("button", name="Post reply").click()

    reply = Post.objects.get(thread=conversation, number=3)
    assert reply.source.endswith("[/quote]\n\nMerci à vous deux !")
    expect(page).to_have_url(re.compile(rf"#post-{reply.pk}$"))
    quotes = page.locator(f"#post-{reply.pk} .quote-source")
    expect(quotes).to_have_count(2)
    expect(quotes.nth(0)).to_have_attribute("href", f"/p/{first.pk}/")
    expect(quotes.nth(1)).to_have_attribute("href", f"/p/{second.pk}/")
    expect(
        page.locator(f"#post-{reply.pk} form.multiquote button[aria-pressed=true]")
    ).to_have_count(0)
    screenshot(page)


def test_a_multi_quote_reply_without_javascript(open_as, make_member, conversation):
    first, second = conversation.posts.order_by("number")
    page = open_as(make_member(language="en"), conversation.get_absolute_url(), javascript=False)

    page.locator(f"#post-{first.pk} form.multiquote button").click()
    page.locator(f"#post-{second.pk} form.multiquote button").click()
    expect(page.locator("form.multiquote button[aria-pressed=true]")).to_have_count(2)
    page.get_by_role("link", name="Reply with the quotes you gathered").click()
    page.locator("textarea[name=source]").press("Control+End")
    page.locator("textarea[name=source]").press_sequentially("\nD'accord.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".writing-preview blockquote.quote")).to_have_count(2)
    page.get_by_role("button", name="Post reply").click()

    assert Post.objects.get(thread=conversation, number=3).source.count("[quote=") == 2


def test_quoting_a_selection_quotes_only_what_is_selected(
    open_as, screenshot, make_member, conversation
):
    second = conversation.posts.get(number=2)
    page = open_as(make_member(language="en"), conversation.get_absolute_url())

    # Select "crème mousseline" inside Karim's post, as a reader dragging the mouse would.
    page.locator(f"#post-{second.pk} .post-body p").evaluate(
        """(paragraph) => {
            const text = paragraph.firstChild;
            const start = text.data.indexOf("crème mousseline");
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + "crème mousseline".length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    page.locator(f"#post-{second.pk} .quote-action").click()

    box = page.locator(".reply-box textarea[name=source]")
    expect(box).to_have_value(f"[quote=Karim;{second.pk}]\ncrème mousseline\n[/quote]\n")
    expect(box).to_be_focused()
    expect(page.locator(".reply-box .writing-preview .quote-header")).to_contain_text("Karim")
    screenshot(page)


def test_editing_a_post_and_reading_its_history(
    open_as, screenshot, make_member, make_thread, settings
):
    settings.DJEMAA_EDIT_GRACE_SECONDS = 0
    author = make_member(username="Amina", language="en")
    thread = make_thread(author=author, source="La crème au beurre est trop lourde.")
    post = thread.posts.get()
    page = open_as(author, thread.get_absolute_url())

    page.locator(f"#post-{post.pk} .post-actions").get_by_role("link", name="Edit").click()
    box = page.locator("textarea[name=source]")
    box.fill("La crème mousseline est plus légère.")
    expect(page.locator(".writing-preview")).to_contain_text("plus légère")
    page.get_by_role("button", name="Save changes").click()

    expect(page.locator(f"#post-{post.pk} .post-body")).to_have_text(
        "La crème mousseline est plus légère."
    )
    expect(page.locator(f"#post-{post.pk} .edited-note")).to_contain_text("Last edited by Amina")
    page.locator(f"#post-{post.pk} .post-actions").get_by_role("link", name="History").click()

    diff = page.locator(".revision-diff").first
    expect(diff.locator("del")).to_contain_text(["au beurre", "trop lourde."])
    expect(diff.locator("ins")).to_contain_text(["mousseline", "plus légère."])
    screenshot(page)


def test_the_history_reads_right_to_left_in_arabic(
    open_as, screenshot, make_member, make_thread, settings
):
    settings.DJEMAA_EDIT_GRACE_SECONDS = 0
    author = make_member(username="Salma", language="ar")
    thread = make_thread(author=author, source="مرحبا بكم في المنتدى")
    post = thread.posts.get()
    from djemaa.posts.services import check_edit_post

    check_edit_post(user=author, post=post, source="مرحبا بكم جميعا في المنتدى")
    page = open_as(author, f"/p/{post.pk}/history/", locale="ar")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".revision-diff ins").first).to_have_text("جميعا ")
    screenshot(page)


def test_a_reply_being_written_survives_a_reload_in_arabic(
    open_as, screenshot, make_member, conversation
):
    member = make_member(username="Salma", language="ar")
    page = open_as(member, f"/t/{conversation.pk}/reply/", locale="ar")

    page.locator("textarea[name=source]").press_sequentially("أوافق **تماما** على هذا الرأي")
    expect(page.locator(".writing-preview strong")).to_have_text("تماما")
    page.reload()

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("textarea[name=source]")).to_have_value("أوافق **تماما** على هذا الرأي")
    screenshot(page)
