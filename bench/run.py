"""`make bench`: Djemaa under load next to the peer forums and the ceiling, into bench/RESULTS.md.

    .venv/bin/python -m bench.run [--rebuild]

Knobs are environment variables (bench/README.md lists them); QUICK=1 is the smoke mode.
"""

import argparse
import html
import importlib.metadata
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import data, report, wrk
from bench.data import DATA, Dataset, Sizes, say
from bench.members import Member, form_fields
from bench.report import MEMBER_PAGES, PAGES, SCALEOUT_PAGES
from bench.server import ROOT, Cluster, Server, fetch

PEERS_DIR = ROOT.parent / "shared" / "bench" / "peers"
PEERS_TMP = Path("/tmp/peers")  # noqa: S108 (where the shared harness keeps its sites)
ALL_PEERS = ("spirit", "machina", "misago")
PORT, CEILING_PORT = 8210, 8211
# The scale-out part: nginx on 8220, its processes on the next ports.
SCALEOUT_PORT = 8220
# Redis database 5 is the benchmark's own (PostgreSQL runs with Redis, as at scale).
REDIS_URL = "redis://127.0.0.1:6379/5"
MEMBER_PASSWORD = "Bench-member-passw0rd"  # noqa: S105 (local bench members only)
DEFAULTS = {
    # The scale: a million posts, one thread of 100,000.
    "full": dict(
        USERS=20000,
        FORUMS=40,
        THREADS=50000,
        POSTS=1_000_000,
        BIG_THREAD_POSTS=100_000,
        # Two short interleaved rounds rather than one long one: this shared machine's slow
        # minutes fall on every system, and the whole run stays under 20 minutes.
        DURATION="5s",
        WARMUP="2s",
        ROUNDS=2,
        PEERS=" ".join(ALL_PEERS),
        SCALEOUT="1 2",
    ),
    "quick": dict(
        USERS=200,
        FORUMS=6,
        THREADS=300,
        POSTS=5000,
        BIG_THREAD_POSTS=1500,
        DURATION="2s",
        WARMUP="1s",
        ROUNDS=1,
        PEERS="spirit",
        SCALEOUT="1 2",
    ),
}


@dataclass
class Config:
    sizes: Sizes
    wrk: wrk.Settings
    rounds: int
    peers: list[str]
    engines: list[str]
    members: int
    post_connections: int
    scaleout: list[int]
    quick: bool
    rebuild: bool

    @classmethod
    def from_environment(cls, rebuild: bool) -> "Config":
        quick = os.environ.get("QUICK", "") not in {"", "0"}
        defaults = DEFAULTS["quick" if quick else "full"]

        def value(name, default=None):
            return os.environ.get(name) or str(defaults.get(name, default))

        def number(name, default=None) -> int:
            text = value(name, default)
            if not text.isdigit():
                raise SystemExit(f"bench: {name} must be a whole number, not {text!r}")
            return int(text)

        peers = value("PEERS").split()
        unknown = set(peers) - set(ALL_PEERS)
        if unknown:
            raise SystemExit(f"bench: PEERS may name {', '.join(ALL_PEERS)}, not {unknown.pop()}")
        engines = value("ENGINES", "sqlite postgres").split()
        if not engines or set(engines) - set(data.ENGINES):
            raise SystemExit("bench: ENGINES may name sqlite and postgres")
        scaleout = [] if value("SCALEOUT") == "0" else value("SCALEOUT").split()
        if not all(count.isdigit() and 0 < int(count) < 10 for count in scaleout):
            raise SystemExit("bench: SCALEOUT lists numbers of processes from 1 to 9 (or is 0)")
        for name in ("DURATION", "WARMUP"):
            if to_seconds(value(name)) is None:
                raise SystemExit(f"bench: {name} must look like 10s or 1m, not {value(name)!r}")
        return cls(
            sizes=Sizes(
                seed=number("SEED", 1),
                users=number("USERS"),
                forums=number("FORUMS"),
                threads=number("THREADS"),
                posts=number("POSTS"),
                big_thread_posts=number("BIG_THREAD_POSTS"),
            ),
            wrk=wrk.Settings(
                connections=max(number("CONNS", 16), 1),
                duration=value("DURATION"),
                warmup=value("WARMUP"),
            ),
            rounds=max(number("ROUNDS"), 1),
            peers=peers,
            engines=engines,
            members=max(number("MEMBERS", 8), 1),
            post_connections=max(number("POST_CONNS", 8), 1),
            scaleout=[int(count) for count in scaleout],
            quick=quick,
            rebuild=rebuild,
        )

    @property
    def seconds(self) -> int:
        return to_seconds(self.wrk.duration)


