"""Djemaa served as in production (`djemaa serve`, uvicorn, DEBUG off) for the benchmark."""

import http.client
import os
from pathlib import Path

from deploy.scaleout import DjemaaServer, ScaleOut

ROOT = Path(__file__).resolve().parent.parent
DJEMAA = ROOT / ".venv" / "bin" / "djemaa"


def site_environment(data_dir: Path, database_url: str = "", redis_url: str = "", **extra) -> dict:
    """The environment of one measured site: its own data dir, database and (maybe) Redis."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("DJEMAA_DEBUG", None)
    env.update(DJEMAA_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), **extra)
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def memory_mb(pids: list[int], field: str = "VmRSS") -> list[float]:
    """A /proc status field of each process (VmRSS; RssAnon: its part not backed by files),
    in MB (MiB, as the peers' harness counts)."""
    sizes = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


class _Measured:
    def worker_memory_mb(self, field: str = "VmRSS") -> list[float]:
        """Each process serving requests, as `memory_mb` gives it."""
        return memory_mb(self.pids(), field)


class Server(_Measured, DjemaaServer):
    """`djemaa serve` on 127.0.0.1:PORT with N workers, stopped on exit from the `with` block."""

    def __init__(self, env: dict, port: int, workers: int, log: Path):
        super().__init__(env, port, log, workers)


class Cluster(_Measured, ScaleOut):
    """nginx on 127.0.0.1:PORT in front of N one-worker processes (deploy/scaleout.py)."""


def fetch(base: str, path: str, cookie: str = "", timeout: float = 60) -> tuple[int, bytes]:
    """One GET, redirects not followed: the status and the body."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()
