"""From the rounds' measurements to bench/RESULTS.md: medians, ratios and the issue's targets."""

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

# What the issue asks of Djemaa (step 3), checked against each run's numbers.
PEER_FACTOR = 10  # the anonymous thread page against the fastest peer's
ANONYMOUS_SHARE = 0.5  # thread page, forum index and forum page, of the ceiling
MEMBER_SHARE = 0.25  # a signed-in member's thread page, of the ceiling
P99_LIMIT_MS = 50
DEEP_PAGE_TOLERANCE = 0.10  # last page and permalink target against the first page
REPLIES_PER_SECOND = 100  # on SQLite, while readers read
RSS_LIMIT_MB = 150

PEER_PAGES = {
    "a_first": "(a) big thread p.1",
    "b_last": "(b) big thread last p.",
    "c_list": "(c) thread list",
    "d_index": "(d) index",
}
PAGES = {
    "index": "forum index",
    "forum": "forum page",
    "thread_first": "big thread, first page",
    "thread_middle": "big thread, middle page",
    "thread_last": "big thread, last page",
    "permalink": "deep permalink (the redirect)",
    "permalink_target": "deep permalink's page",
    "profile": "profile page",
    "thread_rotating": "thread pages, a different thread each request (none kept)",
}
# A signed-in member's pages: those the targets name, and the index and forum page they read.
MEMBER_PAGES = ("index", "forum", "thread_first", "thread_last")
# The scale-out part measures these with 1, 2… processes behind nginx.
SCALEOUT_PAGES = {"anonymous": ("thread_first", "index"), "member": ("thread_first",)}


