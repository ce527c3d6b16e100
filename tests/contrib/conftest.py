from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pytest_django.live_server_helper import LiveServer

TESTS = Path(__file__).resolve().parent.parent
REFERENCE = TESTS / "fixtures" / "go-expvar-reference.json"
GODECODE_SOURCE = TESTS / "go" / "godecode"


@pytest.fixture(scope="session")
def reference_body() -> str:
    return REFERENCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def reference(reference_body: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(reference_body)
    return data


@pytest.fixture
def vars_url(live_server: LiveServer) -> str:
    # The fixture names "localhost"; ask for the loopback address itself.
    return f"http://127.0.0.1:{urlsplit(live_server.url).port}/debug/vars"


@pytest.fixture
def fetch(vars_url: str) -> Callable[[], tuple[str, str]]:
    """GET /debug/vars from the live server: (Content-Type, body)."""

    def get() -> tuple[str, str]:
        with urllib.request.urlopen(vars_url, timeout=10) as response:
            assert response.status == 200
            return response.headers["Content-Type"], response.read().decode("utf-8")

    return get


@pytest.fixture
def poll(fetch: Callable[[], tuple[str, str]]) -> Callable[[], dict[str, Any]]:
    """Fetch and decode /debug/vars, as a monitor's poll does."""

    def get() -> dict[str, Any]:
        data: dict[str, Any] = json.loads(fetch()[1])
        return data

    return get


@pytest.fixture(scope="session")
def godecode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's Go decoder, built once per session, offline."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("the Go toolchain is not installed (apt-get install golang-go)")
    build = tmp_path_factory.mktemp("godecode")
    env = {**os.environ, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GO111MODULE": "on"}
    if "GOCACHE" not in env and "HOME" not in env and "XDG_CACHE_HOME" not in env:
        env["GOCACHE"] = str(build / "cache")
    binary = build / "godecode"
    built = subprocess.run(
        [go, "build", "-o", str(binary), "."],
        cwd=GODECODE_SOURCE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    return binary
