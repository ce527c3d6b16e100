from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pytest_django.live_server_helper import LiveServer

TESTS = Path(__file__).resolve().parent.parent
REFERENCE = TESTS / "fixtures" / "go-expvar-reference.json"


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
