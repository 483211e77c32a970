"""The message catalogues: complete, well-formed, compiled, and used by the real pages.

The msgids are English, so the English catalogue exists (the language is real) but leaves its
msgstrs empty; French and Arabic must translate everything. A message missing from the Arabic
catalogue would not even show in English: Django falls back to the site language's catalogue.
"""

import gettext
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["fr", "ar", "en"]
TRANSLATED = ["fr", "ar"]
# From the Unicode CLDR plural rules, written as GNU gettext expects them.
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "ar": (
        "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
        "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;"
    ),
}
PYTHON_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"\{\w*(?:[.!:][^{}]*)?\}")
TAG = re.compile(r"<[^<>]+>")


def catalogues(language: str) -> list[Path]:
    return sorted((LOCALE / language / "LC_MESSAGES").glob("*.po"))


def all_catalogues(languages=LANGUAGES) -> list[tuple[str, Path]]:
    return [(language, path) for language in languages for path in catalogues(language)]


def catalogue_id(value):
    return f"{value.parent.parent.name}/{value.name}" if isinstance(value, Path) else value


def translations(entry: polib.POEntry) -> dict[int, str]:
    if entry.msgid_plural:
        return {int(index): text for index, text in entry.msgstr_plural.items()}
    return {0: entry.msgstr}


def forms_for_one_number(plural_forms: str) -> set[int]:
    """The plural forms used for a single number, which may leave that number out.

    Arabic says "ردّ واحد" and "ردّان" (one reply, two replies) without a figure.
    """
    choose = gettext.c2py(plural_forms.split("plural=", 1)[1].rstrip(";"))
    used = Counter(choose(n) for n in range(1000))
    return {form for form, count in used.items() if count == 1}


def placeholders(entry: polib.POEntry, text: str) -> Counter:
    found = Counter(TAG.findall(text))
    if "python-format" in entry.flags:
        found.update(PYTHON_PLACEHOLDER.findall(text))
    if "python-brace-format" in entry.flags or "brace-format" in entry.flags:
        found.update(BRACE_PLACEHOLDER.findall(text))
    return found


# The search's filter syntax (author:NAME, %(key)s:%(value)s) is typed as it is, in every language.
SEARCH_SYNTAX = re.compile(r"%\(\w+\)s:(%\(\w+\)s)?|\b(author|forum|thread|before|after):[^\s,.]*")


def visible_text(text: str) -> str:
    """A msgstr without its tags, placeholders and search syntax: what typography rules apply to."""
    return PYTHON_PLACEHOLDER.sub("", SEARCH_SYNTAX.sub("", TAG.sub("", text)))


# ---- The catalogues ----


def test_every_language_has_its_catalogue_and_all_list_the_same_messages():
    listed = {}
    for language in LANGUAGES:
        assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file()
        listed[language] = {
            path.name: {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(path))}
            for path in catalogues(language)
        }
    assert listed["fr"] == listed["ar"] == listed["en"]
    assert len(listed["fr"]["django.po"]) > 100


@pytest.mark.parametrize(("language", "path"), all_catalogues(), ids=catalogue_id)
def test_the_header_names_the_language_and_the_utf_8_charset(language, path):
    po = polib.pofile(str(path))
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


@pytest.mark.parametrize(("language", "path"), all_catalogues(TRANSLATED), ids=catalogue_id)
def test_every_french_and_arabic_message_is_translated_and_none_is_fuzzy(language, path):
    po = polib.pofile(str(path))
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []


@pytest.mark.parametrize(("language", "path"), all_catalogues(TRANSLATED), ids=catalogue_id)
def test_plurals_have_every_form_the_language_needs(language, path):
    po = polib.pofile(str(path))
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[language]
    count = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[language]).group(1))
    for entry in po:
        if entry.msgid_plural:
            assert sorted(translations(entry)) == list(range(count)), entry.msgid


@pytest.mark.parametrize(("language", "path"), all_catalogues(TRANSLATED), ids=catalogue_id)
def test_translations_keep_the_placeholders_and_tags_of_their_message(language, path):
    po = polib.pofile(str(path))
    single = forms_for_one_number(po.metadata["Plural-Forms"])
    wrong = []
    for entry in po:
        for form, text in translations(entry).items():
            source = entry.msgid if form == 0 or not entry.msgid_plural else entry.msgid_plural
            expected, found = placeholders(entry, source), placeholders(entry, text)
            if entry.msgid_plural and form in single:
                # Only the number may go, in a form that stands for one number; tags stay.
                dropped = expected - found
                ok = found <= expected and not any(TAG.fullmatch(p) for p in dropped)
            else:
                ok = found == expected
            if not ok:
                wrong.append((entry.msgid, form, text))
    assert wrong == []


