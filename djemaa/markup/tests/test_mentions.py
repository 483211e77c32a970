def test_a_mention_of_an_existing_user_links_to_the_profile(render):
    rendered = render("merci @Amina !")
    assert (
        '<a class="mention" href="/u/Amina/" rel="nofollow ugc noopener">@Amina</a> !'
        in rendered.html
    )
    assert rendered.mentioned_usernames == frozenset({"Amina"})


def test_a_mention_uses_the_canonical_name_whatever_the_case_typed(render):
    rendered = render("hi @AMINA and @amina")
    assert rendered.html.count('href="/u/Amina/"') == 2
    assert rendered.html.count(">@Amina</a>") == 2
    assert rendered.mentioned_usernames == frozenset({"Amina"})


def test_a_mention_of_an_unknown_user_stays_text(render):
    rendered = render("hi @nobody")
    assert "<a" not in rendered.html and rendered.mentioned_usernames == frozenset()


def test_a_mention_does_not_count_as_a_link(render):
    assert not render("@amina").has_links


def test_trailing_punctuation_is_not_part_of_the_name(render):
    html = render("@amina. @amina, (@amina)").html
    assert html.count('class="mention"') == 3


def test_dots_inside_a_name_are_part_of_it(render):
    rendered = render("salut @jean.pierre.")
    assert ">@Jean.Pierre</a>." in rendered.html
    assert rendered.mentioned_usernames == frozenset({"Jean.Pierre"})


def test_an_arabic_name_can_be_mentioned(render):
    rendered = render("شكرا @أمينة، جزيلا")
    assert '<a class="mention" href="/u/أمينة/"' in rendered.html
    assert ">@أمينة</a>،" in rendered.html


def test_an_email_address_is_not_a_mention(render):
    rendered = render("amina@example.com")
    assert "mention" not in rendered.html and not rendered.mentioned_usernames


def test_a_mention_in_code_is_left_alone(render):
    rendered = render("`@amina`\n\n```\n@amina\n```")
    assert "mention" not in rendered.html and not rendered.mentioned_usernames


def test_a_mention_inside_a_link_text_is_left_alone(render):
    rendered = render("[@amina](https://example.com/)")
    assert "mention" not in rendered.html and not rendered.mentioned_usernames


def test_all_candidates_are_resolved_in_one_call():
    from djemaa.markup.render import render_post

    calls = []

    def resolve(names):
        calls.append(set(names))
        return {"amina": "Amina"}

    source = "@amina [quote]@bob[/quote] @Carla `@code`"
    rendered = render_post(
        source, resolve_users=resolve, post_url=str, profile_url=lambda name: f"/u/{name}/"
    )
    assert calls == [{"amina", "bob", "Carla"}]
    assert rendered.mentioned_usernames == frozenset({"Amina"})


def test_no_lookup_happens_without_candidates():
    from djemaa.markup.render import render_post

    def resolve(names):
        raise AssertionError("no lookup expected")

    render_post("plain text", resolve_users=resolve, post_url=str, profile_url=str)


def test_a_bbcode_mention_tag_is_a_mention(render):
    rendered = render("[mention=12]Jean Pierre[/mention] et [mention=3]Inconnu[/mention]", "bbcode")
    assert '<a class="mention" href="/u/Jean Pierre/"' in rendered.html
    assert "@Inconnu" in rendered.html and rendered.html.count("<a ") == 1
    assert rendered.mentioned_usernames == frozenset({"Jean Pierre"})


def test_a_plain_mention_works_in_bbcode_too(render):
    assert 'class="mention"' in render("merci @amina", "bbcode").html
