from djemaa.markup.render import render_post
from djemaa.markup.text import own_words


def _render(source: str) -> str:
    return render_post(
        source, resolve_users=lambda names: {}, post_url=lambda pk: f"/p/{pk}/", profile_url=str
    ).html


def test_own_words_leave_out_what_a_post_quotes():
    html = _render("[quote=Amina;4]Ce qu'elle a dit[/quote]\n\nMa réponse, **nette**.")
    assert own_words(html) == "Ma réponse, nette."


def test_own_words_keep_paragraphs_apart():
    assert own_words(_render("Premier.\n\nDeuxième\n\n- un\n- deux")) == "Premier. Deuxième un deux"


def test_own_words_keep_arabic_text():
    assert own_words(_render("مرحبا **بكم**")) == "مرحبا بكم"
