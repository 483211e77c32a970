"""`djemaa load` and `djemaa dump` as an admin runs them, each in its own process and site.

These runs use SQLite in a temporary data directory whatever database the suite uses: the
subject here is the command line (exit codes, stderr, stdin and stdout), not the database.
"""

from pathlib import Path

import pytest

from djemaa.core.tests.commandline import run_djemaa


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A data directory with a migrated, empty forum."""
    data_dir = tmp_path_factory.mktemp("site")
    migrated = run_djemaa("migrate", "--verbosity", "0", tmp_path=data_dir)
    assert migrated.returncode == 0, migrated.stderr
    return data_dir


def test_a_bad_file_exits_with_one_line_on_stderr(site, write_file):
    path = write_file(
        {"type": "user", "id": "u1", "username": "Amina"},
        {"type": "category", "id": "c1", "title": "Forum", "parent": "c0"},
    )

    result = run_djemaa("load", str(path), tmp_path=site)

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "CommandError: line 2: category c1 refers to category c0, which is not defined above"
    ]


def test_a_missing_file_exits_with_one_line_on_stderr(site, tmp_path):
    result = run_djemaa("load", str(tmp_path / "absent.jsonl"), tmp_path=site)

    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1


def test_load_from_stdin_then_dump_to_stdout_gives_the_file_back(tmp_path, forum_file):
    site = tmp_path / "site"
    assert run_djemaa("migrate", "--verbosity", "0", tmp_path=site).returncode == 0

    loaded = run_djemaa("load", "-", tmp_path=site, input=forum_file.read_text(encoding="utf-8"))
    dumped = run_djemaa("dump", "-", tmp_path=site)
    again = tmp_path / "again.jsonl"
    written = run_djemaa("dump", str(again), tmp_path=site)

    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stderr == ""
    assert dumped.returncode == 0 and dumped.stderr == ""
    assert written.returncode == 0 and again.read_text(encoding="utf-8") == dumped.stdout
    assert dumped.stdout.count("\n") == 20
    assert '"username":"يوسف"' in dumped.stdout