def to_seconds(duration: str) -> int | None:
    """wrk's durations as this suite takes them: `10s`, `10` or `1m`; None for anything else."""
    match = re.fullmatch(r"([0-9]+)([sm]?)", duration)
    return int(match[1]) * (60 if match[2] == "m" else 1) if match else None


@dataclass
class Run:
    config: Config
    folder: Path
    rows: list[dict] = field(default_factory=list)
    posting: list[dict] = field(default_factory=list)
    # The scale-out part's measurements: rows and postings with their number of processes.
    scaleout_rows: list[dict] = field(default_factory=list)
    scaleout_posting: list[dict] = field(default_factory=list)

    def raw(self, round_number: int, name: str, text: str) -> None:
        path = self.folder / f"round{round_number}" / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def measure(
    run: Run,
    server: Server | Cluster,
    round_number: int,
    where: dict,
    path: str | list[str],
    cookie="",
    into=None,
) -> bytes:
    """Check the page, then warm-up and measured wrk runs; one row (into `run.rows`, or the
    list given) with the workers' RSS. A list of paths is asked for in turn (wrk.run's
    `rotate_over`), checked with its last one, which the runs do not reach."""
    rotate_over, checked = None, path
    if isinstance(path, list):
        rotate_over = run.folder / "rotating-paths.txt"
        rotate_over.write_text("\n".join(path) + "\n")
        checked = path[-1]
    status, body = fetch(server.base, checked, cookie)
    headers = [f"Cookie: {cookie}"] if cookie else []
    output = wrk.run(run.config.wrk, server.base + checked, headers, rotate_over)
    if rotate_over is not None:
        path = f"{len(path)} addresses in turn, such as {checked}"
    row = {**where, "round": round_number, "url": path, "status": status, "bytes": len(body)}
    row.update(
        wrk.parse(output),
        rss_mb=server.worker_memory_mb(),
        anon_mb=server.worker_memory_mb("RssAnon"),
    )
    name = "-".join(str(value) for value in where.values())
    run.raw(
        round_number,
        name,
        f"GET {path} (HTTP {status}, {len(body)} bytes)\n{output}\n"
        f"worker VmRSS after the run (MB): {row['rss_mb']}, RssAnon: {row['anon_mb']}\n",
    )
    (run.rows if into is None else into).append(row)
    say(f"{name}: {row['req_s']:.1f} req/s, p99 {row['p99_ms']:.1f} ms, HTTP {status}")
    return body


