"""Djemaa served as in production (`djemaa serve`, uvicorn, DEBUG off) for the benchmark."""

import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

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


class Server:
    """`djemaa serve` on 127.0.0.1:PORT with N workers, stopped on exit from the `with` block."""

    def __init__(self, env: dict, port: int, workers: int, log: Path):
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        if _answers(self.base):
            raise RuntimeError(f"port {self.port} is already in use")
        command = [str(DJEMAA), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 90
        while not _answers(self.base):
            if self.process.poll() is not None:
                raise RuntimeError(f"djemaa serve stopped at start-up: see {self.log}")
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"djemaa serve did not answer in 90 s: see {self.log}")
            time.sleep(0.3)
        # uvicorn starts its workers one by one: wait until each has taken requests.
        for _ in range(4 * self.workers):
            _answers(self.base)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # uvicorn stops its workers on SIGINT, as on Ctrl+C; a stuck one is killed.
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in self.worker_pids():
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes: children of `djemaa serve` started by multiprocessing."""
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
                cmdline = (status.parent / "cmdline").read_bytes()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
            if int(fields.get("PPid", "0")) == self.process.pid and b"spawn_main" in cmdline:
                pids.append(int(status.parent.name))
        return sorted(pids)

    def worker_memory_mb(self, field: str = "VmRSS") -> list[float]:
        """A /proc status field of each worker (VmRSS; RssAnon: its part not backed by files),
        in MB (MiB, as the peers' harness counts)."""
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes


def fetch(base: str, path: str, cookie: str = "", timeout: float = 60) -> tuple[int, bytes]:
    """One GET, redirects not followed: the status and the body."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _answers(base: str) -> bool:
    try:
        fetch(base, "/", timeout=10)
    except (OSError, http.client.HTTPException):
        return False
    return True
