"""Reading what a thread page shows, for the tests."""

import re

_ARTICLE_NUMBER = re.compile(r'<article class="post[^"]*"[^>]*data-number="(\d+)"')


def shown_numbers(response) -> list[int]:
    """The numbers of the posts a page shows, in order."""
    return [int(number) for number in _ARTICLE_NUMBER.findall(response.content.decode())]


def element(response, css_class: str) -> str:
    """The text of the first element whose class list starts with `css_class`."""
    html = response.content.decode()
    match = re.search(rf'<(\w+) class="{re.escape(css_class)}[^"]*"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no .{css_class} on the page"
    return match.group(2)
