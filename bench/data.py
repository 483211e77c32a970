"""The measured databases, built once and kept under bench/.data/ (gitignored), keyed by options.

A dataset is an interchange file (from `djemaa generate`, or the peers' shape), loaded with
`djemaa load` into a fresh SQLite data dir and a fresh PostgreSQL database. Each load's time and
peak RSS (`/usr/bin/time -v`) are saved beside the databases, so a rerun that skips the load
still reports them.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import peers_shape
from bench.server import DJEMAA, ROOT, site_environment

DATA = ROOT / "bench" / ".data"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432"
ENGINES = ("sqlite", "postgres")


@dataclass(frozen=True)
class Sizes:
    seed: int
    users: int
    forums: int
    threads: int
    posts: int
    big_thread_posts: int

    @property
    def key(self) -> str:
        return (
            f"gen-s{self.seed}-u{self.users}-f{self.forums}-t{self.threads}"
            f"-p{self.posts}-b{self.big_thread_posts}"
        )

    def generate_options(self) -> list[str]:
        return [
            f"--seed={self.seed}",
            f"--users={self.users}",
            f"--forums={self.forums}",
            f"--threads={self.threads}",
            f"--posts={self.posts}",
            f"--big-thread-posts={self.big_thread_posts}",
        ]


@dataclass(frozen=True)
class Dataset:
    """One dataset's folder: the file, a data dir per engine, the PostgreSQL database."""

    key: str

    @property
    def folder(self) -> Path:
        return DATA / self.key

    @property
    def file(self) -> Path:
        return self.folder / "forum.jsonl"

    @property
    def database(self) -> str:
        # PostgreSQL names are short and plain: a hash of the key keeps them apart.
        return "bench_" + hashlib.sha256(self.key.encode()).hexdigest()[:10]

    def data_dir(self, engine: str) -> Path:
        return self.folder / engine

    def env(self, engine: str, redis_url: str = "", **extra) -> dict:
        url = f"{PG_ADMIN}/{self.database}" if engine == "postgres" else ""
        return site_environment(self.data_dir(engine), url, redis_url, **extra)

    def load_figures(self, engine: str) -> dict | None:
        path = self.folder / f"load-{engine}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def info(self) -> dict:
        return json.loads((self.folder / "info.json").read_text())


def say(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qtA", "-c", sql],
        check=True,
        capture_output=True,
    )


def _run(command: list, env: dict, what: str) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        # Leave out /usr/bin/time's own report (indented lines and its exit-status line).
        lines = [
            line
            for line in (result.stderr or result.stdout).strip().splitlines()
            if line.strip() and not line.startswith(("\t", "Command exited"))
        ]
        raise SystemExit(f"bench: {what} failed: {lines[-1] if lines else 'no output'}")
    return result


def time_figures(stderr: str) -> dict:
    """Wall time and peak RSS from GNU time's `-v` report."""
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if wall is None or peak is None:
        raise ValueError("no /usr/bin/time -v report")
    seconds = 0.0
    for part in wall[1].split(":"):
        seconds = seconds * 60 + float(part)
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(int(peak[1]) / 1024, 1)}


def write_file(dataset: Dataset, sizes: Sizes | None) -> None:
    """The interchange file: `djemaa generate` with the sizes, or the peers' dataset."""
    dataset.folder.mkdir(parents=True, exist_ok=True)
    partial = dataset.file.with_suffix(".partial")
    if sizes is None:
        info = peers_shape.write(partial)
    else:
        say(f"generating {dataset.key}")
        command = [str(DJEMAA), "generate", *sizes.generate_options(), f"--output={partial}"]
        result = _run(command, site_environment(dataset.folder / "generate"), "djemaa generate")
        written = result.stdout.strip().replace(str(partial), str(dataset.file.relative_to(ROOT)))
        info = {"generate": written}
    partial.rename(dataset.file)
    (dataset.folder / "info.json").write_text(json.dumps(info, ensure_ascii=False, indent=1))


def load(dataset: Dataset, engine: str) -> None:
    """A fresh database for `engine`, migrated, then the file loaded under /usr/bin/time -v."""
    (dataset.folder / f"load-{engine}.json").unlink(missing_ok=True)
    shutil.rmtree(dataset.data_dir(engine), ignore_errors=True)
    dataset.data_dir(engine).mkdir(parents=True)
    if engine == "postgres":
        _psql(f"DROP DATABASE IF EXISTS {dataset.database} WITH (FORCE)")
        _psql(f"CREATE DATABASE {dataset.database} ENCODING 'UTF8' TEMPLATE template0")
    env = dataset.env(engine)
    _run([str(DJEMAA), "migrate", "-v", "0"], env, f"migrate ({engine})")
    say(f"loading {dataset.key} into {engine}")
    started = datetime.now(UTC)
    result = _run(
        ["/usr/bin/time", "-v", str(DJEMAA), "load", str(dataset.file)],
        env,
        f"djemaa load ({engine})",
    )
    figures = time_figures(result.stderr)
    if engine == "postgres":
        # Fresh planner statistics after a bulk load, as the peers' setup does.
        _psql("VACUUM ANALYZE", dataset.database)
    figures.update(
        engine=engine,
        date=f"{started:%Y-%m-%d %H:%M} UTC",
        file_mb=round(dataset.file.stat().st_size / 2**20, 1),
        loaded=result.stdout.strip(),
    )
    (dataset.folder / f"load-{engine}.json").write_text(json.dumps(figures, indent=1))
    say(f"loaded into {engine} in {figures['seconds']} s, peak RSS {figures['peak_rss_mb']} MB")


def build(dataset: Dataset, sizes: Sizes | None, engines, rebuild: bool) -> None:
    """Write and load what is missing (everything with `rebuild`)."""
    if rebuild or not dataset.file.exists():
        for engine in ENGINES:
            (dataset.folder / f"load-{engine}.json").unlink(missing_ok=True)
        write_file(dataset, sizes)
    for engine in engines:
        if rebuild or dataset.load_figures(engine) is None:
            load(dataset, engine)