def site_step(dataset: Dataset, engine: str, *args) -> dict:
    """A `bench.site` step on the dataset's database (Django set up there)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.site", *map(str, args)],
        env=dataset.env(engine),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise SystemExit(f"bench: bench.site {args[0]} ({engine}) failed: {lines[-1:]}")
    return json.loads(result.stdout)


def serve(dataset: Dataset, engine: str, run: Run, port: int = PORT, **extra) -> Server:
    redis = REDIS_URL if engine == "postgres" else ""
    env = dataset.env(engine, redis, **extra)
    return Server(env, port, workers=2, log=run.folder / "server.log")


# --- the peers' harness ---------------------------------------------------------------------


def set_up_peers(peers: list[str]) -> None:
    """The shared setup scripts, for what is not set up yet (they reset what they touch)."""
    for peer in ["baseline", *peers]:
        ready = (PEERS_TMP / peer / "venv" / "bin" / "gunicorn").exists() and (
            PEERS_TMP / peer / "urls.env"
        ).exists()
        if not ready:
            say(f"setting up {peer} (../shared/bench/peers/setup_{peer}.sh)")
            done = subprocess.run(
                [str(PEERS_DIR / f"setup_{peer}.sh")], capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"bench: setup_{peer}.sh failed: {done.stderr.strip()[-300:]}")


def run_peer(run: Run, peer: str, round_number: int) -> None:
    results = run.folder / f"round{round_number}" / "peers"
    settings = run.config.wrk
    env = dict(
        os.environ,
        RESULTS_DIR=str(results),
        WRK_THREADS=str(settings.threads),
        WRK_CONNS=str(settings.connections),
        WRK_DURATION=settings.duration,
        WARMUP=settings.warmup,
        WRK_TIMEOUT=settings.timeout,
    )
    say(f"{peer} (round {round_number})")
    done = subprocess.run(
        [str(PEERS_DIR / "run_bench.sh"), peer], env=env, capture_output=True, text=True
    )
    tsv = results / f"{peer}.tsv"
    if done.returncode != 0 or not tsv.exists():
        raise SystemExit(f"bench: run_bench.sh {peer} failed: {done.stderr.strip()[-300:]}")
    rows = report.read_peer_tsv(tsv.read_text(), round_number)
    for row in rows:
        row["dataset"], row["engine"] = ("-", "-") if peer == "baseline" else ("peers", "postgres")
    run.rows.extend(rows)


# --- Djemaa ---------------------------------------------------------------------------------


def djemaa_ceiling(run: Run, dataset: Dataset, round_number: int) -> None:
    """The 1 KB view through Djemaa's own server and middleware (bench.settings)."""
    engine = run.config.engines[0]
    with serve(dataset, engine, run, CEILING_PORT, DJANGO_SETTINGS_MODULE="bench.settings") as s:
        where = dict(system="djemaa", dataset="-", engine=engine, who="anonymous")
        measure(run, s, round_number, {**where, "page": "ceiling_1k"}, "/bench/1k/")


def djemaa_peer_pages(run: Run, dataset: Dataset, engine: str, round_number: int) -> None:
    """The peers' four pages on the peers' data."""
    urls, info = site_step(dataset, engine, "pages"), dataset.info()
    where = dict(system="djemaa", dataset="peers", engine=engine, who="anonymous")
    paths = {"a_first": urls["thread_first"], "b_last": urls["thread_last"]}
    paths.update(c_list=urls["forum"], d_index=urls["index"])
    marks = {"a_first": info["mark_first"], "b_last": info["mark_last"]}
    with serve(dataset, engine, run) as server:
        for page, path in paths.items():
            body = measure(run, server, round_number, {**where, "page": page}, path)
            if page in marks and marks[page] not in html.unescape(body.decode()):
                raise SystemExit(f"bench: {path} ({engine}) does not show {marks[page]!r}")


def sign_in(server: Server | Cluster, names: list[str]) -> list[Member]:
    """Members signed in over HTTP; their cookie must show the signed-in page (a sign-out form)."""
    members = []
    for name in names:
        member = Member(server.base)
        member.sign_in(name, MEMBER_PASSWORD)
        if b'action="/logout/"' not in fetch(server.base, "/", member.cookie())[1]:
            raise RuntimeError(f"{name}'s session cookie does not show the signed-in page")
        members.append(member)
    return members


def read_then_post(
    run: Run,
    site: Server | Cluster,
    dataset: Dataset,
    engine: str,
    round_number: int,
    *,
    where: dict,
    pages: dict,
    prepared: dict,
    rows: list,
    name: str,
) -> dict:
    """On `site` (not started yet): `pages["anonymous"]` for anonymous readers, then
    `pages["member"]` for a signed-in member (rows described by `where`, into `rows`), then
    the `prepared` members posting while others read; returns the posting's result."""
    urls = site_step(dataset, engine, "pages")
    thread = prepared["posting_thread"]
    before = site_step(dataset, engine, "thread-state", thread)
    with site as server:
        for page in pages["anonymous"]:
            place = {**where, "who": "anonymous", "page": page}
            measure(run, server, round_number, place, urls[page], into=rows)
        # A site that fails under load may refuse a sign-in or a reply form: that is a result
        # (the posting target is then not met, member pages not measured), not a crash.
        try:
            members = sign_in(server, prepared["members"])
            for page in pages["member"]:
                place = {**where, "who": "member", "page": page}
                measure(run, server, round_number, place, urls[page], members[0].cookie(), rows)
            posted = post_under_load(run, engine, server, members, thread, urls["thread_first"])
        except (OSError, RuntimeError, ValueError) as error:
            say(f"members ({name}) failed: {error}")
            return failed_posting(engine, round_number, f"{error}")
    # Checked once the server has stopped: every reply it wrote is in, none is running.
    after = site_step(dataset, engine, "thread-state", thread)
    result = checked_posting(engine, round_number, posted, before, after)
    record_posting(run, name, result, posted["reading"])
    return result


