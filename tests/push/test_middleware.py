from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, RequestFactory, override_settings

from expvar.contrib.http.middleware import HttpMetricsMiddleware
from expvar.contrib.http.vars import BUCKET_KEYS, bucket_key, http, method_key, status_key
from expvar.registry import get_registry

pytestmark = pytest.mark.urls("tests.push.urls")

MIDDLEWARE = ["expvar.contrib.http.middleware.HttpMetricsMiddleware"]


@pytest.fixture(autouse=True)
def fresh_http() -> Iterator[None]:
    for key in ("requests", "in_flight", "by_method", "by_status", "by_method_status", "latency"):
        _delete_tree(key)
    with override_settings(MIDDLEWARE=MIDDLEWARE):
        yield


def _delete_tree(top: str) -> None:
    value = http.value().get(top)
    if isinstance(value, dict):
        for path in _paths(value, (top,)):
            http.delete(path)
    else:
        http.delete(top)


def _paths(value: dict[str, Any], prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for key, item in value.items():
        if isinstance(item, dict):
            yield from _paths(item, (*prefix, key))
        else:
            yield (*prefix, key)


def test_counts_requests_by_method_and_status_class() -> None:
    client = Client()
    client.get("/ok")
    client.get("/ok")
    client.post("/missing")
    client.generic("BREW", "/ok")
    value = http.value()
    assert value["requests"] == 4
    assert value["by_method"] == {"GET": 2, "OTHER": 1, "POST": 1}
    assert value["by_status"] == {"2xx": 3, "4xx": 1}
    assert value["by_method_status"] == {"GET": {"2xx": 2}, "OTHER": {"2xx": 1}, "POST": {"4xx": 1}}
    assert value["in_flight"] == 0


def test_a_view_that_raises_counts_as_a_5xx() -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/boom").status_code == 500
    assert http.value()["by_status"] == {"5xx": 1}


def test_in_flight_counts_the_request_being_served() -> None:
    assert Client().get("/in-flight").content == b"1"
    assert http.get("in_flight") == 0


def test_every_path_is_published_at_zero_before_the_first_request() -> None:
    assert http.value() == {
        "requests": 0,
        "in_flight": 0,
        "by_method": {},
        "by_status": {},
        "by_method_status": {},
        "latency": {"count": 0, "sum": 0.0, "buckets": dict.fromkeys(BUCKET_KEYS, 0)},
    }


def test_latency_sum_count_and_buckets() -> None:
    client = Client()
    for _ in range(3):
        client.get("/ok")
    latency = http.value()["latency"]
    assert latency["count"] == 3
    assert isinstance(latency["sum"], float)
    assert latency["sum"] > 0
    assert sum(latency["buckets"].values()) == 3
    assert set(latency["buckets"]) <= set(BUCKET_KEYS)


def test_buckets_are_published_in_order_of_their_bounds() -> None:
    for key in reversed(BUCKET_KEYS):
        http.add(("latency", "buckets", key), 1)
    assert list(http.value()["latency"]["buckets"]) == list(BUCKET_KEYS)


def test_async_requests_are_counted() -> None:
    async def requests() -> int:
        client = AsyncClient()
        response = await client.get("/async")
        await client.get("/missing")
        return int(response.status_code)

    assert async_to_sync(requests)() == 201
    value = http.value()
    assert value["by_status"] == {"2xx": 1, "4xx": 1}
    assert value["by_method"] == {"GET": 2}
    assert value["in_flight"] == 0


def test_middleware_adapts_to_sync_and_async_stacks() -> None:
    def sync_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert HttpMetricsMiddleware.sync_capable
    assert HttpMetricsMiddleware.async_capable
    assert not iscoroutinefunction(HttpMetricsMiddleware(sync_view))
    assert iscoroutinefunction(HttpMetricsMiddleware(async_view))


def test_async_exception_still_closes_the_request() -> None:
    async def failing(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("escaped")

    middleware = HttpMetricsMiddleware(failing)
    with pytest.raises(RuntimeError):
        async_to_sync(middleware)(RequestFactory().get("/"))
    assert http.get("in_flight") == 0
    assert http.get(("by_status", "5xx")) == 1


def test_sync_exception_still_closes_the_request() -> None:
    def failing(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("escaped")

    with pytest.raises(RuntimeError):
        HttpMetricsMiddleware(failing)(RequestFactory().get("/"))
    assert http.get("in_flight") == 0


@pytest.mark.parametrize(
    ("seconds", "key"),
    [(0.0, "0.005"), (0.005, "0.005"), (0.0051, "0.01"), (10.0, "10"), (11, "+Inf")],
)
def test_bucket_bounds_are_upper_bounds(seconds: float, key: str) -> None:
    assert bucket_key(seconds) == key


def test_status_and_method_keys() -> None:
    assert status_key(204) == "2xx"
    assert status_key(599) == "5xx"
    assert status_key(None) == "5xx"
    assert status_key(42) == "other"
    assert method_key("PATCH") == "PATCH"
    assert method_key(None) == "OTHER"


def test_http_is_published_by_the_contrib_app() -> None:
    [declaration] = get_registry().layout.by_name["http"]
    assert declaration.app.label == "expvar_http"
    assert declaration.kind == "push"


@pytest.mark.redis
def test_counts_add_up_in_the_shared_store(shared_store: Any) -> None:
    with shared_store(FLUSH_INTERVAL=60) as store:
        Client().get("/ok")
        assert store.flush()
        value = http.value()
        assert value["by_method"] == {"GET": 1}
        assert value["in_flight"] == 0
        assert value["latency"]["count"] == 1
