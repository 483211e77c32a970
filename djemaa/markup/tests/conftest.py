from collections.abc import Callable

import pytest

from djemaa.markup.render import Rendered, render_post, render_signature

# The people who exist, by lowercased name, as the accounts lookup would answer.
USERS = {
    "amina": "Amina",
    "jean.pierre": "Jean.Pierre",
    "أمينة": "أمينة",
    "jean pierre": "Jean Pierre",
}


def resolve_users(names: set[str]) -> dict[str, str]:
    return {name.lower(): USERS[name.lower()] for name in names if name.lower() in USERS}


def post_url(post_id: int) -> str:
    return f"/p/{post_id}/"


def profile_url(username: str) -> str:
    return f"/u/{username}/"


@pytest.fixture
def render() -> Callable[..., Rendered]:
    def render(source: str, fmt: str = "markdown") -> Rendered:
        return render_post(
            source,
            fmt,
            resolve_users=resolve_users,
            post_url=post_url,
            profile_url=profile_url,
        )

    return render


@pytest.fixture
def signature() -> Callable[..., str]:
    def signature(source: str, fmt: str = "markdown") -> str:
        return render_signature(
            source, resolve_users=resolve_users, profile_url=profile_url, fmt=fmt
        )

    return signature