def djemaa_big(run: Run, dataset: Dataset, engine: str, round_number: int, prepared: dict):
    """Every page for anonymous readers, the main ones for a member, then members posting."""
    result = read_then_post(
        run,
        serve(dataset, engine, run),
        dataset,
        engine,
        round_number,
        where=dict(system="djemaa", dataset="big", engine=engine),
        pages={"anonymous": PAGES, "member": MEMBER_PAGES},
        prepared=prepared,
        rows=run.rows,
        name=f"djemaa-posting-{engine}",
    )
    run.posting.append(result)


def djemaa_scaleout(run: Run, dataset: Dataset, round_number: int, prepared: dict) -> None:
    """PostgreSQL + Redis behind nginx with 1, 2… processes: a few pages, then posting.

    The order of the configurations turns round by round, so that none is always measured
    on a warmer (or busier) machine.
    """
    counts = run.config.scaleout if round_number % 2 else run.config.scaleout[::-1]
    for processes in counts:
        env = dataset.env("postgres", REDIS_URL)
        result = read_then_post(
            run,
            Cluster(env, processes, SCALEOUT_PORT, run.folder / f"scaleout-{processes}"),
            dataset,
            "postgres",
            round_number,
            where=dict(system="scaleout", processes=processes),
            pages=SCALEOUT_PAGES,
            prepared=prepared,
            rows=run.scaleout_rows,
            name=f"scaleout-{processes}-posting",
        )
        run.scaleout_posting.append({**result, "processes": processes})


def failed_posting(engine: str, round_number: int, reason: str) -> dict:
    return {
        "round": round_number,
        "engine": engine,
        "requests": 0,
        "replies": 0,
        "errors": {reason[:120]: 1},
        "seconds": 0,
        "replies_s": 0.0,
        "p50_ms": None,
        "p99_ms": None,
        "created": 0,
        "verified": False,
        "readers_req_s": 0.0,
        "readers_errors": 0,
        "rss_mb": [],
    }


def post_under_load(
    run: Run, engine: str, server: Server | Cluster, members, thread: int, read: str
):
    """Members reply to `thread` for DURATION while wrk reads `read`: both processes' results."""
    action = f"/t/{thread}/reply/"
    forms = [
        {
            "cookie": member.cookie(),
            "action": action,
            "fields": form_fields(member.get(f"/t/{thread}/"), action),
        }
        for member in members
    ]
    forms_file = run.folder / f"forms-{engine}.json"
    forms_file.write_text(json.dumps(forms))
    readers = wrk.start(run.config.wrk, server.base + read)
    poster = subprocess.run(
        [sys.executable, "-m", "bench.poster", server.base, str(forms_file)]
        + [str(run.config.seconds), str(run.config.post_connections)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    reading = readers.communicate()[0]
    forms_file.unlink()
    if poster.returncode != 0:
        raise RuntimeError(f"the posting client failed: {poster.stderr.strip()[-300:]}")
    return {
        "posted": json.loads(poster.stdout),
        "reading": reading,
        "rss_mb": server.worker_memory_mb(),
    }


def checked_posting(engine: str, round_number: int, posted, before, after) -> dict:
    """Posts created equal the redirects received; numbers 1…N, each token used once."""
    replies = posted["posted"]
    created = after["posts"] - before["posts"]
    verified = (
        created == replies["replies"]
        and after["tokens"] - before["tokens"] == created
        and after["distinct_tokens"] == after["tokens"]
        and after["numbers_are_1_to_n"]
        and after["last_number"] == after["posts"] == after["post_count"]
    )
    read = wrk.parse(posted["reading"])
    result = {
        "round": round_number,
        "engine": engine,
        **replies,
        "created": created,
        "verified": verified,
        "state_after": after,
        "readers_req_s": read["req_s"],
        "readers_p99_ms": read["p99_ms"],
        "readers_errors": read["non2xx3xx"] + read["socket_errors"] + read["timeouts"],
        "rss_mb": posted["rss_mb"],
    }
    return result


def record_posting(run: Run, name: str, result: dict, reading: str) -> None:
    run.raw(result["round"], name, json.dumps(result, indent=1) + "\n" + reading)
    say(
        f"{name}: {result['replies_s']} replies/s, {result['created']} created,"
        f" errors {result['errors']}, verified {result['verified']};"
        f" readers {result['readers_req_s']:.1f} req/s"
    )


# --- the whole run --------------------------------------------------------------------------


def versions(peers: list[str]) -> dict:
    def output(command: list[str]) -> str:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        return result.stdout.strip()

    redis_info = output(["redis-cli", "info", "server"])
    found = {
        "Python": platform.python_version(),
        "Django": importlib.metadata.version("django"),
        "uvicorn": importlib.metadata.version("uvicorn"),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": output(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"]
        ),
        "Redis": next(
            (line.split(":")[1] for line in redis_info.splitlines() if "redis_version" in line),
            "?",
        ),
        "wrk": wrk.version(),
    }
    for peer in ["baseline", *peers]:
        path = PEERS_DIR / "results" / f"versions_{peer}.txt"
        if path.exists():
            lines = path.read_text().splitlines()
            found[peer] = ", ".join(line.replace("==", " ") for line in lines if line.strip())
    return found


