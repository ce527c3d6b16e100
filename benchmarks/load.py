"""A bounded HTTP load generator for loopback, used only when ``wrk`` is not installed.

Run as a second process: ``python -m benchmarks.load URL SECONDS CONNECTIONS MAX_REQUESTS``.
It prints one JSON object: requests, seconds, errors and latency percentiles. Each connection is
a thread doing one request at a time, so it measures what a handful of pollers see, as wrk does.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def _worker(
    host: str,
    port: int,
    path: str,
    deadline: float,
    budget: threading.Semaphore,
    latencies: list[float],
    errors: list[int],
) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=5)
    while time.perf_counter() < deadline and budget.acquire(blocking=False):
        start = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException):
            errors.append(0)
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=5)
            continue
        latencies.append(time.perf_counter() - start)
    connection.close()


def run(url: str, seconds: float, connections: int, max_requests: int) -> dict[str, float]:
    """Load ``url`` (loopback only) for at most ``seconds`` and ``max_requests`` requests."""
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1" or parts.port is None:
        raise ValueError(f"only http://127.0.0.1:<port>/ is ever loaded, not {url}")
    latencies: list[float] = []
    errors: list[int] = []
    budget = threading.Semaphore(max_requests)
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_worker,
            args=(parts.hostname, parts.port, parts.path, deadline, budget, latencies, errors),
            daemon=True,
        )
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 10)
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(fraction: float) -> float:
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))]

    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "errors": len(errors),
        "p50_s": percentile(0.50) if latencies else 0.0,
        "p99_s": percentile(0.99) if latencies else 0.0,
    }


if __name__ == "__main__":
    target, seconds, connections, max_requests = sys.argv[1:5]
    result = run(target, float(seconds), int(connections), int(max_requests))
    print(json.dumps(result))
