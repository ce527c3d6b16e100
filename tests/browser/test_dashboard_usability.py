from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.test_dashboard import value_of, wait_for_new_value
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def axe_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']}: {node['target']}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def expand_everything(page: Any) -> None:
    page.evaluate("document.querySelectorAll('#expvar-body details').forEach(d => d.open = true)")


# ---- Accessibility -------------------------------------------------------------------------


@pytest.mark.usefixtures("viewer", "live_vars")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_collapsed(page: Any, dashboard_url: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(dashboard_url)

    assert axe_violations(page) == []


@pytest.mark.usefixtures("viewer", "live_vars")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_expanded(page: Any, dashboard_url: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(dashboard_url)
    expand_everything(page)

    assert axe_violations(page) == []


@pytest.mark.usefixtures("viewer", "live_vars")
def test_focus_on_a_values_toggle_survives_a_refresh(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    summary = page.locator('[data-expvar-name="catalog"] summary')
    summary.focus()
    first = summary.text_content()

    # A folded value shows its newest preview in its summary.
    page.wait_for_function(
        "old => document.querySelector('[data-expvar-name=\"catalog\"] summary')"
        ".textContent !== old",
        arg=first,
    )

    assert page.evaluate(
        "document.activeElement === "
        "document.querySelector('[data-expvar-name=\"catalog\"] summary')"
    )


@pytest.mark.usefixtures("viewer", "live_vars")
def test_leaf_opens_its_paths_from_the_keyboard(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    page.locator('[data-expvar-name="stats"] .expvar-leaf[data-expvar-path*="p99"]').focus()

    page.keyboard.press("Enter")

    box = page.locator("#expvar-pathbox")
    assert box.is_visible()
    assert (
        box.locator('[data-expvar-pathbox-path="expvarmon"]').text_content() == "stats.latency.p99"
    )


@pytest.mark.usefixtures("viewer", "live_vars")
def test_copy_button_shows_an_svg_icon(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    icon = page.locator('[data-expvar-name="ticker"] [data-expvar-copy] svg')

    assert icon.bounding_box()["width"] > 0  # type: ignore[index]


# ---- Phone width ---------------------------------------------------------------------------


@pytest.mark.usefixtures("viewer", "live_vars")
def test_phone_width_shows_a_value_on_one_line(
    page: Any, dashboard_url: str, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Routes))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(dashboard_url)

    value = page.locator('[data-expvar-name="routes"] [data-expvar-value]')
    box = value.bounding_box()
    line = value.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")

    # {"api.v1/users": 7} as three lines of JSON, not one character per line.
    assert box["height"] <= 4 * line  # type: ignore[index]
    assert box["width"] > 100  # type: ignore[index]


@pytest.mark.usefixtures("viewer", "live_vars")
def test_phone_width_does_not_scroll_the_page_sideways(page: Any, dashboard_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(dashboard_url)

    # Every element ends inside the dashboard's width (values scroll inside their own box).
    assert (
        page.evaluate(
            """() => {
            const region = document.getElementById("expvar-dashboard");
            const right = region.getBoundingClientRect().right + 1;
            return Array.from(region.querySelectorAll("*"))
                .filter(e => !e.closest(".expvar-json, .expvar-scroll, [hidden]"))
                .filter(e => e.getBoundingClientRect().right > right)
                .map(e => e.tagName + "." + e.className);
        }"""
        )
        == []
    )


# ---- Finding things ------------------------------------------------------------------------


@pytest.mark.usefixtures("viewer", "live_vars")
def test_query_in_the_url_filters_on_load(page: Any, dashboard_url: str) -> None:
    page.goto(f"{dashboard_url}?q=tick")

    assert page.locator('[data-expvar-name="ticker"]').is_visible()
    assert page.locator('[data-expvar-name="answer"]').is_hidden()


@pytest.mark.usefixtures("viewer", "live_vars")
def test_typing_a_filter_puts_it_in_the_url(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator("#expvar-filter").fill("tick")

    assert page.evaluate("location.search") == "?q=tick"


@pytest.mark.usefixtures("viewer", "live_vars")
def test_status_facet_shows_only_that_status(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator('[data-expvar-facet="status"][data-expvar-facet-value="shadowed"]').click()

    assert page.url.endswith("?status=shadowed")
    assert page.locator('[data-expvar-name="version"][data-expvar-app="beta"]').is_visible()
    assert page.locator('[data-expvar-name="version"][data-expvar-app="alpha"]').is_hidden()


@pytest.mark.usefixtures("viewer", "live_vars")
def test_app_facet_survives_refreshes(page: Any, dashboard_url: str) -> None:
    page.goto(f"{dashboard_url}?app=dashboardapp")
    first = value_of(page, "ticker")

    wait_for_new_value(page, "ticker", first)

    assert page.locator('[data-expvar-section="alpha"]').is_hidden()
    assert page.locator('[data-expvar-name="ticker"]').is_visible()


@pytest.mark.usefixtures("viewer", "live_vars")
def test_collapsed_app_stays_collapsed_across_refreshes(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    page.locator('[data-expvar-section="dashboardapp"] .expvar-collapse').click()
    first = page.locator('[data-expvar-name="ticker"] [data-expvar-value]').evaluate(
        "e => e.textContent"
    )

    wait_for_new_value(page, "ticker", first)

    assert page.locator('[data-expvar-name="ticker"]').is_hidden()


@pytest.mark.usefixtures("viewer", "live_vars")
def test_collision_badge_leads_to_its_entry(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator(
        '[data-expvar-name="version"][data-expvar-app="alpha"] [data-expvar-collision-link]'
    ).click()

    entry = page.locator('[data-expvar-collision="version"]')
    assert page.evaluate("location.hash") == "#" + str(entry.get_attribute("id"))
    assert entry.evaluate("e => e.matches(':target')") is True


# ---- Charts ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("viewer", "live_vars")
def test_a_number_opens_a_larger_chart_with_downloads(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    page.locator('[data-expvar-name="ticker"] .expvar-spark svg polyline').wait_for()

    page.locator('[data-expvar-name="ticker"] [data-expvar-chart-open]').click()
    dialog = page.locator("#expvar-chart")
    with page.expect_download() as download:
        dialog.locator('[data-expvar-download="csv"]').click()

    assert dialog.locator("polyline").count() == 1
    with open(download.value.path()) as csv:
        assert csv.readline() == "time,value\n"
