"""What a refresh that carries only what changed looks like to the person watching the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

import expvar
from tests.browser.conftest import FAST
from tests.browser.test_dashboard import after_next_refresh, value_of, wait_for_new_value
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with
from tests.testapps.alpha.vars import Answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_dial = {"value": 1}


class Dial(expvar.ExpVar):
    """A number the test sets, so it knows what the page should show."""

    name = "dial"

    def value(self) -> int:
        return _dial["value"]


@pytest.fixture
def dial(use_registry: Callable[[Any], Any], settings: Any) -> Iterator[None]:
    settings.EXPVAR_REFRESH_INTERVAL = FAST
    use_registry(registry_with(Dial, test_vars.Ticker, Answer, test_vars.Catalog, installed=False))
    _dial["value"] = 1
    yield
    _dial["value"] = 1


def pause(page: Any) -> None:
    """Pause polling once the refresh in flight, if any, has been applied."""
    after_next_refresh(page, "document.getElementById('expvar-pause').click()")


def wait_for_value(page: Any, name: str, expected: str) -> None:
    page.wait_for_function(
        '([name, expected]) => document.querySelector(`[data-expvar-name="${name}"] '
        "[data-expvar-value]`).textContent === expected",
        arg=[name, expected],
    )


@pytest.mark.usefixtures("viewer", "dial")
def test_an_unchanged_value_keeps_its_element_while_others_change(
    page: Any, dashboard_url: str
) -> None:
    page.goto(dashboard_url)
    page.evaluate(
        "document.querySelector('[data-expvar-name=\"answer\"] [data-expvar-value]')"
        ".dataset.marked = 'yes'"
    )
    first = value_of(page, "ticker")

    wait_for_new_value(page, "ticker", first)

    marked = page.locator('[data-expvar-name="answer"] [data-expvar-value][data-marked="yes"]')
    assert marked.text_content() == "42"


@pytest.mark.usefixtures("viewer", "dial")
def test_a_refresh_after_a_lost_answer_shows_the_current_value(
    page: Any, dashboard_url: str
) -> None:
    page.goto(dashboard_url)
    pause(page)
    _dial["value"] = 2
    # A poll the server answered but whose answer never reached the page: the server now
    # remembers showing 2, the page still shows 1.
    params = page.evaluate(
        "({page: document.getElementById('expvar-dashboard').dataset.expvarPage,"
        " shown: document.getElementById('expvar-summary').dataset.expvarShown})"
    )
    answer = page.request.get(
        dashboard_url + "refresh/", params=params, headers={"HX-Request": "true"}
    )
    assert answer.ok

    page.locator("#expvar-pause").click()

    wait_for_value(page, "dial", "2")


@pytest.mark.usefixtures("viewer", "dial")
def test_a_poll_to_a_process_that_never_served_the_page_shows_every_current_value(
    page: Any, dashboard_url: str
) -> None:
    page.goto(dashboard_url)
    pause(page)
    _dial["value"] = 3
    cache.clear()  # as a process with a cache of its own has never heard of this page

    page.locator("#expvar-pause").click()

    wait_for_value(page, "dial", "3")
    assert value_of(page, "answer") == "42"


@pytest.mark.usefixtures("viewer", "dial")
def test_opening_a_folded_value_brings_its_leaves(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    catalog = page.locator('[data-expvar-name="catalog"]')

    catalog.locator("summary").click()

    catalog.locator('.expvar-leaf[data-expvar-path="[\\"item03\\"]"]').wait_for()
    assert catalog.locator("[data-expvar-folded]").count() == 0
