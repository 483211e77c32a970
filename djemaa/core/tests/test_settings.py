"""The settings read from the environment, checked the way an admin meets them: through `djemaa`."""

import secrets

import pytest

from djemaa.core.tests.commandline import run_djemaa


def test_the_deployment_check_is_clean_for_a_production_configuration(tmp_path):
    result = run_djemaa(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DJEMAA_PUBLIC_URL="https://forum.example.org",
        DJEMAA_SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_secret_key_is_generated_once_and_kept(tmp_path):
    assert run_djemaa("check", tmp_path=tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_djemaa("check", tmp_path=tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("DATABASE_URL", "mysql://localhost/forum", "DATABASE_URL must start with"),
        ("DJEMAA_LANGUAGE", "de", "DJEMAA_LANGUAGE must be fr, ar or en"),
        ("DJEMAA_TIME_ZONE", "Mars/Olympus", "is not a known time zone"),
        ("DJEMAA_PUBLIC_URL", "forum.example.org", "DJEMAA_PUBLIC_URL must look like"),
    ],
)
def test_a_bad_setting_stops_with_one_readable_line(tmp_path, variable, value, complaint):
    result = run_djemaa("check", tmp_path=tmp_path, **{variable: value})
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert complaint in result.stderr


def test_https_public_url_turns_on_secure_cookies_hsts_and_redirects(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS[0])"
    )
    result = run_djemaa(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        tmp_path=tmp_path,
        DJEMAA_PUBLIC_URL="https://forum.example.org",
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "forum.example.org"]
    plain = run_djemaa("shell", "-v", "0", "-c", code, tmp_path=tmp_path)
    assert plain.stdout.split() == ["False", "False", "False", "False", "127.0.0.1"]


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = run_djemaa("serve", "--port", "8199", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "djemaa migrate" in result.stderr


def test_the_command_without_arguments_explains_itself(tmp_path):
    result = run_djemaa(tmp_path=tmp_path)
    assert result.returncode == 0
    assert "load FILE" in result.stdout
    assert "repair-counters" in result.stdout


def test_a_sqlite_url_puts_the_database_where_it_says(tmp_path):
    database = tmp_path / "elsewhere" / "forum.sqlite3"
    database.parent.mkdir()
    result = run_djemaa(
        "migrate", "-v", "0", tmp_path=tmp_path, DATABASE_URL=f"sqlite:///{database}"
    )
    assert result.returncode == 0, result.stderr
    assert database.exists()
    assert not (tmp_path / "djemaa.sqlite3").exists()


def test_the_default_sqlite_database_runs_in_wal_mode_with_a_small_page_cache(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0], "
        "c.execute('PRAGMA cache_size').fetchone()[0])"
    )
    result = run_djemaa("shell", "-v", "0", "-c", code, tmp_path=tmp_path)
    # A negative cache_size is in KiB: 512 KiB a connection (config.settings.SQLITE_PAGE_CACHE_KIB).
    assert result.stdout.split() == ["wal", "20000", "-512"]


def test_redis_url_puts_the_cache_in_redis(tmp_path):
    code = (
        "from django.core.cache import cache; import redis, uuid; v = uuid.uuid4().hex; "
        "cache.set('probe', v, 30); "
        "r = redis.Redis.from_url('redis://127.0.0.1:6379/15'); "
        "print(any(v.encode() in (r.get(k) or b'') for k in r.keys('*probe*')))"
    )
    result = run_djemaa(
        "shell", "-v", "0", "-c", code, tmp_path=tmp_path, REDIS_URL="redis://127.0.0.1:6379/15"
    )
    assert result.stdout.strip() == "True", result.stderr
