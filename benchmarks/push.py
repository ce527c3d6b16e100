"""Cost of a push variable's ``add`` and of the http middleware on a request.

Run ``python -m benchmarks.push`` from the repository root (``DJANGO_SETTINGS_MODULE`` is
honoured; ``benchmarks.settings`` otherwise). The shared-store figures need Redis at
``EXPVAR_BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``) and are left out without it.
Targets: a local ``add`` under 1 µs; a buffered shared ``add`` under 5 µs amortised, its flush
included.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.timing import Timing, measure

DEFAULT_SETTINGS_MODULE = "benchmarks.settings"
REDIS_URL = os.environ.get("EXPVAR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
LOCAL_TARGET_US = 1.0
BUFFERED_TARGET_US = 5.0
FLUSH_EVERY = 1000


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
    import django

    django.setup(set_prefix=False)


def redis_available() -> bool:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@contextmanager
def shared_store(**options: Any) -> Iterator[None]:
    """Serve push variables from Redis under a key prefix of the run's own, then delete it."""
    import redis
    from django.test.utils import override_settings

    from expvar.push.stores import reset

    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "bench": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
    store = {"BACKEND": "cache", "ALIAS": "bench", "KEY_PREFIX": prefix, "HEARTBEAT": 0}
    try:
        with override_settings(CACHES=caches, EXPVAR_STORE={**store, **options}):
            yield
            reset()
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"*{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def every(n: int, action: Callable[[], object], then: Callable[[], object]) -> Callable[[], None]:
    """Return a call that does ``action`` and, every ``n``-th time, ``then`` as well."""
    count = 0

    def call() -> None:
        nonlocal count
        action()
        count += 1
        if count == n:
            count = 0
            then()

    return call


def locked_update() -> Callable[[], None]:
    """What any thread-safe in-process counter must at least do, for scale on this machine."""
    import threading

    lock = threading.Lock()
    cells: dict[str, int] = {}

    def update() -> None:
        with lock:
            cells["a"] = cells.get("a", 0) + 1

    return update


def middleware_timings(label: str) -> list[Timing]:
    from django.http import HttpRequest, HttpResponse
    from django.test import RequestFactory

    from expvar.contrib.http.middleware import HttpMetricsMiddleware

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    wrapped = HttpMetricsMiddleware(view)
    return [
        measure(f"request through HttpMetricsMiddleware ({label})", lambda: wrapped(request)),
        measure(f"request without the middleware ({label})", lambda: view(request)),
    ]


def run() -> list[Timing]:
    configure()
    import expvar
    from expvar.push.stores import flush
    from expvar.registry import get_registry

    counter = expvar.Int(f"bench_{uuid.uuid4().hex[:8]}")
    get_registry().unpublish([counter])  # timed, not published
    timings = [
        measure("push Int.add, local store", lambda: counter.add(1)),
        measure("floor: a dict update under a threading.Lock", locked_update()),
    ]
    timings += middleware_timings("local store")
    if not redis_available():
        print(f"bench: no Redis at {REDIS_URL}; shared-store figures left out", file=sys.stderr)
        return timings
    with shared_store(FLUSH_INTERVAL=3600):
        timings.append(
            measure(
                f"push Int.add, shared store, buffered (amortised over {FLUSH_EVERY} adds "
                "and their flush)",
                every(FLUSH_EVERY, lambda: counter.add(1), flush),
            )
        )
        timings += middleware_timings("shared store, buffered")
        flush()
    return timings


def main() -> int:
    timings = run()
    for timing in timings:
        print(timing.describe())
    by_label = {timing.label: timing for timing in timings}
    local = by_label["push Int.add, local store"].median_us
    floor = by_label["floor: a dict update under a threading.Lock"].median_us
    print(
        f"target: local add < {LOCAL_TARGET_US:g} µs: {local:.2f} µs",
        "holds" if local < LOCAL_TARGET_US else "MISSED",
        f"(floor on this machine: {floor:.2f} µs)",
    )
    buffered = [t for t in timings if "buffered (amortised" in t.label]
    if buffered:
        cost = buffered[0].median_us
        print(
            f"target: buffered shared add < {BUFFERED_TARGET_US:g} µs: {cost:.2f} µs",
            "holds" if cost < BUFFERED_TARGET_US else "MISSED",
        )
    for label in ("local store", "shared store, buffered"):
        with_mw = by_label.get(f"request through HttpMetricsMiddleware ({label})")
        without = by_label.get(f"request without the middleware ({label})")
        if with_mw and without:
            overhead = with_mw.median_us - without.median_us
            print(f"middleware overhead per request ({label}): {overhead:.2f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
