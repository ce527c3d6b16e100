"""Real servers on loopback under a bounded load: Django under gunicorn and uvicorn, and Go.

The benchmark project (100 trivial variables and a bare view serving the same bytes) runs under
gunicorn with sync workers (``ExpVarView``) and under uvicorn (``expvar.urls_async``'s
``AsyncExpVarView`` and an async bare view); the demo runs under gunicorn, and Go's own expvar
handler is the anchor. All servers are started first, each on a free 127.0.0.1 port, and stopped
in a ``finally``; then the loads take turns, round after round, so drift in the machine's speed
touches every server alike. Every load is bounded in time (``DURATION_S``) and, for the Python
fallback, in requests too. Traffic never leaves 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "demo"
GOREF_DIR = Path(__file__).resolve().parent / "goref"

HOST = "127.0.0.1"
DURATION_S = 5
ROUNDS = 5
THREADS = 2
CONNECTIONS = 8
WORKERS = 2
# The Python fallback's request cap: far above what it can send in DURATION_S on loopback.
MAX_REQUESTS = 200_000
BENCH_VARIABLES = 100
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Load:
    """What one server answered under one load (or several rounds of it, summed)."""

    label: str
    path: str
    tool: str
    requests: int
    seconds: float
    errors: int
    p50_s: float
    p99_s: float
    body_bytes: int
    names: int = 0
    rounds_rps: tuple[float, ...] = ()

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combine(rounds: list[Load]) -> Load:
    """Sum the rounds of one load; latency percentiles are the median round's."""
    first = rounds[0]
    middle = len(rounds) // 2
    return Load(
        label=first.label,
        path=first.path,
        tool=f"{first.tool}, {len(rounds)} rounds",
        requests=sum(load.requests for load in rounds),
        seconds=sum(load.seconds for load in rounds),
        errors=sum(load.errors for load in rounds),
        p50_s=sorted(load.p50_s for load in rounds)[middle],
        p99_s=sorted(load.p99_s for load in rounds)[middle],
        body_bytes=first.body_bytes,
        names=first.names,
        rounds_rps=tuple(load.rps for load in rounds),
    )


@dataclass
class ServerResults:
    loads: dict[str, Load] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def pair(self, server: str) -> tuple[Load, Load] | None:
        """``/debug/vars`` and the bare view under ``server``, if both were loaded."""
        endpoint, bare = self.loads.get(server), self.loads.get(f"{server} bare")
        return None if endpoint is None or bare is None else (endpoint, bare)

    def ratio(self, server: str) -> float | None:
        """``/debug/vars``'s requests per second as a fraction of the bare view's."""
        pair = self.pair(server)
        if pair is None or not pair[1].rps:
            return None
        return pair[0].rps / pair[1].rps


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def serving(
    argv: list[str], port: int, path: str, cwd: Path, env: dict[str, str] | None = None
) -> Iterator[bytes]:
    """Start a server, wait until ``path`` answers 200, yield that body; always stop it."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            yield _wait_ready(process, port, path, log)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], port: int, path: str, log: IO[bytes]) -> bytes:
    deadline = time.monotonic() + START_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, body = get(port, path, timeout=2.0)
        except OSError as exc:
            last = str(exc)
        else:
            if status == 200:
                # A few sequential requests so every worker has imported and warmed up.
                for _ in range(20):
                    get(port, path)
                return body
            last = f"HTTP {status}"
        time.sleep(0.2)
    log.seek(0)
    output = log.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"server on port {port} did not serve {path} ({last}):\n{output}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if match is None:
        raise ValueError(f"cannot read the duration {text!r}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}[match[2]]
    return float(match[1]) * scale


def parse_wrk(output: str) -> tuple[int, float, int, float, float]:
    """Return requests, seconds, errors, p50 and p99 from ``wrk --latency`` output."""
    done = re.search(r"(\d+) requests in ([\d.]+\w+),", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    if done is None or p50 is None or p99 is None:
        raise ValueError(f"cannot read wrk's output:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx[1])
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        # Sync gunicorn closes every connection; wrk counts those closes as read errors, so
        # only failed connects, writes and timeouts are errors.
        errors += int(sockets[1]) + int(sockets[3]) + int(sockets[4])
    return int(done[1]), _seconds(done[2]), errors, _seconds(p50[1]), _seconds(p99[1])


def load(label: str, port: int, path: str, body: bytes) -> Load:
    """Put the bounded load on ``http://127.0.0.1:port/path`` with wrk, else the fallback."""
    url = f"http://{HOST}:{port}{path}"
    wrk = shutil.which("wrk")
    if wrk is not None:
        argv = [
            wrk,
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{DURATION_S}s",
            "--timeout",
            "5s",
            "--latency",
            url,
        ]
        output = subprocess.run(
            argv, capture_output=True, text=True, timeout=DURATION_S + 30, check=True
        ).stdout
        requests, seconds, errors, p50, p99 = parse_wrk(output)
        tool = f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION_S}s"
    else:
        argv = [
            sys.executable,
            "-m",
            "benchmarks.load",
            url,
            str(DURATION_S),
            str(CONNECTIONS),
            str(MAX_REQUESTS),
        ]
        output = subprocess.run(
            argv, capture_output=True, text=True, timeout=DURATION_S + 30, check=True, cwd=REPO
        ).stdout
        figures = json.loads(output)
        requests, seconds, errors = figures["requests"], figures["seconds"], figures["errors"]
        p50, p99 = figures["p50_s"], figures["p99_s"]
        tool = f"python -m benchmarks.load, {CONNECTIONS} connections, {DURATION_S} s"
    return Load(label, path, tool, requests, seconds, errors, p50, p99, len(body), _names(body))