def test_french_spaces_double_punctuation_and_uses_typographic_apostrophes():
    """One convention throughout: a no-break space before : ; ? ! and ’ for the apostrophe."""
    wrong = []
    for _language, path in all_catalogues(["fr"]):
        for entry in polib.pofile(str(path)):
            for text in translations(entry).values():
                shown = visible_text(text)
                if re.search(r"(?<!\u00a0)[:;?!]", shown) or "'" in shown:
                    wrong.append(text)
    assert wrong == []


def test_arabic_uses_arabic_punctuation():
    wrong = []
    for _language, path in all_catalogues(["ar"]):
        for entry in polib.pofile(str(path)):
            for text in translations(entry).values():
                if re.search(r"[,;?]", visible_text(text)):
                    wrong.append(text)
    assert wrong == []


@pytest.mark.parametrize(("language", "path"), all_catalogues(), ids=catalogue_id)
def test_the_committed_compiled_catalogue_matches_its_source(language, path):
    def messages(entries):
        return {
            (entry.msgctxt, entry.msgid, entry.msgid_plural or None): translations(entry)
            for entry in entries
        }

    po = polib.pofile(str(path))
    mo = polib.mofile(str(path.with_suffix(".mo")))
    assert messages(mo) == messages(entry for entry in po if entry.translated())
    assert mo.metadata["Plural-Forms"] == po.metadata["Plural-Forms"]


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "لا ردود"),
        (1, "ردّ واحد"),
        (2, "ردّان"),
        (3, "3 ردود"),
        (11, "11 ردًّا"),
        (100, "100 ردّ"),
        (103, "103 ردود"),
    ],
)
def test_arabic_numbers_take_their_plural_form(count, shown):
    # Passed through names, so that makemessages does not list this file as a source.
    singular, plural = "%(counter)s reply", "%(counter)s replies"
    with translation.override("ar"):
        text = translation.ngettext(singular, plural, count)
    assert text % {"counter": count} == shown


# ---- The pages ----


@pytest.fixture
def thread(make_thread, make_post, make_member):
    amina = make_member(username="Amina")
    thread = make_thread(title="Bienvenue", author=amina)
    make_post(thread, source="[quote=Amina]Bonjour[/quote]\n\nMerci.")
    return thread


def html_of(client: Client, url: str) -> str:
    return client.get(url).content.decode()


def in_language(code: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


@pytest.mark.parametrize(
    ("code", "html_tag", "texts"),
    [
        ("fr", '<html lang="fr" dir="ltr">', ["Aller au contenu", "1 sujet", "2 messages"]),
        ("ar", '<html lang="ar" dir="rtl">', ["الانتقال إلى المحتوى", "موضوع واحد", "مشاركتان"]),
        ("en", '<html lang="en" dir="ltr">', ["Skip to content", "1 thread", "2 posts"]),
    ],
)
def test_the_forum_index_speaks_the_chosen_language(thread, code, html_tag, texts):
    html = html_of(in_language(code), "/")
    assert html_tag in html
    for text in texts:
        assert f">{text}<" in html


@pytest.mark.parametrize(
    ("accept", "texts"),
    [
        ("fr", ["Amina</span> a écrit\u00a0:", ">Lien permanent<", ">Aucune annonce.<"]),
        ("ar", ["كتب <span", "Amina</span>:", ">رابط دائم<", ">لا توجد إعلانات.<"]),
        ("en", ["Amina</span> wrote:", ">Permalink<", ">No announcements.<"]),
    ],
)
def test_a_thread_follows_the_browser_s_language(thread, accept, texts):
    html = html_of(Client(HTTP_ACCEPT_LANGUAGE=accept), thread.get_absolute_url())
    for text in texts:
        assert text in html


@pytest.fixture
def pages(thread):
    return [
        "/",
        thread.category.get_absolute_url(),
        thread.get_absolute_url(),
        reverse("accounts:profile", args=["Amina"]),
        reverse("accounts:login"),
        "/nowhere/",
    ]


def member_in(make_member, code: str) -> Client:
    client = Client()
    client.force_login(make_member(language=code))
    return client


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_interface_text_is_left_in_english(pages, make_member, code):
    """Every msgid that a guest's or a member's English pages show, as text or as an
    accessible name, is shown translated instead."""
    po = polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))
    fixed = [
        entry
        for entry in po
        if not entry.msgid_plural
        and "python-format" not in entry.flags
        and entry.msgstr != entry.msgid
    ]
    readers = [
        (Client(HTTP_ACCEPT_LANGUAGE="en"), in_language(code)),
        (member_in(make_member, "en"), member_in(make_member, code)),
    ]
    left = []
    for english, other in readers:
        for url in pages:
            shown_in_english, shown = html_of(english, url), html_of(other, url)
            for entry in fixed:
                for pattern in (f">{entry.msgid}<", f'aria-label="{entry.msgid}"'):
                    if pattern in shown_in_english and pattern in shown:
                        left.append((url, entry.msgid))
    assert left == []
