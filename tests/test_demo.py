"""The demo site starts, passes its checks and shows each rule the README promises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_demo_passes_its_system_checks() -> None:
    result = manage("check", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


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
