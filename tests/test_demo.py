"""The demo site starts, passes its checks and shows each rule the README promises."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DEMO = Path(__file__).resolve().parent.parent / "demo"


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "demo_site.settings", "PYTHONWARNINGS": ""}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=DEMO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def listing() -> str:
    result = manage("expvar", "--list")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_passes_its_system_checks_and_announces_its_shared_names() -> None:
    result = manage("check")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "(expvar.W001) The variable name 'inventory' is declared 2 times" in output
    assert "(expvar.W001) The variable name 'version' is declared 2 times" in output
    assert "System check identified 2 issues (0 silenced)." in output


def test_demo_serves_go_layout_with_merge_and_collision_results() -> None:
    result = manage("expvar")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("{\n")
    published = json.loads(result.stdout)
    assert published["version"] == "shop-1.4.0"
    assert published["inventory"]["widgets"] == 12
    assert published["inventory"]["bins"] == 40
    assert "payment_gateway" not in published
    assert "legacy_mainframe" not in published
    assert published["inventory_service"] == {"healthy": 1, "latency_ms": 10.0}  # async def


def test_demo_listing_shows_each_rule(listing: str) -> None:
    assert "inventory: dicts merged from shop" in listing
    assert "key clash at widgets: shop wins over warehouse" in listing
    assert "version: collision between shop" in listing
    assert "payment_gateway (flaky.vars.PaymentGateway): error: ConnectionError" in listing
    assert "legacy_mainframe (flaky.vars.LegacyMainframe): timed out" in listing


def test_demo_installs_every_contrib_app_and_push_counters() -> None:
    result = manage("expvar")
    assert result.returncode == 0, result.stderr
    published = json.loads(result.stdout)
    for name in ("cmdline", "memstats", "resource", "cpu", "vmem", "swap", "netio", "process"):
        assert name in published, name
    assert set(published["http"]) >= {"requests", "in_flight", "latency"}
    assert isinstance(published["orders_placed"], int)
    assert isinstance(published["page_views"], dict)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo served by runserver on a free loopback port, as `make demo` serves it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "demo_site.settings",
        "PYTHONWARNINGS": "",
        "DEMO_DB": str(tmp_path_factory.mktemp("demo") / "db.sqlite3"),
    }
    env.pop("DEMO_REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=DEMO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/debug/vars", timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def memstats_of(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/debug/vars", timeout=10) as response:
        memstats: dict[str, Any] = json.loads(response.read())["memstats"]
    return memstats


@pytest.mark.go
def test_demo_memstats_decodes_as_go_runtime_memstats(godecode: Path, demo_server: str) -> None:
    decoded = subprocess.run(
        [str(godecode), f"{demo_server}/debug/vars"], capture_output=True, text=True, timeout=60
    )
    assert decoded.returncode == 0, decoded.stdout + decoded.stderr


def test_demo_memstats_keeps_gos_invariants_and_moves_after_garbage(demo_server: str) -> None:
    before = memstats_of(demo_server)
    # Each page the demo renders leaves thousands of objects behind for the collector.
    for _ in range(40):
        urllib.request.urlopen(f"{demo_server}/admin/login/", timeout=10).close()
    after = memstats_of(demo_server)
    for stats in (before, after):
        assert stats["Alloc"] == stats["HeapAlloc"]
        assert stats["HeapObjects"] == stats["Mallocs"] - stats["Frees"]
        assert stats["HeapIdle"] == stats["HeapSys"] - stats["HeapInuse"]
        parts = ("HeapSys", "StackSys", "MSpanSys", "MCacheSys", "BuckHashSys", "GCSys", "OtherSys")
        assert stats["Sys"] == sum(stats[part] for part in parts)
    assert after["NumGC"] > before["NumGC"]
    assert after["PauseTotalNs"] > before["PauseTotalNs"]
    assert after["LastGC"] > before["LastGC"]


def test_demo_serves_strict_json_in_gos_layout_and_the_admin(demo_server: str) -> None:
    with urllib.request.urlopen(f"{demo_server}/debug/vars", timeout=10) as response:
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        body = response.read().decode()
    assert body.startswith("{\n")
    assert body.endswith("\n}\n")
    names = [json.loads(line.split(": ", 1)[0]) for line in body[2:-3].split(",\n")]
    assert names == sorted(names)
    json.loads(body, parse_constant=lambda constant: pytest.fail(f"not strict JSON: {constant}"))
    with urllib.request.urlopen(f"{demo_server}/admin/", timeout=10) as response:
        assert response.url.endswith("/admin/login/?next=/admin/")
