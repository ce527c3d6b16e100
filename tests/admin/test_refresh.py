from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from expvar.dashboard import live as views
from expvar.resolution import Resolution
from tests.admin.conftest import DASHBOARD, HTMX, REFRESH
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with
from tests.testapps.alpha.vars import Answer

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


# ---- Only what changed -------------------------------------------------------------------


def shown_by(page_html: str) -> dict[str, str]:
    """Return the poll parameters a page sends: its token and the response it shows."""
    page = re.search(r'data-expvar-page="(\w+)"', page_html)
    shown = re.search(r'data-expvar-shown="(\w+)"', page_html)
    assert page
    assert shown
    return {"page": page[1], "shown": shown[1]}


def poll(client: Client, **params: str) -> str:
    response = client.get(REFRESH, params, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def ticker_and_answer(use_registry: Callable[[Any], Any]) -> None:
    use_registry(registry_with(test_vars.Ticker, Answer, installed=False))


@pytest.mark.usefixtures("ticker_and_answer")
def test_refresh_of_a_known_page_leaves_out_a_value_it_shows_already(
    viewer_client: Client,
) -> None:
    params = shown_by(viewer_client.get(DASHBOARD).content.decode())

    assert "data-expvar-value>42</pre>" not in poll(viewer_client, **params)


@pytest.mark.usefixtures("ticker_and_answer")
def test_refresh_of_a_known_page_carries_a_value_that_changed(viewer_client: Client) -> None:
    params = shown_by(viewer_client.get(DASHBOARD).content.decode())

    assert "data-expvar-value>2</pre>" in poll(viewer_client, **params)


@pytest.mark.usefixtures("ticker_and_answer")
def test_refresh_of_a_known_page_leaves_out_unchanged_cells_of_a_changed_row(
    viewer_client: Client,
) -> None:
    params = shown_by(viewer_client.get(DASHBOARD).content.decode())

    row = re.search(
        r'<tr [^>]*data-expvar-name="ticker".*?</tr>', poll(viewer_client, **params), re.S
    )

    assert row
    assert 'class="expvar-origin"' not in row[0]


@pytest.mark.usefixtures("ticker_and_answer")
def test_refresh_of_a_page_this_process_never_served_carries_every_value(
    viewer_client: Client,
) -> None:
    html = poll(viewer_client, page="0123456789abcdef", shown="0123456789abcdef")

    assert "data-expvar-value>42</pre>" in html


@pytest.mark.usefixtures("ticker_and_answer")
def test_refresh_after_a_response_the_page_never_applied_carries_every_value(
    viewer_client: Client,
) -> None:
    params = shown_by(viewer_client.get(DASHBOARD).content.decode())
    poll(viewer_client, **params)  # answered, but lost on its way: the page still shows the first

    assert "data-expvar-value>42</pre>" in poll(viewer_client, **params)


@pytest.mark.usefixtures("ticker_and_answer")
def test_refresh_after_the_cache_forgot_the_page_carries_every_value(
    viewer_client: Client,
) -> None:
    params = shown_by(viewer_client.get(DASHBOARD).content.decode())
    cache.clear()

    assert "data-expvar-value>42</pre>" in poll(viewer_client, **params)


def catalog_row(html: str) -> str:
    row = re.search(r'<tr [^>]*data-expvar-name="catalog".*?</tr>', html, re.S)
    assert row
    return row[0]


def test_folded_value_comes_as_its_text_without_leaves(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Catalog, installed=False))

    row = catalog_row(viewer_client.get(DASHBOARD).content.decode())

    assert "data-expvar-folded" in row
    assert "expvar-leaf" not in row


def test_refresh_renders_the_leaves_of_an_open_value(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Catalog, installed=False))
    page = viewer_client.get(DASHBOARD).content.decode()
    row_id = re.search(r'<tr id="expvar-v-(\w+)"[^>]*data-expvar-name="catalog"', page)
    assert row_id

    row = catalog_row(poll(viewer_client, **shown_by(page), open=row_id[1]))

    assert 'class="expvar-leaf"' in row
