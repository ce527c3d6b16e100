"""Real consumers read every metric the test site and the demo expose: prometheus_client's
parsers and ``promtool check metrics``."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text

from tests.prometheus.conftest import OPENMETRICS_ACCEPT, scrape
from tests.test_demo import manage

DEMO = Path(__file__).resolve().parents[2] / "demo"
# Families the contrib apps must expose, under the ecosystem's names (as the parsers name
# them: a counter's family without its _total).
CONTRIB = {
    "process_cpu_seconds",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_open_fds",
    "process_start_time_seconds",
    "go_memstats_alloc_bytes",
    "go_memstats_heap_objects",
    "go_gc_duration_seconds",
    "http_requests",
    "http_request_duration_seconds",
}
# Scrapes the demo in a process of its own (its settings, its apps), as a monitor on loopback.
_DEMO_SCRAPE = f"""
import json
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
bodies = {{}}
for format, accept in (("text", ""), ("openmetrics", {OPENMETRICS_ACCEPT!r})):
    response = client.get("/debug/metrics", HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.status_code
    bodies[format] = response.content.decode()
print(json.dumps(bodies))
"""


def names(families: object) -> set[str]:
    return {family.name for family in families}  # type: ignore[attr-defined]


def lint(promtool: str, body: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, text=True, timeout=60
    )


def openmetrics_counter_findings(body: str) -> set[str]:
    # promtool 2.42 parses only the text format 0.0.4. There an OpenMetrics counter's TYPE line
    # (family "x") and its samples ("x_total") name two metrics, so it reports each counter's
    # samples as lacking help; that is the only thing it may say of a valid OpenMetrics body.
    return {
        f"{family.name}_total no help text"
        for family in parse_openmetrics(body)
        if family.type == "counter" and family.samples
    }


def findings(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.strip() for line in (result.stdout + result.stderr).splitlines() if line.strip()}


@pytest.fixture(scope="module")
def demo_bodies() -> dict[str, str]:
    result = manage("shell", "--no-imports", "-c", _DEMO_SCRAPE)
    assert result.returncode == 0, result.stderr
    bodies: dict[str, str] = json.loads(result.stdout.splitlines()[-1])
    return bodies


def test_prometheus_client_reads_every_metric_of_the_test_site(client: Client) -> None:
    client.get("/debug/vars")  # a request, so the http families have samples
    assert names(parse_text(scrape(client))) >= CONTRIB | {"expvar_answer", "expvar_inventory"}


def test_prometheus_client_reads_the_test_site_in_openmetrics(client: Client) -> None:
    assert names(parse_openmetrics(scrape(client, openmetrics=True))) >= {
        "process_cpu_seconds",
        "go_gc_duration_seconds",
        "http_request_duration_seconds",
        "expvar_answer",
    }


def test_promtool_finds_no_problem_in_the_test_site_text_format(
    client: Client, promtool: str
) -> None:
    result = lint(promtool, scrape(client))
    assert (result.returncode, findings(result)) == (0, set())


def test_promtool_finds_nothing_but_its_own_limit_in_the_test_site_openmetrics(
    client: Client, promtool: str
) -> None:
    body = scrape(client, openmetrics=True)
    assert findings(lint(promtool, body)) == openmetrics_counter_findings(body)


def test_prometheus_client_reads_every_metric_of_the_demo(demo_bodies: dict[str, str]) -> None:
    exposed = names(parse_text(demo_bodies["text"]))
    assert exposed >= {"expvar_orders_today", "expvar_inventory", "expvar_version_info"}
    assert "expvar_payment_gateway" not in exposed  # it raises: left out, as at /debug/vars


def test_prometheus_client_reads_the_demo_in_openmetrics(demo_bodies: dict[str, str]) -> None:
    exposed = names(parse_openmetrics(demo_bodies["openmetrics"]))
    assert exposed >= {"expvar_orders_placed", "expvar_ticks", "go_memstats_alloc_bytes"}


def test_promtool_finds_no_problem_in_the_demo_text_format(
    demo_bodies: dict[str, str], promtool: str
) -> None:
    result = lint(promtool, demo_bodies["text"])
    assert (result.returncode, findings(result)) == (0, set())


def test_promtool_finds_nothing_but_its_own_limit_in_the_demo_openmetrics(
    demo_bodies: dict[str, str], promtool: str
) -> None:
    body = demo_bodies["openmetrics"]
    assert findings(lint(promtool, body)) == openmetrics_counter_findings(body)
