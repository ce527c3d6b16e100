"""Real servers for the load tests: gunicorn serving the load site, and a private redis-server.

Both run in process groups of their own on 127.0.0.1, on free ports, and are killed (group and
all) when the test that started them ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from tests.load.poller import fetch_json
from tests.push.proxy import closed_port as free_port

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 30.0


class Gunicorn:
    """gunicorn serving ``tests.load.site`` with the given worker class, workers and threads;
    worker class ``uvicorn`` serves it with uvicorn instead, as an ASGI site."""

    def __init__(
        self,
        directory: Path,
        *,
        worker_class: str = "gthread",
        workers: int = 2,
        threads: int = 8,
        apps: Iterable[str] = ("faulty", "ordinary"),
        env: dict[str, str] | None = None,
    ) -> None:
        self.directory = directory
        self.worker_class = worker_class
        self.workers = workers
        self.threads = threads if worker_class == "gthread" else 1
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.load.site.settings",
            "EXPVAR_LOAD_DIR": str(directory),
            "EXPVAR_LOAD_APPS": ",".join(apps),
            **(env or {}),
        }
        self.log = directory / "gunicorn.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        self.port = free_port()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self._command(),
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,  # its own process group, so cleanup reaches the workers
            )  # fmt: skip
        self._wait_until_ready()
        return self

    def _command(self) -> list[str]:
        if self.worker_class == "uvicorn":  # the same site under ASGI, with the async endpoints
            return [
                sys.executable, "-m", "uvicorn", "tests.load.site.asgi:application",
                "--workers", str(self.workers), "--host", "127.0.0.1", "--port", str(self.port),
                "--no-access-log", "--lifespan", "off",
            ]  # fmt: skip
        threads = ["--threads", str(self.threads)] if self.worker_class == "gthread" else []
        return [
            sys.executable, "-m", "gunicorn", "tests.load.site.wsgi:application",
            "--worker-class", self.worker_class, "--workers", str(self.workers), *threads,
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "120",
            "--graceful-timeout", "20", "--no-control-socket",
        ]  # fmt: skip

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                fetch_json(f"{self.base}/ping", timeout=2)
                if len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start:\n{self.log_tail()}")
            time.sleep(0.1)

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``django-admin <args>`` on this server's settings, as ``manage.py`` would."""
        return subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        if self.worker_class == "uvicorn" and self.workers == 1:
            return [self.process.pid]  # one process serves, with no supervisor above it
        with contextlib.suppress(psutil.NoSuchProcess):
            return sorted(child.pid for child in psutil.Process(self.process.pid).children())
        return []

    def terminate(self, seconds: float = 40.0) -> int:
        """Stop gracefully (workers run their exit handlers) and return the master's exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(seconds)

    def stop(self) -> None:
        """Kill what is left of this gunicorn: its master and any worker still running."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


def thread_count(pid: int) -> int:
    """The kernel's count of the process's threads (``Threads:`` in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    raise LookupError(f"no Threads: line for {pid}")


def settled_thread_counts(limits: dict[int, int], seconds: float) -> dict[int, int]:
    """Wait up to ``seconds`` for every process to be down to its limit; return the counts."""
    deadline = time.monotonic() + seconds
    while True:
        counts = {pid: thread_count(pid) for pid in limits}
        if all(counts[pid] <= limit for pid, limit in limits.items()):
            return counts
        if time.monotonic() > deadline:
            return counts
        time.sleep(0.1)


class RedisServer:
    """A redis-server of the test's own, without persistence: restarted, it comes back empty."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server")
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        import redis

        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", str(self.directory),
                ],
                stdout=log,
                stderr=log,
                start_new_session=True,
            )  # fmt: skip
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + START_SECONDS
        try:
            while True:
                try:
                    client.ping()
                    return self
                except redis.RedisError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def fill_thread_pools(server: Gunicorn, seconds: float = 15.0) -> dict[int, int]:
    """Make every gthread worker start its whole thread pool; return each worker's threads.

    gunicorn starts a worker's threads as requests need them and keeps them: the thread count of
    a worker at full strength is the baseline a load is measured against.
    """
    pids = set(server.worker_pids())
    if server.worker_class == "gthread":
        full: set[int] = set()
        clients = 2 * server.workers * server.threads
        deadline = time.monotonic() + seconds
        while full != pids:
            if time.monotonic() > deadline:
                raise RuntimeError(f"thread pools not filled: {full} of {pids}")
            with ThreadPoolExecutor(max_workers=clients) as pool:
                replies = list(pool.map(fetch_json, [f"{server.base}/hold"] * clients))
            full |= {reply["pid"] for reply in replies if reply["peak"] >= server.threads}
    return {pid: thread_count(pid) for pid in pids}
