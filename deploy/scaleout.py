"""Several `djemaa serve` processes behind nginx on one machine, started and stopped together.

    python -m deploy.scaleout [--processes N] [--host H] [--port P] [--run-dir DIR]

serves the site the environment describes (DATABASE_URL, REDIS_URL, DJEMAA_DATA_DIR…: the
README's configuration) at H:P through nginx, with the processes on the next ports (P+1…P+N),
until Ctrl+C or SIGTERM; then it stops nginx and every process. docs/scaleout.md says why it is
built this way. The benchmark (bench/run.py) and the tests (tests/scaleout/) use the same classes.
"""

import argparse
import contextlib
import http.client
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf")
START_SECONDS = 90


def answers(base: str, path: str = "/") -> bool:
    """Whether something at `base` answers HTTP (any status)."""
    connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", path)
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return True


def _wait_until_answers(base: str, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not answers(base):
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped at start-up: see {log}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer in {START_SECONDS} s: see {log}")
        time.sleep(0.3)


def _stop(process: subprocess.Popen, signal_number: int, children: list[int] = ()) -> None:
    """Ask `process` to stop with `signal_number`; kill it (and `children`) if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal_number)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait()


class DjemaaServer:
    """`djemaa serve` on HOST:PORT with N uvicorn workers, stopped on leaving the `with` block."""

    def __init__(self, env: dict, port: int, log: Path, workers: int = 1, host: str = "127.0.0.1"):
        self.env, self.port, self.log, self.workers, self.host = env, port, log, workers, host
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> "DjemaaServer":
        if answers(self.base):
            raise RuntimeError(f"port {self.port} is already in use")
        command = [sys.executable, "-m", "djemaa.core.cli", "serve", "--host", self.host]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            _wait_until_answers(self.base, self.process, "djemaa serve", self.log)
        except RuntimeError:
            self.__exit__()
            raise
        # uvicorn starts its workers one by one: wait until each has taken requests.
        for _ in range(4 * self.workers):
            answers(self.base)
        return self

    def __exit__(self, *exc) -> None:
        # uvicorn stops its workers on SIGINT, as on Ctrl+C.
        if self.process is not None:
            _stop(self.process, signal.SIGINT, self.pids())

    def pids(self) -> list[int]:
        """The processes that serve requests: uvicorn's workers, or the process itself."""
        if self.process is None or self.process.poll() is not None:
            return []
        if self.workers == 1:
            return [self.process.pid]  # uvicorn serves in-process with one worker
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


def nginx_path() -> str:
    # /usr/sbin is where Debian puts it, and not on every user's PATH.
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None:
        raise RuntimeError("nginx is missing: `make nginx-deps` installs Debian's")
    return found


def static_root(env: dict) -> Path:
    """Where the processes collect their static files (config/settings.py's STATIC_ROOT)."""
    return (ROOT / env.get("DJEMAA_DATA_DIR", "./data")).resolve() / "static"


def nginx_config(
    run_dir: Path, host: str, port: int, upstream_ports: list[int], static: Path
) -> str:
    """deploy/nginx.conf with its fields filled in."""
    # Started as root, nginx would run its workers as nobody: keep them the current user's.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstream_ports)
    fields = {
        "USER": user,
        "RUN_DIR": str(run_dir),
        "HOST": host,
        "PORT": str(port),
        "SERVERS": servers,
        "STATIC_ROOT": str(static),
    }
    text = TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace(f"@{name}@", value)
    return text


class ScaleOut:
    """nginx on HOST:PORT in front of `processes` Djemaa processes on ports PORT+1…PORT+N
    (one uvicorn worker each), all stopped on leaving the `with` block."""

    def __init__(self, env: dict, processes: int, port: int, run_dir: Path, host="127.0.0.1"):
        if processes < 1:
            raise ValueError("at least one process")
        self.host, self.port, self.run_dir = host, port, run_dir.resolve()
        self.env = {"DJEMAA_PUBLIC_URL": f"http://{host}:{port}", **env}
        self.servers = [
            DjemaaServer(self.env, port + n, self.run_dir / f"djemaa-{port + n}.log")
            for n in range(1, processes + 1)
        ]
        self.nginx: subprocess.Popen | None = None
        self._stack = contextlib.ExitStack()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> "ScaleOut":
        nginx = nginx_path()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with self._stack:
            # One at a time: each start collects the static files into the shared folder.
            for server in self.servers:
                self._stack.enter_context(server)
            config = self.run_dir / "nginx.conf"
            config.write_text(
                nginx_config(
                    self.run_dir,
                    self.host,
                    self.port,
                    [server.port for server in self.servers],
                    static_root(self.env),
                )
            )
            if answers(self.base):
                raise RuntimeError(f"port {self.port} is already in use")
            log = self.run_dir / "nginx-error.log"
            self.nginx = subprocess.Popen(
                [nginx, "-p", str(self.run_dir), "-c", str(config), "-e", str(log)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # nginx stops gracefully on SIGQUIT: requests in flight are answered first.
            self._stack.callback(_stop, self.nginx, signal.SIGQUIT)
            _wait_until_answers(self.base, self.nginx, "nginx", log)
            self._stack = self._stack.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def pids(self) -> list[int]:
        """The Djemaa processes' ids (nginx's own are not counted)."""
        return [pid for server in self.servers for pid in server.pids()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--run-dir", type=Path, default=ROOT / "data" / "scaleout")
    options = parser.parse_args(argv)
    if options.processes < 1:
        parser.error("--processes must be at least 1")
    # SIGTERM (a service manager, `kill`) stops everything as Ctrl+C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with ScaleOut(
            dict(os.environ), options.processes, options.port, options.run_dir, options.host
        ) as site:
            ports = [server.port for server in site.servers]
            print(
                f"Djemaa at {site.base}: nginx in front of {len(ports)} processes"
                f" (ports {ports[0]}–{ports[-1]}); logs in {site.run_dir}. Ctrl+C stops.",
                flush=True,
            )
            signal.pause()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    except RuntimeError as error:
        sys.exit(f"scaleout: {error}")


if __name__ == "__main__":
    main()
