"""A real Chromium (Debian's, never a downloaded one) driven by Playwright's sync API.

Each test gets a fresh browser context, so storage and cookies never leak between tests;
the browser itself is started once for the session, which keeps the suite fast.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in the test's thread, and Django refuses database
# access from a thread with a running loop unless told it is safe (the tests do not share
# connections between threads; the live server has its own).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Opens a page of the live server in a fresh context.

    `locale` sets Accept-Language (so the interface language); `width` the viewport width;
    `javascript=False` reads the site as a browser without scripts does.
    """
    contexts = []

    def open_(
        path: str, *, locale: str = "en-US", width: int = 1280, javascript: bool = True
    ) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request) -> Callable[..., None]:
    """Saves the page as test-artifacts/screenshots/<test name>[-<state>].png."""
    folder = Path(request.config.rootpath) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, state: str = "") -> None:
        name = request.node.name + (f"-{state}" if state else "")
        page.screenshot(path=folder / f"{name}.png", full_page=True)

    return take


@pytest.fixture
def open_as(open_page, live_server) -> Callable[..., Page]:
    """Opens `path` signed in as `member` (the session cookie of a real sign-in)."""

    def open_(member, path: str, **options) -> Page:
        client = Client()
        client.force_login(member)
        page = open_page("/static/djemaa/djemaa.css", **options)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page.goto(path)
        return page

    return open_
