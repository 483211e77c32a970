"""Run wrk (the HTTP load generator, a separate process) and read what it prints."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Requests a different address each time (bench/rotate.lua), from a file of paths.
ROTATE_SCRIPT = Path(__file__).with_name("rotate.lua")

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass(frozen=True)
class Settings:
    """One wrk setting for every measured URL: the peers' harness uses the same."""

    threads: int = 2
    connections: int = 16
    duration: str = "15s"
    warmup: str = "5s"
    timeout: str = "10s"

    def command(
        self, url: str, duration: str, headers: list[str], rotate: tuple[Path, float] | None
    ) -> list[str]:
        """wrk's command line; `rotate`: (file of paths, where to start) for rotate.lua."""
        command = ["wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{duration}"]
        command += ["--latency", "--timeout", self.timeout]
        for header in headers:
            command += ["-H", header]
        if rotate is None:
            return [*command, url]
        paths, start = rotate
        return [
            *command,
            "-s",
            str(ROTATE_SCRIPT),
            url,
            "--",
            str(paths),
            str(start),
            str(self.threads),
        ]


def to_ms(value: str) -> float:
    """wrk's latencies (`850.00us`, `12.34ms`, `1.02s`, `1.50m`) in milliseconds."""
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", value.strip())
    if match is None:
        raise ValueError(f"not a wrk latency: {value!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse(output: str) -> dict:
    """The figures of one `wrk --latency` run: req/s, p50/p99 in ms, requests and errors."""
    rate = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.M)
    total = re.search(r"^\s*(\d+) requests in", output, re.M)
    if rate is None or total is None:
        raise ValueError(f"wrk printed no result: {output.strip()[-200:]!r}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    connect, read, write, timeouts = (int(n) for n in sockets.groups()) if sockets else (0,) * 4
    return {
        "req_s": float(rate[1]),
        "requests": int(total[1]),
        "p50_ms": to_ms(percentiles["50"]),
        "p99_ms": to_ms(percentiles["99"]),
        "non2xx3xx": int(non2xx[1]) if non2xx else 0,
        "socket_errors": connect + read + write,
        "timeouts": timeouts,
    }


def run(
    settings: Settings, url: str, headers: list[str] = (), rotate_over: Path | None = None
) -> str:
    """A warm-up run (discarded), then the measured run; wrk's output of the latter.

    With `rotate_over` (a file of paths on `url`'s server), each request asks for the next
    path; the warm-up walks the list's second half, the measured run its first."""
    subprocess.run(
        settings.command(url, settings.warmup, list(headers), rotate_over and (rotate_over, 0.5)),
        capture_output=True,
        check=False,
    )
    return start(settings, url, headers, rotate_over and (rotate_over, 0.0)).communicate()[0]


def start(
    settings: Settings,
    url: str,
    headers: list[str] = (),
    rotate: tuple[Path, float] | None = None,
) -> subprocess.Popen:
    """The measured run in the background (readers while members post)."""
    return subprocess.Popen(
        settings.command(url, settings.duration, list(headers), rotate),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def require() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("bench: wrk is not installed (`make wrk-deps` installs Debian's)")


def version() -> str:
    result = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).split(" [")[0].removeprefix("wrk ").strip()
