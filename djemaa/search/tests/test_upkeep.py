"""The index after every kind of change, through the verbs themselves.

The verbs schedule their index upkeep after commit (create_post writes the entry with the
post), so these tests commit (transactional):

    verb                                           calls after commit
    posts.create_post (threads.start_thread too)   nothing: index_new_post, in its transaction
    posts.renumber_thread_by_time                  index_posts([old #1, new #1]) when they differ
    posts.edit_post, posts.replace_source          index_posts([post.pk])
    moderation.rename_thread                       reindex_thread(thread.pk)
    moderation.merge_threads                       reindex_thread(target.pk)
    moderation.split_thread                        reindex_thread(thread.pk), reindex_thread(new.pk)
    interchange loader (djemaa load)               nothing: `djemaa reindex` after a load
    posts.delete_post, restore_post, approve_post,
    delete/restore/move thread, group and forum
    rights changes                                 nothing: visibility is asked at search time

The tests marked "no call" below show that last line holds.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from djemaa.moderation import services as moderation
from djemaa.permissions.models import Right
from djemaa.posts import services as posts
from djemaa.posts.models import Post
from djemaa.search import services
from djemaa.search.models import PostEntry
from djemaa.threads import services as threads

pytestmark = pytest.mark.django_db(transaction=True)


def ids(user, text, **options):
    return [post.pk for post in services.run_search(user, text, limit=100, **options).posts]


def test_a_new_post_is_found_once_indexed(make_thread, make_post):
    thread = make_thread(source="Début")
    post = make_post(thread, source="Oran")
    assert ids(AnonymousUser(), "oran") == [post.pk]


def test_an_edit_replaces_the_words(make_thread, make_post, admin):
    thread = make_thread(source="Début")
    post = make_post(thread, source="Oran")
    posts.edit_post(post=post, editor=admin, source="Tlemcen")
    assert ids(AnonymousUser(), "oran") == []
    assert ids(AnonymousUser(), "tlemcen") == [post.pk]


def test_an_edit_replaces_the_phrases(make_thread, make_post, admin):
    # On PostgreSQL the document's adjacent pairs follow the edit (migration search.0003).
    post = make_post(make_thread(source="Début"), source="Oran Alger")
    posts.edit_post(post=post, editor=admin, source="Alger Oran")
    assert ids(AnonymousUser(), '"oran alger"') == []
    assert ids(AnonymousUser(), '"alger oran"') == [post.pk]


def test_replace_source_replaces_the_words(make_thread, make_post):
    post = make_post(make_thread(), source="Oran")
    posts.replace_source(post=post, source="Tlemcen")
    assert ids(AnonymousUser(), "oran") == []
    assert ids(AnonymousUser(), "tlemcen") == [post.pk]


def test_quoted_text_is_not_indexed_in_the_quoting_post(make_thread, make_post):
    thread = make_thread(source="Oran")
    original = thread.posts.get()
    quoting = make_post(thread, source=posts.quote_of(original) + "\n\nTlemcen")
    assert ids(AnonymousUser(), "oran") == [original.pk]
    assert ids(AnonymousUser(), "tlemcen") == [quoting.pk]


def test_deleting_and_restoring_a_post_needs_no_call(make_thread, make_post, admin):
    post = make_post(make_thread(), source="Oran")
    posts.delete_post(post=post, actor=admin)
    assert ids(AnonymousUser(), "oran") == []
    posts.restore_post(post=post, actor=admin)
    assert ids(AnonymousUser(), "oran") == [post.pk]


def test_a_held_post_shows_to_others_once_approved_with_no_call(
    make_thread, make_member, make_post
):
    thread = make_thread()
    author = make_member()
    post = make_post(thread, source="Oran", author=author, held=True)
    assert ids(AnonymousUser(), "oran") == []
    assert ids(author, "oran") == [post.pk]
    posts.approve_post(post=post)
    assert ids(AnonymousUser(), "oran") == [post.pk]


def test_deleting_and_restoring_a_thread_needs_no_call(make_thread, admin):
    thread = make_thread(source="Oran")
    threads.delete_thread(thread=thread, actor=admin)
    assert ids(AnonymousUser(), "oran") == []
    threads.restore_thread(thread=thread, actor=admin)
    assert len(ids(AnonymousUser(), "oran")) == 1


def test_moving_a_thread_needs_no_call(make_thread, make_forum, private_forum, admin):
    thread = make_thread(source="Oran")
    elsewhere = make_forum()
    moderation.move_thread(thread=thread, actor=admin, category=elsewhere)
    assert len(ids(AnonymousUser(), f"oran forum:{elsewhere.pk}")) == 1
    moderation.move_thread(thread=thread, actor=admin, category=private_forum)
    assert ids(AnonymousUser(), "oran") == []


def test_renaming_a_thread_reindexes_its_title(make_thread, admin):
    thread = make_thread(title="Oran", source="Rien")
    moderation.rename_thread(thread=thread, actor=admin, title="Tlemcen")
    assert ids(AnonymousUser(), "oran") == []
    assert len(ids(AnonymousUser(), "tlemcen", titles_only=True)) == 1


def test_renaming_a_thread_reindexes_its_title_phrases(make_thread, admin):
    thread = make_thread(title="Marché d'Oran", source="Rien")
    moderation.rename_thread(thread=thread, actor=admin, title="Oran au marché")
    assert ids(AnonymousUser(), '"marché oran"', titles_only=True) == []
    assert len(ids(AnonymousUser(), '"oran marché"', titles_only=True)) == 1


def test_merging_keeps_one_title_on_the_opening_post(make_thread, admin):
    target = make_thread(title="Tlemcen", source="Cible")
    source = make_thread(title="Oran", source="Source")
    merged = moderation.merge_threads(source=source, target=target, actor=admin)
    guest = AnonymousUser()
    assert ids(guest, "oran", titles_only=True) == []
    assert ids(guest, "tlemcen", titles_only=True) == [merged.posts.get(number=1).pk]
    assert {p.thread_id for p in Post.objects.filter(pk__in=ids(guest, "source"))} == {merged.pk}


def test_splitting_titles_the_new_thread(make_thread, make_post, admin):
    thread = make_thread(title="Oran", source="Début")
    moved = make_post(thread, source="Suite")
    moderation.split_thread(
        thread=thread, actor=admin, post_ids=[moved.pk], title="Tlemcen", category=thread.category
    )
    assert ids(AnonymousUser(), "tlemcen", titles_only=True) == [moved.pk]
    assert len(ids(AnonymousUser(), "oran", titles_only=True)) == 1


def test_hiding_a_forum_hides_its_posts_with_no_call(make_thread, make_forum, set_rights):
    forum = make_forum()
    make_thread(source="Oran", category=forum)
    assert len(ids(AnonymousUser(), "oran")) == 1
    set_rights(forum, "guests", refuse=Right.SEE)
    assert ids(AnonymousUser(), "oran") == []


def test_a_post_erased_for_good_leaves_the_index(make_thread, make_post):
    post = make_post(make_thread(), source="Oran")
    Post.objects.filter(pk=post.pk).delete()
    assert not PostEntry.objects.filter(post_id=post.pk).exists()
    assert ids(AnonymousUser(), "oran") == []


def test_unindexing_takes_posts_out(make_thread, make_post):
    post = make_post(make_thread(), source="Oran")
    services.unindex_posts([post.pk])
    assert ids(AnonymousUser(), "oran") == []


def test_indexing_ids_of_missing_posts_drops_them(make_thread):
    services.index_posts([10**9])
    assert not PostEntry.objects.filter(post_id=10**9).exists()


def test_reindex_rebuilds_the_whole_index(make_thread, make_post, capsys):
    thread = make_thread(title="Oran", source="Début")
    make_post(thread, source="Tlemcen")
    PostEntry.objects.all().delete()
    call_command("reindex")
    assert PostEntry.objects.count() == 2
    assert len(ids(AnonymousUser(), "tlemcen")) == 1
    assert "2 posts indexed" in capsys.readouterr().out


def test_reindex_rebuilds_the_phrases(make_thread, make_post):
    thread = make_thread(title="Marché d'Oran", source="Début")
    post = make_post(thread, source="Front de libération")
    PostEntry.objects.all().delete()
    call_command("reindex")
    assert ids(AnonymousUser(), '"front libération"') == [post.pk]
    assert len(ids(AnonymousUser(), '"marché oran"', titles_only=True)) == 1


def test_reindex_analyses_batches_in_worker_processes(make_thread, make_post, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    thread = make_thread(title="Oran", source="Début")
    for word in ("Tlemcen", "Annaba", "Béjaïa", "Sétif"):
        make_post(thread, source=word)
    PostEntry.objects.all().delete()
    told = []
    assert services.reindex_all(progress=told.append) == 5
    assert told == [2, 2, 1]
    assert len(ids(AnonymousUser(), "oran", titles_only=True)) == 1
    assert [len(ids(AnonymousUser(), word)) for word in ("annaba", "bejaia", "setif")] == [1, 1, 1]


def test_reindex_after_an_id_leaves_the_earlier_posts_alone(make_thread, make_post):
    thread = make_thread(source="Oran")
    later = make_post(thread, source="Tlemcen")
    PostEntry.objects.all().delete()
    assert services.reindex_all(after=later.pk - 1) == 1
    assert list(PostEntry.objects.values_list("post_id", flat=True)) == [later.pk]
