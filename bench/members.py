"""Members signed in over HTTP, as a browser does: the sign-in form, its CSRF token, a session."""

import http.cookiejar
import urllib.parse
import urllib.request
from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The named fields of the first form whose action is `action` (hidden values kept)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and attrs.get("action") == self.action:
            self.inside = True
        elif (
            self.inside
            and tag in {"input", "textarea"}
            and attrs.get("name")
            and attrs.get("type") not in {"submit", "button"}
        ):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_fields(html: str, action: str) -> dict[str, str]:
    parser = _FormFields(action)
    parser.feed(html)
    if not parser.done:
        raise ValueError(f"no form posting to {action} on the page")
    return parser.fields


class Member:
    """One browser: its cookie jar, signed in by posting the sign-in form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def sign_in(self, username: str, password: str) -> None:
        fields = form_fields(self.get("/login/"), "/login/")
        fields.update(username=username, password=password)
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + "/login/", data=data, timeout=60) as response:
            response.read()
        if "sessionid" not in self.cookies():
            raise RuntimeError(f"signing in as {username} failed: no session cookie")

    def cookies(self) -> dict[str, str]:
        return {cookie.name: cookie.value for cookie in self.jar}

    def cookie(self) -> str:
        """The Cookie header's value this browser sends."""
        return "; ".join(f"{name}={value}" for name, value in self.cookies().items())
