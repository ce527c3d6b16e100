"""A real Prometheus scrapes four gunicorn workers sharing one Redis store."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.push.conftest import delete_prefix, unique

pytestmark = [pytest.mark.prometheus, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 400
TOKEN = "prometheus-test-token"
CONFIG = """
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: expvar
    metrics_path: /debug/metrics
    authorization:
      credentials: {token}
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


def until(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Return check()'s first truthy answer, polling every 0.2 s for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(OSError, ValueError, KeyError, IndexError):
            answer = check()
            if answer:
                return answer
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {seconds} s waiting for {what}")
        time.sleep(0.2)


@contextlib.contextmanager
def started(command: list[str], log: Path, **options: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` in a process group of its own, and kill the whole group at the end."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=output, start_new_session=True, **options
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@pytest.fixture
def prometheus_binary() -> str:
    found = shutil.which("prometheus")
    if found is None:
        pytest.skip("the Prometheus server is not installed (apt-get install prometheus)")
    return found


@pytest.fixture
def site(redis_url: str, redis_client: Any, tmp_path: Path) -> Iterator[str]:
    prefix = unique("prometheus")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.prometheus.site",
        "EXPVAR_TEST_REDIS_URL": redis_url,
        "EXPVAR_TEST_PREFIX": prefix,
        "EXPVAR_TEST_TOKEN": TOKEN,
    }
    command = [
        sys.executable, "-m", "gunicorn", "tests.prometheus.wsgi:application",
        "--workers", "4", "--bind", f"127.0.0.1:{port}",
    ]  # fmt: skip
    try:
        with started(command, tmp_path / "gunicorn.log", cwd=ROOT, env=env):
            base = f"http://127.0.0.1:{port}"
            until(lambda: fetch(f"{base}/bump") == b"bumped", 30, "gunicorn to answer")
            yield base
    finally:
        delete_prefix(redis_client, prefix)


@pytest.fixture
def prometheus(prometheus_binary: str, site: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(CONFIG.format(token=TOKEN, port=site.rsplit(":", 1)[1]))
    command = [
        prometheus_binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with started(command, tmp_path / "prometheus.log"):
        base = f"http://127.0.0.1:{port}"
        until(lambda: fetch(f"{base}/-/ready"), 30, "Prometheus to be ready")
        yield base


def query(prometheus: str, promql: str) -> list[dict[str, Any]]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    answer = json.loads(fetch(url))
    assert answer["status"] == "success"
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def scalar(prometheus: str, promql: str) -> float:
    (series,) = query(prometheus, promql)
    return float(series["value"][1])


def test_prometheus_counts_every_request_across_four_workers(site: str, prometheus: str) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, [f"{site}/bump"] * REQUESTS))
    assert answers == [b"bumped"] * REQUESTS
    sent = REQUESTS + 1  # and the one that found gunicorn up
    metric = "expvar_prometheus_tests_bumped_total"
    # Flushed every 0.2 s by each worker, scraped every second: the total reaches Prometheus
    # within a few seconds, and must then be exactly what was sent, never more.
    until(lambda: scalar(prometheus, metric) >= sent, 30, f"{metric} to reach {sent}")
    assert scalar(prometheus, metric) == sent


def test_prometheus_scrapes_the_contrib_families_with_the_token(site: str, prometheus: str) -> None:
    until(lambda: query(prometheus, 'http_requests_total{method="GET"}'), 30, "a scrape")
    assert scalar(prometheus, 'up{job="expvar"}') == 1
    names = set(json.loads(fetch(f"{prometheus}/api/v1/label/__name__/values"))["data"])
    assert names >= {
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_start_time_seconds",
        "go_memstats_alloc_bytes",
        "go_memstats_alloc_bytes_total",
        "go_gc_duration_seconds",
        "go_gc_duration_seconds_count",
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "expvar_answer",
        "expvar_inventory",
    }
    assert scalar(prometheus, 'expvar_inventory{key="gadgets"}') == 5