def machine() -> str:
    memory = Path("/proc/meminfo").read_text().split()[1]
    lines = Path("/etc/os-release").read_text().splitlines()
    release = dict(line.split("=", 1) for line in lines if "=" in line)
    name = release.get("PRETTY_NAME", platform.platform()).strip('"')
    return f"{os.cpu_count()} cores, {int(memory) / 2**20:.0f} GB RAM, {name}"


def prepare_members(dataset: Dataset, engines, count: int) -> dict:
    return {
        engine: site_step(dataset, engine, "members", count, MEMBER_PASSWORD) for engine in engines
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="generate and load the data again")
    config = Config.from_environment(parser.parse_args().rebuild)
    try:
        run_all(config)
    except RuntimeError as error:  # a server that does not start, a port already taken
        raise SystemExit(f"bench: {error}") from None


def run_all(config: Config) -> None:
    started = time.monotonic()
    wrk.require()
    set_up_peers(config.peers)

    big = Dataset(config.sizes.key)
    peers_data = Dataset("peers-shape")
    data.build(peers_data, None, config.engines, config.rebuild)
    data.build(big, config.sizes, config.engines, config.rebuild)
    prepared = prepare_members(big, config.engines, config.members)
    subprocess.run(["redis-cli", "-n", "5", "flushdb"], check=True, capture_output=True)

    run = Run(config, DATA / "runs" / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    run.folder.mkdir(parents=True)
    say(f"raw outputs in {run.folder.relative_to(ROOT)}")
    # Rounds interleave every system, so a slower minute of this shared machine hits all.
    for round_number in range(1, config.rounds + 1):
        say(f"round {round_number} of {config.rounds}")
        run_peer(run, "baseline", round_number)
        djemaa_ceiling(run, peers_data, round_number)
        for peer in config.peers:
            run_peer(run, peer, round_number)
        for engine in config.engines:
            djemaa_peer_pages(run, peers_data, engine, round_number)
        for engine in config.engines:
            djemaa_big(run, big, engine, round_number, prepared[engine])
        if config.scaleout and "postgres" in config.engines:
            djemaa_scaleout(run, big, round_number, prepared["postgres"])

    minutes = (time.monotonic() - started) / 60
    context = {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "minutes": minutes,
        "machine": machine(),
        "versions": versions(config.peers),
        "config": config,
        "loads": {
            name: {engine: dataset.load_figures(engine) for engine in config.engines}
            for name, dataset in (("big", big), ("peers", peers_data))
        },
        "generated": big.info().get("generate", ""),
        "raw": str(run.folder.relative_to(ROOT)),
    }
    results = {
        "rows": run.rows,
        "posting": run.posting,
        "scaleout_rows": run.scaleout_rows,
        "scaleout_posting": run.scaleout_posting,
    }
    (run.folder / "results.json").write_text(json.dumps(results, indent=1))
    markdown = report.markdown(
        run.rows, run.posting, context, run.scaleout_rows, run.scaleout_posting
    )
    (ROOT / "bench" / "RESULTS.md").write_text(markdown)
    say(f"wrote bench/RESULTS.md ({minutes:.1f} min)")


if __name__ == "__main__":
    main()
