"""``http`` as ``http_requests_total{method,status}`` and a latency histogram."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from expvar.prometheus import Family, Sample, counter, gauge


def http_families(value: dict[str, Any]) -> Iterator[Family]:
    """Yield the families of the request metrics the middleware counts (``HttpMetrics.value``)."""
    requests = tuple(
        Sample("_total", (("method", method), ("status", status)), count)
        for method, statuses in value["by_method_status"].items()
        for status, count in statuses.items()
    )
    help_text = "Finished HTTP requests by method and status class."
    yield Family("http_requests", "counter", help_text, requests)
    yield gauge("http_requests_in_flight", "HTTP requests being served.", value["in_flight"])
    yield counter("http_requests_started_total", "HTTP requests started.", value["requests"])
    # The stored buckets count each request once, in the first bucket that holds it; the
    # exposition's buckets count every request at or below their bound, so they are summed up.
    latency, total, samples = value["latency"], 0, []
    for bound in sorted(latency["buckets"], key=float):
        total += latency["buckets"][bound]
        le = "+Inf" if bound == "+Inf" else repr(float(bound))
        samples.append(Sample("_bucket", (("le", le),), total))
    # _count is the +Inf bucket's total, so that a scrape between two cells' flushes agrees.
    samples += [Sample("_sum", (), float(latency["sum"])), Sample("_count", (), total)]
    help_text = "Latency of finished HTTP requests."
    yield Family("http_request_duration_seconds", "histogram", help_text, tuple(samples))
