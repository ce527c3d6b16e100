from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from expvar.dashboard import views
from expvar.resolution import Resolution
from tests.admin.conftest import HTMX, REFRESH
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with

pytestmark = pytest.mark.django_db


def refresh(client: Client) -> str:
    response = client.get(REFRESH, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_refresh_is_a_fragment_not_a_page(viewer_client: Client) -> None:
    html = refresh(viewer_client)

    assert "<html" not in html
    assert "<body" not in html


def test_refresh_carries_header_rows_and_panels_in_page_order(viewer_client: Client) -> None:
    html = refresh(viewer_client)

    order = [
        html.index(f'id="{name}"')
        for name in (
            "expvar-summary",
            "expvar-rows-alpha",
            "expvar-rows-beta",
            "expvar-collisions",
            "expvar-errors",
        )
    ]
    assert order == sorted(order)


def test_refresh_is_the_body_the_page_renders(viewer_client: Client) -> None:
    page = viewer_client.get("/admin/expvar/variable/").content.decode()
    html = refresh(viewer_client)

    assert re.findall(r'<tr id="(expvar-v-\w+)" class="([^"]+)"', html) == re.findall(
        r'<tr id="(expvar-v-\w+)" class="([^"]+)"', page
    )


def test_refresh_rows_keep_the_page_row_ids(viewer_client: Client) -> None:
    page_ids = re.findall(
        r'<tr id="(expvar-v-\w+)"', viewer_client.get("/admin/expvar/variable/").content.decode()
    )

    assert re.findall(r'<tr id="(expvar-v-\w+)"', refresh(viewer_client)) == page_ids


def test_refresh_carries_the_current_value(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Ticker, installed=False))
    refresh(viewer_client)

    assert "data-expvar-value>2</pre>" in refresh(viewer_client)


def test_refresh_escapes_hostile_values(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Hostile, installed=False))

    html = refresh(viewer_client)

    assert "<script>" not in html
    assert "<img" not in html


def test_refresh_is_not_cached(viewer_client: Client) -> None:
    response = viewer_client.get(REFRESH, headers=HTMX)

    assert "no-cache" in response["Cache-Control"]


def test_refresh_resolves_once(viewer_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Resolution] = []
    original = views.resolve

    def counting() -> Resolution:
        calls.append(original())
        return calls[-1]

    monkeypatch.setattr(views, "resolve", counting)

    refresh(viewer_client)

    assert len(calls) == 1


def test_refresh_carries_the_runtime_sample(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Memstats, installed=False))

    html = refresh(viewer_client)

    assert re.search(
        r'id="expvar-runtime" [^>]*data-expvar-sample="\{&quot;alloc&quot;: 4065536', html
    )


def test_refresh_is_compressed_for_browsers_that_accept_gzip(viewer_client: Client) -> None:
    response = viewer_client.get(REFRESH, headers={**HTMX, "Accept-Encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
