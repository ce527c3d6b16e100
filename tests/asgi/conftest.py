"""uvicorn serving ``tests.asgi`` on 127.0.0.1, with a SQLite file and an admin user."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.load.poller import fetch_json
from tests.push.proxy import closed_port as free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "asgi-tests"


@dataclass
class Server:
    base: str
    calls: Path
    process: subprocess.Popen[bytes]

    def hung_calls(self) -> int:
        return len(self.calls.read_text().splitlines()) if self.calls.exists() else 0


def _manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def uvicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    pytest.importorskip("uvicorn", reason="uvicorn is not installed")
    directory = tmp_path_factory.mktemp("asgi")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.asgi.settings",
        "EXPVAR_ASGI_DB": str(directory / "db.sqlite3"),
        "EXPVAR_ASGI_CALLS": str(directory / "hung-calls"),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    _manage(env, "migrate", "--noinput")
    _manage(
        env, "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"
    )
    port = free_port()
    with (directory / "uvicorn.log").open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "tests.asgi.asgi:application",
                "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
                "--no-access-log",
            ],
            cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", directory / "hung-calls", process)
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                fetch_json(f"{server.base}/census", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
