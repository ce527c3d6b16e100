"""Four gunicorn workers count into one Redis store; their heartbeats list them all."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

import expvar
from expvar.push.stores import current
from tests.push.conftest import delete_prefix, store_settings, unique

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 400


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        data: dict[str, Any] = json.loads(response.read())
        return data


@pytest.fixture
def prefix(redis_client: Any) -> Iterator[str]:
    prefix = unique("gunicorn")
    yield prefix
    delete_prefix(redis_client, prefix)


@pytest.fixture(params=[False, True], ids=["app-per-worker", "preload"])
def server(
    request: pytest.FixtureRequest, redis_url: str, prefix: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.push.gunicorn_settings",
        "EXPVAR_TEST_REDIS_URL": redis_url,
        "EXPVAR_TEST_PREFIX": prefix,
    }
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "tests.push.wsgi:application",
                "--workers", "4", "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "20",
                *(["--preload"] if request.param else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its own process group, so cleanup reaches the workers
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            get(f"{base}/count")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_group(process)
                pytest.fail(f"gunicorn did not start: {log.read_text()}")
            time.sleep(0.1)
    try:
        yield process, base
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Kill what is left of this gunicorn: its master and any worker still running."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def test_workers_add_up_exactly_and_list_themselves(
    request: pytest.FixtureRequest,
    redis_url: str,
    prefix: str,
    server: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, base = server
    preloaded = "preload" in request.node.callspec.id
    loads = 1 if preloaded else 4  # processes that loaded the application (see wsgi.py)
    with ThreadPoolExecutor(max_workers=16) as pool:
        pids = {reply["pid"] for reply in pool.map(get, [f"{base}/count"] * REQUESTS)}
    assert len(pids) > 1  # the requests really were spread over several workers

    with override_settings(**store_settings(redis_url, prefix, HEARTBEAT=1)):
        # Every worker that served a request publishes a heartbeat within a second or two.
        deadline = time.monotonic() + 15
        while {p.pid for p in current().processes()} < pids and time.monotonic() < deadline:
            time.sleep(0.1)
        listed = current().processes()
        assert pids <= {p.pid for p in listed}
        assert len({p.host for p in listed}) == 1

        # FLUSH_INTERVAL is 60 s: the counts reach Redis through each worker's flush at exit.
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
        counted = expvar.Int("push_tests_counted")
        # The requests, the one that found the server up, and one per application load.
        assert counted.value() == REQUESTS + 1 + loads
        http = expvar.Map("http")
        assert http.get(("by_method", "GET")) == REQUESTS + 1
        assert http.get("in_flight") == 0
        # Workers that exit cleanly free their heartbeat slots.
        assert {p.pid for p in current().processes()}.isdisjoint(pids)
