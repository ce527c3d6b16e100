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


def out_of_band_ids(html: str) -> list[str]:
    return re.findall(r'<\w+ id="([^"]+)"[^>]*hx-swap-oob="true"', html)


def test_refresh_is_a_fragment_not_a_page(viewer_client: Client) -> None:
    html = refresh(viewer_client)

    assert "<html" not in html
    assert "<body" not in html


def test_refresh_swaps_header_rows_and_panels_out_of_band(viewer_client: Client) -> None:
    ids = out_of_band_ids(refresh(viewer_client))

    assert ids[0] == "expvar-summary"
    assert {"expvar-rows-alpha", "expvar-rows-beta"} <= set(ids)
    assert ids.index("expvar-collisions") < ids.index("expvar-errors")
    assert "expvar-runtime-sample" in ids


def test_refresh_rows_carry_only_the_moving_cells(viewer_client: Client) -> None:
    html = refresh(viewer_client)
    row = re.search(r'<tr id="expvar-v-\w+"[^>]*>(.*?)</tr>', html, re.S).group(1)  # type: ignore[union-attr]

    assert row.count("<td>") == 4
    assert "expvar-origin" not in row


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
        r'id="expvar-runtime-sample" hidden data-expvar-sample="\{&quot;alloc&quot;: 4065536', html
    )


def test_refresh_is_compressed_for_browsers_that_accept_gzip(viewer_client: Client) -> None:
    response = viewer_client.get(REFRESH, headers={**HTMX, "Accept-Encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
