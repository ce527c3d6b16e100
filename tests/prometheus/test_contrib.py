"""The contrib variables under the names and shapes the ecosystem charts."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from expvar.contrib.http.prometheus import http_families
from expvar.contrib.memstats.prometheus import memstats_families
from expvar.contrib.psutil.prometheus import process_families
from expvar.prometheus import Family
from expvar.prometheus.text import render


def samples(families: list[Family]) -> dict[str, float]:
    """Return every sample as prometheus_client reads it: ``name{labels}`` to value."""
    parsed = text_string_to_metric_families(render(families, openmetrics=False))
    return {
        sample.name + "".join(f",{k}={v}" for k, v in sorted(sample.labels.items())): sample.value
        for family in parsed
        for sample in family.samples
    }


HTTP = {
    "by_method": {"GET": 3, "POST": 1},
    "by_status": {"2xx": 3, "5xx": 1},
    "by_method_status": {"GET": {"2xx": 3}, "POST": {"5xx": 1}},
    "in_flight": 1,
    "requests": 5,
    "latency": {"buckets": {"0.005": 2, "0.01": 0, "1": 1, "+Inf": 1}, "count": 4, "sum": 3.5},
}


def test_http_requests_are_counted_by_method_and_status() -> None:
    found = samples(list(http_families(HTTP)))
    assert found["http_requests_total,method=GET,status=2xx"] == 3
    assert found["http_requests_total,method=POST,status=5xx"] == 1
    assert found["http_requests_in_flight"] == 1


def test_http_latency_buckets_are_cumulative_up_to_the_count() -> None:
    found = samples(list(http_families(HTTP)))
    buckets = [found[f"http_request_duration_seconds_bucket,le={le}"] for le in
               ("0.005", "0.01", "1.0", "+Inf")]  # fmt: skip
    assert buckets == [2, 2, 3, 4]
    assert found["http_request_duration_seconds_count"] == 4
    assert found["http_request_duration_seconds_sum"] == 3.5


def test_process_cpu_seconds_add_user_and_system_time() -> None:
    value = {"cpu_user": 1.25, "cpu_system": 0.5, "rss": 1024, "fds": 7, "create_time": 1e9}
    found = samples(list(process_families(value)))
    assert found["process_cpu_seconds_total"] == 1.75
    assert found["process_resident_memory_bytes"] == 1024
    assert found["process_open_fds"] == 7
    assert found["process_start_time_seconds"] == 1e9


def memstats(**fields: object) -> dict[str, object]:
    return {"Alloc": 10, "TotalAlloc": 30, "NumGC": 0, "PauseTotalNs": 0, "PauseNs": [0] * 256,
            "LastGC": 0, **fields}  # fmt: skip


def test_memstats_use_client_golang_names() -> None:
    found = samples(list(memstats_families(memstats())))
    assert found["go_memstats_alloc_bytes"] == 10
    assert found["go_memstats_alloc_bytes_total"] == 30


def test_gc_duration_summarises_the_pauses_in_the_ring() -> None:
    ring = [3000, 1000, 2000, *([0] * 253)]
    value = memstats(NumGC=3, PauseTotalNs=6000, PauseNs=ring, LastGC=2_000_000_000)
    found = samples(list(memstats_families(value)))
    quantiles = [found[f"go_gc_duration_seconds,quantile={q}"] for q in ("0.0", "0.5", "1.0")]
    assert quantiles == [1e-06, 2e-06, 3e-06]
    assert found["go_gc_duration_seconds_count"] == 3
    assert found["go_gc_duration_seconds_sum"] == 6e-06
    assert found["go_memstats_last_gc_time_seconds"] == 2.0


def test_gc_duration_with_a_full_ring_reads_all_256_pauses() -> None:
    ring = list(range(1, 257))
    value = memstats(NumGC=1000, PauseTotalNs=10**6, PauseNs=ring)
    found = samples(list(memstats_families(value)))
    assert found["go_gc_duration_seconds,quantile=1.0"] == 256e-9
    assert found["go_gc_duration_seconds_count"] == 1000
