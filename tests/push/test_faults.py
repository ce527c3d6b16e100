"""The shared store goes away, hangs, and comes back: the site keeps answering, counts resume.

Redis is never stopped: the store is reached through a proxy of the test's own, which is
stopped and restarted, or pointed at a closed port, or at a server that never answers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings

import expvar
from expvar.push.stores import StoreUnavailable
from expvar.resolution import resolve
from tests.push.conftest import SharedStore, unique
from tests.push.proxy import Proxy, closed_port
from tests.push.views import counted

pytestmark = [pytest.mark.redis, pytest.mark.urls("tests.push.urls")]

TIMEOUT = 0.2
# What one request may take while the store is away: one bounded try plus Django's own work.
BOUND = 1.5
MIDDLEWARE = ["expvar.contrib.http.middleware.HttpMetricsMiddleware"]


@pytest.fixture
def proxy(redis_url: str) -> Iterator[Proxy]:
    proxy = Proxy().start()
    yield proxy
    proxy.stop()


def timed_get(client: Client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(path)
    return response.status_code, time.perf_counter() - started


def wait_for(condition: Any, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("flush_interval", [0.1])
def test_store_stopped_mid_run_then_back(
    shared_store: SharedStore,
    proxy: Proxy,
    flush_interval: float,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client()
    caplog.set_level(logging.WARNING, logger="expvar")
    with (
        shared_store(proxy.url, FLUSH_INTERVAL=flush_interval, TIMEOUT=TIMEOUT) as store,
        override_settings(MIDDLEWARE=MIDDLEWARE),
    ):
        for _ in range(10):
            assert client.get("/count").status_code == 200
        assert store.flush()
        assert counted.value() == 10

        proxy.stop()
        timings = [timed_get(client, "/count") for _ in range(20)]
        assert [status for status, _ in timings] == [200] * 20
        assert max(seconds for _, seconds in timings) < BOUND
        assert not store.flush()
        assert not store.status().healthy
        assert store.status().pending > 0
        with pytest.raises(StoreUnavailable, match="unavailable"):
            counted.value()
        outage_lines = [r for r in caplog.records if "is unavailable" in r.getMessage()]
        assert len(outage_lines) == 1  # one line per outage, not one per request

        proxy.start()
        # The kept counts are written by the background retry once its back-off is over.
        assert wait_for(lambda: store.status().healthy and store.status().pending == 0)
        assert counted.value() == 30
        assert any("is back" in r.getMessage() for r in caplog.records)


def test_endpoint_serves_every_other_variable_while_the_store_is_away(
    shared_store: SharedStore,
) -> None:
    client = Client()
    name = unique("pushed")
    with shared_store(f"redis://127.0.0.1:{closed_port()}/15", TIMEOUT=TIMEOUT):
        expvar.Int(name).add(1)
        started = time.perf_counter()
        response = client.get("/debug/vars")
        assert time.perf_counter() - started < BOUND
        assert response.status_code == 200
        body = json.loads(response.content)
        assert body["answer"] == 42
        assert name not in body


def test_a_store_that_hangs_costs_one_bounded_wait_per_back_off(
    shared_store: SharedStore,
) -> None:
    silent = Proxy(silent=True).start()
    client = Client()
    try:
        with (
            shared_store(silent.url, TIMEOUT=TIMEOUT) as store,
            override_settings(MIDDLEWARE=MIDDLEWARE),
        ):
            # Requests only record their updates: none waits for the server.
            timings = [timed_get(client, "/count") for _ in range(10)]
            assert [status for status, _ in timings] == [200] * 10
            assert max(seconds for _, seconds in timings) < BOUND
            started = time.perf_counter()
            assert not store.flush()  # one bounded try
            assert time.perf_counter() - started < BOUND
            assert "TimeoutError" in store.status().last_error
            # Then, for the back-off, reads fail at once instead of waiting again.
            started = time.perf_counter()
            with pytest.raises(StoreUnavailable):
                counted.value()
            assert time.perf_counter() - started < TIMEOUT
            assert store.status().pending > 0
    finally:
        silent.stop()


def test_dashboard_panel_shows_the_outage(shared_store: SharedStore) -> None:
    from django.test import RequestFactory

    from expvar.push.cluster import context

    with shared_store(f"redis://127.0.0.1:{closed_port()}/15", TIMEOUT=TIMEOUT):
        expvar.Int(unique()).add(1)
        assert not expvar.push.flush()
        data = context(RequestFactory().get("/"), resolve())
        assert data["store"]["healthy"] is False
        assert data["store"]["pending"] == 1
        assert "unavailable" in data["store_error"]
        assert [p["current"] for p in data["processes"]] == [True]
