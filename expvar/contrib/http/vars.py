"""The ``http`` push variable, fed by ``HttpMetricsMiddleware``; declared in the app's vars.py
so that it is listed from start-up on, before any request."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

import expvar

# Upper bounds, in seconds, of the latency buckets. Each request is counted in exactly one
# bucket: the first whose bound is >= its latency ("+Inf" for the rest). Non-cumulative, so a
# request costs one update however many buckets there are.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BUCKET_KEYS = (*(f"{bound:g}" for bound in BUCKETS), "+Inf")

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}


def bucket_key(seconds: float) -> str:
    return BUCKET_KEYS[bisect_left(BUCKETS, seconds)]


def method_key(method: str | None) -> str:
    # Clients choose the method; an open set of keys would let them grow the map without end.
    return method if method in METHODS else "OTHER"


def status_key(status: int | None) -> str:
    if status is None:
        return "5xx"
    return f"{status // 100}xx" if 100 <= status <= 599 else "other"


class HttpMetrics(expvar.Map):
    """A Map published with every key present and latency buckets in order of their bounds: a
    path that appeared only after the first request would make expvarmon and Datadog report it
    missing on a freshly started worker."""

    def value(self) -> dict[str, Any]:
        counted = super().value()
        latency = counted.pop("latency", {})
        buckets = {**dict.fromkeys(BUCKET_KEYS, 0), **latency.get("buckets", {})}
        return {
            "requests": 0,
            "in_flight": 0,
            "by_method": {},
            "by_status": {},
            "by_method_status": {},
            "latency": {"count": 0, "sum": 0.0, **latency, "buckets": buckets},
            **counted,
        }


http = HttpMetrics("http", prometheus="expvar.contrib.http.prometheus.http_families")
