"""The loader's map from the file's ids to database ids, kept on disk (interchange.idmap)."""

import os
import tempfile
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from djemaa.interchange import idmap
from djemaa.interchange.idmap import IdMap
from djemaa.search.models import PostEntry

from .test_bulk_load import FORUM, loaded_ids, snapshot
from .test_load import BASE, FIGUES, REPLY, SUJET, post


@pytest.fixture
def id_map():
    ids = IdMap()
    yield ids
    ids.close()


@pytest.fixture
def ids_on_disk_at_once(monkeypatch):
    """Every id goes to the file as soon as it is added, none waits in memory."""
    monkeypatch.setattr(idmap, "WRITE_BATCH", 1)


@pytest.fixture
def private_temp_dir(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def open_map_files() -> dict[str, int]:
    """The id-map files this process has open (their former names), with their sizes."""
    files = {}
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(descriptor)
            size = os.stat(descriptor).st_size
        except OSError:  # closed since the listing
            continue
        if "djemaa-load-" in target:
            files[target] = size
    return files


def test_each_id_is_found_under_its_own_kind_only(id_map):
    id_map.add("user", "x1", 5)
    id_map.add("post", "x1", 7, thread=3)

    assert id_map.get("user", "x1") == 5
    assert id_map.get("post", "x1") == 7
    assert id_map.get_post("x1") == (7, 3)
    assert id_map.get("thread", "x1") is None
    assert id_map.get_post("x2") is None


def test_ids_are_written_to_the_file_in_batches_and_still_found(id_map):
    (empty,) = open_map_files().values()
    for n in range(idmap.WRITE_BATCH - 1):
        id_map.add("post", f"p{n}", 1000 + n, thread=n // 10)
    assert list(open_map_files().values()) == [empty]  # all of them wait in memory

    for n in range(idmap.WRITE_BATCH - 1, idmap.WRITE_BATCH + 3):
        id_map.add("post", f"p{n}", 1000 + n, thread=n // 10)

    assert list(open_map_files().values())[0] > empty
    assert id_map.get("post", "p0") == 1000
    assert id_map.get_post(f"p{idmap.WRITE_BATCH + 2}") == (
        1000 + idmap.WRITE_BATCH + 2,
        (idmap.WRITE_BATCH + 2) // 10,
    )


def test_the_file_has_no_name_while_open_so_a_killed_load_leaves_nothing(private_temp_dir):
    id_map = IdMap()
    id_map.add("user", "u1", 1)
    (former_name,) = open_map_files()
    assert former_name.startswith(str(private_temp_dir))
    assert former_name.endswith("(deleted)")
    assert list(private_temp_dir.iterdir()) == []
    assert id_map.get("user", "u1") == 1

    id_map.close()

    assert open_map_files() == {}


def test_a_load_with_every_id_read_back_from_disk_ends_as_one_that_kept_them_waiting(
    load, write_file, empty_the_site, monkeypatch
):
    # FORUM has replies, quotes above and below, deletions, out-of-order posts.
    path = write_file(*FORUM)
    load(path)
    expected = snapshot(loaded_ids())
    empty_the_site()
    PostEntry.objects.all().delete()
    monkeypatch.setattr(idmap, "WRITE_BATCH", 1)

    load(path)

    assert snapshot(loaded_ids()) == expected


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ({**FIGUES}, "thread t1 is already defined above"),
        ({**REPLY, "reply_to": "p9"}, "post p2 refers to post p9, which is not defined above"),
        (
            {**REPLY, "thread": "t9", "reply_to": "p1"},
            "post p2: A reply must answer a post of the same thread.",
        ),
    ],
)
def test_ids_read_back_from_the_file_are_checked_as_before(
    load, write_file, row_counts, ids_on_disk_at_once, bad_line, message
):
    counts = row_counts()

    with pytest.raises(CommandError) as error:
        load(write_file(*BASE, SUJET, bad_line, post("p3", "2021-09-04T12:00:00+02:00")))

    assert str(error.value) == f"line 8: {message}"
    assert row_counts() == counts


def test_a_load_leaves_no_file_behind_whether_it_ends_well_or_not(
    load, write_file, private_temp_dir
):
    load(write_file(*BASE, name="good.jsonl"))
    with pytest.raises(CommandError):
        load(write_file(*BASE, {**REPLY, "reply_to": "p9"}, name="bad.jsonl"))

    assert {path.name for path in private_temp_dir.iterdir()} == {"good.jsonl", "bad.jsonl"}
