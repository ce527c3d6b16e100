"""``/debug/metrics``: the same access, isolation and timeouts as ``/debug/vars``."""

from __future__ import annotations

import threading

import pytest
from django.test import Client, override_settings
from django.urls import reverse

import expvar
from tests.factories import declare, registry_of
from tests.prometheus.conftest import OPENMETRICS_ACCEPT, scrape

TEXT = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"


def test_the_url_is_mounted_by_expvar_urls_under_its_name() -> None:
    assert reverse("expvar-metrics") == "/debug/metrics"


def test_the_text_format_is_served_by_default(client: Client) -> None:
    response = client.get("/debug/metrics")
    assert (response.status_code, response["Content-Type"]) == (200, TEXT)


def test_openmetrics_is_served_when_accept_asks_for_it(client: Client) -> None:
    response = client.get("/debug/metrics", HTTP_ACCEPT=OPENMETRICS_ACCEPT)
    assert response["Content-Type"] == OPENMETRICS
    assert response.content.decode().endswith("# EOF\n")


@pytest.mark.parametrize(
    "accept",
    [
        "text/plain;version=0.0.4,application/openmetrics-text;version=1.0.0;q=0.5",
        "application/openmetrics-text;version=0.0.1",
        "application/json",
    ],
)
def test_the_text_format_is_served_when_accept_does_not_prefer_openmetrics_1(
    client: Client, accept: str
) -> None:
    assert client.get("/debug/metrics", HTTP_ACCEPT=accept)["Content-Type"] == TEXT


def test_head_is_served(client: Client) -> None:
    assert client.head("/debug/metrics").status_code == 200


def test_other_methods_get_405_with_allow(client: Client) -> None:
    response = client.post("/debug/metrics")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_remote_caller_without_the_token_is_denied() -> None:
    response = Client(REMOTE_ADDR="203.0.113.9").get("/debug/metrics")
    assert response.status_code == 403


@override_settings(EXPVAR_TOKEN="s3cret")
def test_a_remote_caller_with_the_bearer_token_is_served() -> None:
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret")
    assert client.get("/debug/metrics").status_code == 200


def test_the_response_is_never_cached(client: Client) -> None:
    assert "no-cache" in client.get("/debug/metrics")["Cache-Control"]


def test_a_raising_variable_is_left_out_and_the_rest_served(client: Client, use_registry) -> None:  # type: ignore[no-untyped-def]
    def boom() -> int:
        raise RuntimeError("boom")

    use_registry(registry_of(declare("fine", 1), declare("raises", boom, position=1)))
    assert scrape(client).splitlines()[2:] == ["expvar_fine 1"]


@override_settings(EXPVAR_TIMEOUT=0.2)
def test_a_hung_variable_is_left_out_and_the_rest_served(client: Client, use_registry) -> None:  # type: ignore[no-untyped-def]
    release = threading.Event()
    use_registry(
        registry_of(declare("stuck", lambda: release.wait(30)), declare("ok", 1, position=1))
    )
    try:
        assert scrape(client).splitlines()[2:] == ["expvar_ok 1"]
    finally:
        release.set()


def test_a_push_counter_is_served_as_a_counter(client: Client) -> None:
    jobs = expvar.Int("endpoint_jobs", prometheus="counter")
    jobs.add(3)
    assert "# TYPE expvar_endpoint_jobs_total counter\nexpvar_endpoint_jobs_total 3\n" in scrape(
        client
    )


def test_names_that_sanitise_alike_are_listed_in_the_exposition(client: Client) -> None:
    expvar.Int("endpoint.clash").add(1)
    expvar.Int("endpoint_clash").add(2)
    body = scrape(client)
    assert "\nexpvar_endpoint_clash 1\n" in body
    assert (
        'expvar_prometheus_collision_info{metric="expvar_endpoint_clash",'
        'name="endpoint_clash",kept="endpoint.clash"} 1'
    ) in body


@override_settings(ROOT_URLCONF="tests.prometheus.async_urls")
def test_the_async_urls_serve_the_same_exposition() -> None:
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    get = async_to_sync(AsyncClient().get)
    response = get("/debug/metrics", headers={"Accept": OPENMETRICS_ACCEPT})
    assert (response.status_code, response["Content-Type"]) == (200, OPENMETRICS)
    assert "\nexpvar_answer 42\n" in response.content.decode()
