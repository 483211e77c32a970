"""`djemaa load` and `djemaa dump` as an admin runs them, each in its own process and site.

These runs use SQLite in a temporary data directory whatever database the suite uses: the
subject here is the command line (exit codes, stderr, stdin and stdout), not the database.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def djemaa(data_dir: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DJEMAA_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "djemaa.core.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A data directory with a migrated, empty forum."""
    data_dir = tmp_path_factory.mktemp("site")
    migrated = djemaa(data_dir, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr.decode()
    return data_dir


def test_a_bad_file_exits_with_one_line_on_stderr(site, write_file):
    path = write_file(
        {"type": "user", "id": "u1", "username": "Amina"},
        {"type": "category", "id": "c1", "title": "Forum", "parent": "c0"},
    )

    result = djemaa(site, "load", str(path))

    assert result.returncode != 0
    assert result.stderr.decode().splitlines() == [
        "CommandError: line 2: category c1 refers to category c0, which is not defined above"
    ]


def test_a_missing_file_exits_with_one_line_on_stderr(site, tmp_path):
    result = djemaa(site, "load", str(tmp_path / "absent.jsonl"))

    assert result.returncode != 0
    assert len(result.stderr.decode().splitlines()) == 1


def test_load_from_stdin_then_dump_to_stdout_gives_the_file_back(tmp_path, forum_file):
    site = tmp_path / "site"
    assert djemaa(site, "migrate", "--verbosity", "0").returncode == 0

    loaded = djemaa(site, "load", "-", stdin=forum_file.read_bytes())
    dumped = djemaa(site, "dump", "-")
    again = tmp_path / "again.jsonl"
    written = djemaa(site, "dump", str(again))

    assert loaded.returncode == 0, loaded.stderr.decode()
    assert loaded.stderr == b""
    assert dumped.returncode == 0 and dumped.stderr == b""
    assert written.returncode == 0 and again.read_bytes() == dumped.stdout
    assert dumped.stdout.decode().count("\n") == 20
    assert '"username":"يوسف"' in dumped.stdout.decode()