def _names(body: bytes) -> int:
    """The number of top-level names a /debug/vars body publishes."""
    try:
        published = json.loads(body)
    except ValueError:
        return 0
    return len(published) if isinstance(published, dict) else 0


def _python_env(*paths: Path, settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(path) for path in paths)
    env["DJANGO_SETTINGS_MODULE"] = settings
    return env


def _gunicorn(port: int, app: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        app,
    ]


def _uvicorn(port: int, app: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
        "--no-access-log",
        app,
    ]


@dataclass(frozen=True)
class Target:
    """One URL on a running server, to be loaded."""

    key: str
    label: str
    port: int
    path: str
    body: bytes


def start_demo(stack: ExitStack) -> list[Target]:
    """The demo site's /debug/vars under gunicorn, without its deliberately slow app."""
    port = free_port()
    env = _python_env(DEMO_DIR, REPO, settings="benchmarks.demo_settings")
    argv = _gunicorn(port, "demo_site.wsgi:application")
    body = stack.enter_context(serving(argv, port, "/debug/vars", DEMO_DIR, env))
    return [Target("demo", "demo /debug/vars (gunicorn)", port, "/debug/vars", body)]


def _bench_pair(server: str, port: int, body: bytes) -> list[Target]:
    """/debug/vars and the bare view on one server, once the bare view is seen to match."""
    status, bare_body = get(port, "/floor")
    if status != 200 or bare_body != body:
        raise RuntimeError(f"the bare view under {server} does not serve /debug/vars's bytes")
    return [
        Target(
            server,
            f"/debug/vars, {BENCH_VARIABLES} variables ({server})",
            port,
            "/debug/vars",
            body,
        ),
        Target(f"{server} bare", f"bare view, same bytes ({server})", port, "/floor", bare_body),
    ]


def start_gunicorn(stack: ExitStack) -> list[Target]:
    """The benchmark project under gunicorn (sync workers)."""
    port = free_port()
    env = _python_env(REPO, settings="benchmarks.settings")
    argv = _gunicorn(port, f"benchmarks.endpoint:serving_app({BENCH_VARIABLES})")
    return _bench_pair(
        "gunicorn", port, stack.enter_context(serving(argv, port, "/debug/vars", REPO, env))
    )


def start_uvicorn(stack: ExitStack) -> list[Target]:
    """The benchmark project under uvicorn (async views)."""
    port = free_port()
    env = _python_env(REPO, settings="benchmarks.asgi_settings")
    argv = _uvicorn(port, "benchmarks.asgi:application")
    return _bench_pair(
        "uvicorn", port, stack.enter_context(serving(argv, port, "/debug/vars", REPO, env))
    )


def start_goref(stack: ExitStack) -> list[Target]:
    """Go's own expvar handler, built from benchmarks/goref with the module proxy off."""
    go = shutil.which("go")
    if go is None:
        raise FileNotFoundError("`go` is not installed, so there is no Go anchor in this run.")
    build = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    binary = build / "goref"
    env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", CGO_ENABLED="0")
    subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=GOREF_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = free_port()
    body = stack.enter_context(serving([str(binary), f"{HOST}:{port}"], port, "/debug/vars", build))
    return [Target("go", "Go expvar handler", port, "/debug/vars", body)]


def run() -> ServerResults:
    results = ServerResults()
    if shutil.which("wrk") is None:
        results.notes.append(
            "`wrk` is not installed: the load came from `python -m benchmarks.load` "
            "(threads in a second process), which saturates sooner than wrk."
        )
    with ExitStack() as stack:
        targets: list[Target] = []
        for start in (start_gunicorn, start_uvicorn, start_demo, start_goref):
            try:
                targets += start(stack)
            except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
                what = (start.__doc__ or start.__name__).rstrip(".")
                results.notes.append(f"{what}: not run. {exc}")
        rounds: dict[str, list[Load]] = {target.key: [] for target in targets}
        for _ in range(ROUNDS):
            for target in targets:
                try:
                    measured = load(target.label, target.port, target.path, target.body)
                except (OSError, ValueError, subprocess.SubprocessError) as exc:
                    results.notes.append(f"Loading {target.label} failed: {exc}")
                    continue
                rounds[target.key].append(measured)
    results.loads = {key: combine(loads) for key, loads in rounds.items() if loads}
    return results