def percentile(ordered: list[float], percent: float) -> float:
    """The nearest-rank percentile of an ascending list (what wrk reports too)."""
    if not ordered:
        raise ValueError("no values")
    rank = max(math.ceil(percent / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    """One measured URL over the rounds: medians, the req/s range, summed errors, largest RSS."""

    req_s: float
    low: float
    high: float
    p50_ms: float
    p99_ms: float
    errors: int
    rss_mb: tuple[float, ...]
    anon_mb: tuple[float, ...]
    rounds: int

    @property
    def spread(self) -> str:
        if self.rounds == 1:
            return f"{self.req_s:.1f}"
        return f"{self.req_s:.1f} [{self.low:.1f}–{self.high:.1f}]"


def _largest(rows: list[dict], key: str) -> tuple[float, ...]:
    """Each worker's largest size over the rounds."""
    sizes = [row.get(key) or [] for row in rows]
    workers = max((len(found) for found in sizes), default=0)
    return tuple(max(found[i] for found in sizes if len(found) > i) for i in range(workers))


def summarize(rows: list[dict]) -> Summary:
    rates = [row["req_s"] for row in rows]
    return Summary(
        req_s=statistics.median(rates),
        low=min(rates),
        high=max(rates),
        p50_ms=statistics.median(row["p50_ms"] for row in rows),
        p99_ms=statistics.median(row["p99_ms"] for row in rows),
        errors=sum(
            row.get("non2xx3xx", 0) + row.get("socket_errors", 0) + row.get("timeouts", 0)
            for row in rows
        ),
        rss_mb=_largest(rows, "rss_mb"),
        anon_mb=_largest(rows, "anon_mb"),
        rounds=len(rows),
    )


def group(rows: list[dict]) -> dict[tuple, Summary]:
    """Rows keyed by (system, dataset, engine, who, page), summarized over the rounds."""
    grouped = defaultdict(list)
    for row in rows:
        key = (row["system"], row["dataset"], row["engine"], row["who"], row["page"])
        grouped[key].append(row)
    return {key: summarize(found) for key, found in grouped.items()}


def peer_row(line: dict, round_number: int) -> dict:
    """One line of the peers' harness (run_bench.sh's TSV) as a measurement row."""

    def number(name: str) -> float:
        value = line.get(name, "-")
        return float(value) if value not in {"", "-"} else 0.0

    rss = [float(line[k]) for k in ("rss_w1_mb", "rss_w2_mb") if line.get(k, "-") != "-"]
    return {
        "round": round_number,
        "system": line["peer"],
        "dataset": "peers",
        "engine": "postgres",
        "who": "anonymous",
        "page": line["page"],
        "url": line["url"],
        "status": line["status"],
        "req_s": number("req_s"),
        "p50_ms": number("p50_ms"),
        "p99_ms": number("p99_ms"),
        "non2xx3xx": int(number("non2xx3xx")),
        "socket_errors": int(number("sock_err")),
        "timeouts": int(number("timeouts")),
        "rss_mb": rss,
    }


def read_peer_tsv(text: str, round_number: int) -> list[dict]:
    lines = [line.split("\t") for line in text.splitlines() if line.strip()]
    header, body = lines[0], lines[1:]
    return [peer_row(dict(zip(header, values, strict=False)), round_number) for values in body]


@dataclass(frozen=True)
class Target:
    what: str
    engine: str
    value: str
    goal: str
    met: bool | None  # None: not measured in this run


def _share(summaries, key, ceiling) -> float | None:
    found = summaries.get(key)
    return found.req_s / ceiling if found and ceiling else None


def evaluate(summaries: dict[tuple, Summary], posting: dict[str, dict], engines) -> list[Target]:
    """The issue's targets, each computed from this run's medians."""
    targets = []
    baseline = summaries.get(("baseline", "-", "-", "anonymous", "baseline_1k"))
    ceiling = baseline.req_s if baseline else None

    def add(what, engine, value, goal, met):
        targets.append(Target(what, engine, value, goal, met))

    def share_target(what, engine, who, page, minimum):
        share = _share(summaries, ("djemaa", "big", engine, who, page), ceiling)
        if share is None:
            add(what, engine, "not measured", f"≥ {minimum:.0%} of the ceiling", None)
        else:
            add(what, engine, f"{share:.1%} of the ceiling", f"≥ {minimum:.0%}", share >= minimum)

    peer_thread = [
        summary.req_s
        for (system, _, _, _, page), summary in summaries.items()
        if page == "a_first" and system not in {"djemaa", "baseline"}
    ]
    for engine in engines:
        ours = summaries.get(("djemaa", "peers", engine, "anonymous", "a_first"))
        # A peer that answered nothing in its run (an overloaded machine) gives no ratio.
        if ours and peer_thread and max(peer_thread) > 0:
            factor = ours.req_s / max(peer_thread)
            add(
                "thread page (peers' data), anonymous, against the fastest peer",
                engine,
                f"{factor:.1f}×",
                f"≥ {PEER_FACTOR}×",
                factor >= PEER_FACTOR,
            )
        else:
            add("thread page against the fastest peer", engine, "not measured", "", None)
        share_target(
            "thread page (20 posts), anonymous",
            engine,
            "anonymous",
            "thread_first",
            ANONYMOUS_SHARE,
        )
        share_target(
            "thread page, signed-in member", engine, "member", "thread_first", MEMBER_SHARE
        )
        share_target("forum index, anonymous", engine, "anonymous", "index", ANONYMOUS_SHARE)
        share_target("forum page, anonymous", engine, "anonymous", "forum", ANONYMOUS_SHARE)

        pages = {
            (who, page): summary
            for (system, dataset, eng, who, page), summary in summaries.items()
            if system == "djemaa" and dataset == "big" and eng == engine
        }
        if pages:
            (who, page), worst = max(pages.items(), key=lambda item: item[1].p99_ms)
            add(
                "p99 latency at 16 connections, every page (worst shown)",
                engine,
                f"{worst.p99_ms:.1f} ms ({PAGES.get(page, page)}, {who})",
                f"< {P99_LIMIT_MS} ms",
                worst.p99_ms < P99_LIMIT_MS,
            )
        first = pages.get(("anonymous", "thread_first"))
        for page in ("thread_last", "permalink_target"):
            other = pages.get(("anonymous", page))
            if first and other and first.req_s:
                ratio = other.req_s / first.req_s
                add(
                    f"{PAGES[page]} against the first page, anonymous",
                    engine,
                    f"{ratio:.0%} of its req/s",
                    f"≥ {1 - DEEP_PAGE_TOLERANCE:.0%}",
                    ratio >= 1 - DEEP_PAGE_TOLERANCE,
                )

        measured = posting.get(engine)
        if measured:
            problems = [
                f"{count} × {'HTTP ' if error.isdigit() else ''}{error}"
                for error, count in measured["errors"].items()
            ]
            if not measured["verified"]:
                problems.append("the database check failed")
            clean = not problems
            fast = measured["replies_s"] >= REPLIES_PER_SECOND
            add(
                "posting while readers read: rate, errors, lost/duplicated posts",
                engine,
                f"{measured['replies_s']:.1f} replies/s, "
                + ("; ".join(problems) if problems else "no errors, none lost or doubled"),
                f"≥ {REPLIES_PER_SECOND}/s (on SQLite), no errors, none lost"
                if engine == "sqlite"
                else "no errors, none lost (rate reported only)",
                (clean and fast) if engine == "sqlite" else clean,
            )

        ours = [
            summary
            for (system, _, eng, _, _), summary in summaries.items()
            if system == "djemaa" and eng == engine
        ]
        sizes = [size for summary in ours for size in summary.rss_mb]
        anonymous = [size for summary in ours for size in summary.anon_mb]
        if sizes:
            add(
                "resident memory per worker after the runs (largest)",
                engine,
                f"{max(sizes):.1f} MB VmRSS"
                + (
                    f" (largest RssAnon, not file-backed: {max(anonymous):.1f} MB)"
                    if anonymous
                    else ""
                ),
                f"< {RSS_LIMIT_MB} MB",
                max(sizes) < RSS_LIMIT_MB,
            )
    return targets


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[met]


def _table(header: list[str], lines: list[list], text_columns: int = 1) -> list[str]:
    """A Markdown table; columns after the first `text_columns` hold numbers (right-aligned)."""
    aligns = ["---" if i < text_columns else "---:" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(aligns) + "|"]
    out += ["| " + " | ".join(str(cell) for cell in line) + " |" for line in lines]
    return out


def _rss(summary: Summary) -> str:
    return " / ".join(f"{size:.1f}" for size in summary.rss_mb) or "-"


def _posting_summary(posting: list[dict]) -> dict[str, dict]:
    by_engine = defaultdict(list)
    for result in posting:
        by_engine[result["engine"]].append(result)
    merged = {}
    for engine, results in by_engine.items():
        errors = Counter()
        for result in results:
            errors.update(result["errors"])
        merged[engine] = {
            "replies_s": statistics.median(r["replies_s"] for r in results),
            "low": min(r["replies_s"] for r in results),
            "high": max(r["replies_s"] for r in results),
            "p50_ms": statistics.median(r["p50_ms"] or 0 for r in results),
            "p99_ms": statistics.median(r["p99_ms"] or 0 for r in results),
            "replies": sum(r["replies"] for r in results),
            "created": sum(r["created"] for r in results),
            "errors": dict(errors),
            "verified": all(r["verified"] for r in results),
            "readers_req_s": statistics.median(r["readers_req_s"] for r in results),
            "readers_errors": sum(r["readers_errors"] for r in results),
            "rss_mb": max((r["rss_mb"] for r in results), key=lambda sizes: max(sizes or [0])),
        }
    return merged


def growth(by_processes: dict[int, float]) -> dict[int, float | None]:
    """Each configuration's figure over the one with the fewest processes (None: not measured,
    or nothing to compare with)."""
    if not by_processes:
        return {}
    base = by_processes[min(by_processes)]
    return {n: value / base if base else None for n, value in by_processes.items()}


def _page_label(who: str, page: str) -> str:
    return f"{PAGES[page]}, {who} (req/s)"


REPLIES_LABEL = "replies while readers read (replies/s)"
READERS_LABEL = "readers while members post (req/s)"


def scaleout_lines(rows: list[dict], posting: list[dict]) -> list[tuple[str, dict[int, float]]]:
    """The scale-out part's figures, medians over the rounds, by number of processes."""
    grouped = defaultdict(list)
    for found in rows:
        grouped[found["who"], found["page"], found["processes"]].append(found)
    lines = []
    for who, pages in SCALEOUT_PAGES.items():
        for page in pages:
            values = {
                n: summarize(found).req_s
                for (w, p, n), found in grouped.items()
                if (w, p) == (who, page)
            }
            lines.append((_page_label(who, page), dict(sorted(values.items()))))
    by_processes = defaultdict(list)
    for result in posting:
        by_processes[result["processes"]].append(result)
    for label, key in ((REPLIES_LABEL, "replies_s"), (READERS_LABEL, "readers_req_s")):
        values = {n: statistics.median(r[key] for r in found) for n, found in by_processes.items()}
        lines.append((label, dict(sorted(values.items()))))
    return lines


def _scaleout_section(rows: list[dict], posting: list[dict], direct: dict) -> list[str]:
    """The growth from one process to several; `direct` holds `--workers 2`'s figures by label."""
    lines = scaleout_lines(rows, posting)
    counts = sorted({n for _, values in lines for n in values})
    if not counts:
        return []
    verified, errors = defaultdict(list), Counter()
    for result in posting:
        verified[result["processes"]].append(result["verified"])
        errors[result["processes"]] += sum(result["errors"].values()) + result["readers_errors"]
    out = [
        "",
        "## Scale-out: processes behind nginx",
        "",
        "PostgreSQL + Redis on the big dataset, served by nginx (`deploy/nginx.conf`: one worker,"
        " least-connections balancing, kept-alive connections to the processes) in front of N"
        " `djemaa serve --workers 1` processes (`deploy/scaleout.py`), all on this machine;"
        " the same wrk settings and posting client as above. The configurations take turns"
        " within each round. Growth: the figure over one process's. Last column: the same"
        " measurement on `djemaa serve --workers 2` without nginx (the PostgreSQL tables above).",
        "",
    ]
    header = ["measurement", *[f"{n} process{'es' if n > 1 else ''}" for n in counts]]
    header += [f"{n} / {counts[0]}" for n in counts[1:]] + ["`--workers 2`, no nginx"]
    table = []
    for label, values in lines:
        ratios = growth(values)
        line = [label, *[f"{values[n]:.1f}" if n in values else "-" for n in counts]]
        line += [f"{ratios[n]:.2f}×" if ratios.get(n) else "-" for n in counts[1:]]
        table.append([*line, f"{direct[label]:.1f}" if label in direct else "-"])
    blank = [""] * len(counts)
    table.append(["errors while posting and reading", *[errors[n] for n in counts], *blank])
    checked = ["ok" if all(verified[n]) else "**mismatch**" for n in counts]
    table.append(["database check after posting", *checked, *blank])
    return out + _table(header, table)


def markdown(
    rows: list[dict],
    posting: list[dict],
    context: dict,
    scaleout_rows: list[dict] = (),
    scaleout_posting: list[dict] = (),
) -> str:
    """bench/RESULTS.md, entirely from the run's rows and context."""
    config = context["config"]
    summaries = group(rows)
    posted = _posting_summary(posting)
    targets = evaluate(summaries, posted, config.engines)
    baseline = summaries.get(("baseline", "-", "-", "anonymous", "baseline_1k"))
    ceiling = baseline.req_s if baseline else None
    settings = config.wrk
    sizes = config.sizes
    out = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`bench/run.py`): **do not edit by hand**, rerun the command.",
        "",
        f"Run of {context['date']}, {context['minutes']:.0f} minutes"
        + (" (quick smoke mode: small data, short runs)." if config.quick else "."),
        f"Machine: {context['machine']}. wrk, the servers, PostgreSQL and Redis share these cores,"
        " and other work may run on the machine: compare numbers within one run.",
        "",
        "Versions: " + "; ".join(f"{name} {value}" for name, value in context["versions"].items()),
        "",
        f"Load: `wrk -t{settings.threads} -c{settings.connections} -d{settings.duration}"
        f" --latency --timeout {settings.timeout}` from 127.0.0.1 after a {settings.warmup}"
        f" warm-up, for every URL and every system; {config.rounds} interleaved round(s),"
        " medians with the req/s range of the rounds in brackets; errors are non-2xx/3xx"
        " responses, socket errors and timeouts summed over the rounds; RSS is each worker's"
        " largest VmRSS after a run. Djemaa: `djemaa serve --workers 2` (uvicorn, DEBUG off);"
        " on SQLite without Redis, on PostgreSQL with `REDIS_URL` (its scale-out configuration)."
        " Peers and the baseline: gunicorn, 2 sync workers, PostgreSQL and Redis"
        " (../shared/bench/peers).",
        "",
        f"Raw wrk outputs: `{context['raw']}/` (gitignored).",
        "",
        "## Targets",
        "",
    ]
    out += _table(
        ["target", "engine", "measured", "goal", "verdict"],
        [[t.what, t.engine, t.value, t.goal, verdict(t.met)] for t in targets],
        text_columns=5,
    )

    out += ["", "## The ceiling", ""]
    lines = []
    if baseline:
        lines.append(
            [
                "gunicorn + Django, 2 sync workers (shared baseline)",
                baseline.spread,
                f"{baseline.p50_ms:.1f}",
                f"{baseline.p99_ms:.1f}",
                baseline.errors,
                _rss(baseline),
                "100%",
            ]
        )
    ours = next(
        (found for key, found in summaries.items() if key[0] == "djemaa" and key[1] == "-"), None
    )
    if ours:
        share = f"{ours.req_s / ceiling:.0%}" if ceiling else "-"
        lines.append(
            [
                "`djemaa serve`: Djemaa's server and middleware (bench.settings)",
                ours.spread,
                f"{ours.p50_ms:.1f}",
                f"{ours.p99_ms:.1f}",
                ours.errors,
                _rss(ours),
                share,
            ]
        )
    out += _table(
        ["a 1 KB view", "req/s", "p50 ms", "p99 ms", "errors", "RSS MB", "of the ceiling"], lines
    )

    sizes_line = (
        f"`djemaa generate --seed={sizes.seed} --users={sizes.users} --forums={sizes.forums}"
        f" --threads={sizes.threads} --posts={sizes.posts}"
        f" --big-thread-posts={sizes.big_thread_posts}`"
    )
    out += ["", "## Djemaa on the big dataset", "", f"Data: {sizes_line}."]
    if context.get("generated"):
        out += ["", "```", context["generated"], "```"]
    out += ["", "Loading it (`djemaa load`, timed with `/usr/bin/time -v`):", ""]
    out += _load_table(context["loads"]["big"])
    for engine in config.engines:
        lines = []
        for who in ("anonymous", "member"):
            for page, label in PAGES.items():
                found = summaries.get(("djemaa", "big", engine, who, page))
                if found is None:
                    continue
                share = f"{found.req_s / ceiling:.1%}" if ceiling else "-"
                lines.append(
                    [
                        label,
                        who,
                        found.spread,
                        f"{found.p50_ms:.1f}",
                        f"{found.p99_ms:.1f}",
                        found.errors,
                        _rss(found),
                        share,
                    ]
                )
        out += ["", f"### {engine}", ""]
        out += _table(
            ["page", "reader", "req/s", "p50 ms", "p99 ms", "errors", "RSS MB", "of the ceiling"],
            lines,
            text_columns=2,
        )

    out += [
        "",
        "## Posting replies while readers read",
        "",
        f"{config.members} signed-in members post replies (each POST with the reply form's"
        " fields, the CSRF token and its own submission token) over"
        f" {config.post_connections} connections for {settings.duration}, from a separate"
        " process (`bench/poster.py`), while wrk reads the big thread's first page anonymously."
        " Afterwards the database is checked: posts created equal the redirects received,"
        " numbers run 1…N without a gap or a repeat, every submission token is used once.",
        "",
    ]
    out += _table(
        [
            "engine",
            "replies/s",
            "p50 ms",
            "p99 ms",
            "replies",
            "created",
            "errors",
            "database check",
            "readers req/s",
            "readers errors",
            "RSS MB",
        ],
        [
            [
                engine,
                f"{p['replies_s']:.1f}"
                + (f" [{p['low']:.1f}–{p['high']:.1f}]" if config.rounds > 1 else ""),
                f"{p['p50_ms']:.1f}",
                f"{p['p99_ms']:.1f}",
                p["replies"],
                p["created"],
                ", ".join(f"{k}: {v}" for k, v in p["errors"].items()) or "0",
                "ok" if p["verified"] else "**mismatch**",
                f"{p['readers_req_s']:.1f}",
                p["readers_errors"],
                " / ".join(f"{s:.1f}" for s in p["rss_mb"]),
            ]
            for engine, p in posted.items()
        ],
    )

    direct = {
        _page_label(who, page): found.req_s
        for who, pages in SCALEOUT_PAGES.items()
        for page in pages
        if (found := summaries.get(("djemaa", "big", "postgres", who, page)))
    }
    if "postgres" in posted:
        direct[REPLIES_LABEL] = posted["postgres"]["replies_s"]
        direct[READERS_LABEL] = posted["postgres"]["readers_req_s"]
    out += _scaleout_section(list(scaleout_rows), list(scaleout_posting), direct)

    out += [
        "",
        "## Djemaa next to the peers, on the peers' data",
        "",
        "The peers' dataset (`bench/peers_shape.py` writes `dataset.py`'s `build_dataset()` as an"
        " interchange file) loaded into Djemaa; the same four pages, the same wrk settings."
        " Ratio: Djemaa's req/s over the peer's.",
        "",
    ]
    out += _load_table(context["loads"]["peers"])
    out += [""]
    peer_names = [p for p in config.peers]
    header = ["page", *peer_names]
    header += [f"Djemaa {engine}" for engine in config.engines]
    header += [f"{engine} / {peer}" for engine in config.engines for peer in peer_names]
    lines = []
    for page, label in PEER_PAGES.items():
        line = [label]
        peers = [
            summaries.get((peer, "peers", "postgres", "anonymous", page)) for peer in peer_names
        ]
        mine = [
            summaries.get(("djemaa", "peers", engine, "anonymous", page))
            for engine in config.engines
        ]
        line += [found.spread if found else "-" for found in peers + mine]
        for found in mine:
            for peer in peers:
                line.append(
                    f"{found.req_s / peer.req_s:.1f}×" if found and peer and peer.req_s else "-"
                )
        lines.append(line)
    out += _table(header, lines)
    out += ["", "p99 latency (ms), median of the rounds:", ""]
    out += _table(
        ["page", *peer_names, *[f"Djemaa {engine}" for engine in config.engines]],
        [
            [label]
            + [
                f"{found.p99_ms:.1f}" if found else "-"
                for found in [
                    summaries.get((peer, "peers", "postgres", "anonymous", page))
                    for peer in peer_names
                ]
                + [
                    summaries.get(("djemaa", "peers", engine, "anonymous", page))
                    for engine in config.engines
                ]
            ]
            for page, label in PEER_PAGES.items()
        ],
    )
    return "\n".join(out) + "\n"


def _load_table(loads: dict) -> list[str]:
    lines = [
        [engine, f"{f['seconds']:.1f}", f"{f['peak_rss_mb']:.1f}", f"{f['file_mb']:.1f}", f["date"]]
        for engine, f in loads.items()
        if f
    ]
    return _table(["engine", "load s", "peak RSS MB", "file MB", "loaded on"], lines)
