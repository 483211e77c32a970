"""Runs `djemaa` as an admin would: a fresh process, its own data directory, a clean environment."""

import os
import subprocess
import sys


def run_djemaa(*args, tmp_path, input: str | None = None, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJEMAA_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    # English messages, so assertions read the same whatever the site default becomes.
    environment.update(DJEMAA_DATA_DIR=str(tmp_path), DJEMAA_LANGUAGE="en")
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "djemaa.core.cli", *args],
        env=environment,
        input=input,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
