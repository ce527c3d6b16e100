"""``http`` as ``http_requests_total{method,status}`` and a latency histogram."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from expvar.prometheus import Family, Sample, counter, gauge

DURATION = "http_request_duration_seconds"


def http_families(value: dict[str, Any]) -> Iterator[Family]:
    """Yield the families of the request metrics the middleware counts."""
    methods = value.get("by_method_status")
    requests = tuple(
        Sample("_total", (("method", str(method)), ("status", status)), count)
        for method, statuses in (methods if isinstance(methods, dict) else {}).items()
        for status, count in _numbers(statuses).items()
    )
    help_text = "Finished HTTP requests by method and status class."
    yield Family("http_requests", "counter", help_text, requests)
    if isinstance(value.get("in_flight"), int):
        yield gauge("http_requests_in_flight", "HTTP requests being served.", value["in_flight"])
    if isinstance(value.get("requests"), int):
        yield counter("http_requests_started_total", "HTTP requests started.", value["requests"])
    latency = value.get("latency")
    if not isinstance(latency, dict):
        return
    # The stored buckets count each request once, in the first bucket that holds it; the
    # exposition's buckets count every request at or below their bound, so they are summed up.
    samples = []
    total = 0
    buckets = _numbers(latency.get("buckets"))
    for bound in sorted(buckets, key=float):
        total += int(buckets[bound])
        le = "+Inf" if bound == "+Inf" else repr(float(bound))
        samples.append(Sample("_bucket", (("le", le),), total))
    samples.append(Sample("_sum", (), float(latency.get("sum") or 0.0)))
    # The +Inf bucket's total, so that a scrape between two cells' flushes stays consistent.
    samples.append(Sample("_count", (), total))
    yield Family(DURATION, "histogram", "Latency of finished HTTP requests.", tuple(samples))


def _numbers(value: Any) -> dict[str, int | float]:
    if not isinstance(value, dict):
        return {}
    return {
        str(key): number
        for key, number in value.items()
        if isinstance(number, (int, float)) and not isinstance(number, bool)
    }
