from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User

from tests.browser.conftest import FAST, make_user
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'"
)


def value_of(page: Any, name: str) -> str:
    return str(page.locator(f'[data-expvar-name="{name}"] [data-expvar-value]').text_content())


def after_next_refresh(page: Any, script: str = "") -> None:
    """Wait until the next refresh has been applied, then run ``script`` at once."""
    page.evaluate(
        "script => new Promise(resolve => document.getElementById('expvar-dashboard')"
        ".addEventListener('htmx:afterSwap', () => resolve(eval(script)), {once: true}))",
        script,
    )


def is_refresh(url: str) -> bool:
    # A poll names its page and what it shows in the query: ?page=...&shown=...
    return urlsplit(url).path.endswith("/refresh/")


def wait_for_new_value(page: Any, name: str, old: str) -> None:
    page.wait_for_function(
        '([name, old]) => document.querySelector(`[data-expvar-name="${name}"] '
        "[data-expvar-value]`).textContent !== old",
        arg=[name, old],
    )


# ---- Admin index and layout ---------------------------------------------------------------


@pytest.mark.usefixtures("viewer")
def test_admin_index_entry_opens_the_dashboard(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/admin/")

    page.locator(".app-expvar").get_by_role("link", name="Variables").click()
    # The click returns once the navigation commits; the page may still be loading.
    page.wait_for_url(f"{live_server.url}/admin/expvar/variable/")
    page.wait_for_load_state("domcontentloaded")

    assert page.url == f"{live_server.url}/admin/expvar/variable/"
    assert page.locator("#expvar-dashboard").is_visible()


@pytest.mark.usefixtures("viewer")
def test_variables_are_grouped_by_app_in_installed_order(
    page: Any, dashboard_url: str, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Ticker))

    page.goto(dashboard_url)

    sections = page.locator("[data-expvar-section]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.expvarSection)"
    )
    assert sections.index("alpha") < sections.index("beta") < sections.index("dashboardapp")
    assert page.locator('[data-expvar-section="beta"] [data-expvar-name="gadgets"]').is_visible()


@pytest.mark.usefixtures("viewer")
def test_collisions_panel_shows_winner_and_merge(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    panel = page.locator("#expvar-collisions")

    version = panel.locator('[data-expvar-collision="version"]')
    assert version.locator(".expvar-winner").text_content() == "alpha"
    inventory = panel.locator('[data-expvar-collision="inventory"]')
    gadgets = inventory.locator('[data-expvar-key="gadgets"] td')
    assert gadgets.nth(2).text_content() == "beta"
    assert gadgets.nth(1).is_visible()
    assert gadgets.nth(1).text_content() == "5"


@pytest.mark.usefixtures("viewer")
def test_errors_panel_shows_the_import_failure_traceback(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    failure = page.locator(
        '#expvar-errors [data-expvar-import-failure="tests.testapps.broken.vars"]'
    )

    failure.locator("summary").click()

    assert failure.locator(".expvar-traceback").is_visible()
    assert "SyntaxError" in str(failure.locator(".expvar-traceback").text_content())


# ---- Live refresh ---------------------------------------------------------------------------


@pytest.mark.usefixtures("viewer", "live_vars")
def test_value_changes_without_navigation(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    page.evaluate("window.__samePage = true")
    first = value_of(page, "ticker")

    wait_for_new_value(page, "ticker", first)

    assert page.evaluate("window.__samePage") is True
    assert int(value_of(page, "ticker")) > int(first)


@pytest.mark.usefixtures("viewer", "live_vars")
def test_filter_survives_refreshes(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    page.locator("#expvar-filter").fill("tick")
    first = value_of(page, "ticker")

    wait_for_new_value(page, "ticker", first)

    assert page.locator("#expvar-filter").input_value() == "tick"
    assert page.locator('[data-expvar-name="ticker"]').is_visible()
    assert page.locator('[data-expvar-name="answer"]').is_hidden()
    assert page.locator('[data-expvar-section="beta"]').is_hidden()


@pytest.mark.usefixtures("viewer", "live_vars")
def test_filter_matches_values(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator("#expvar-filter").fill("alpha-1.0")

    assert page.locator('[data-expvar-name="version"][data-expvar-app="alpha"]').is_visible()
    assert page.locator('[data-expvar-name="version"][data-expvar-app="beta"]').is_hidden()


@pytest.mark.usefixtures("viewer", "live_vars")
def test_expanded_value_stays_open_across_refreshes(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    catalog = page.locator('[data-expvar-name="catalog"]')
    catalog.locator("summary").click()
    first = value_of(page, "catalog")

    wait_for_new_value(page, "catalog", first)

    assert catalog.locator("details").evaluate("details => details.open") is True


@pytest.mark.usefixtures("viewer", "live_vars")
def test_numbers_get_a_sparkline(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator('[data-expvar-name="ticker"] .expvar-spark svg polyline').wait_for()


@pytest.mark.usefixtures("viewer", "live_vars")
def test_moving_dict_leaves_get_a_sparkline(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator('[data-expvar-name="stats"] svg.expvar-leafspark polyline').first.wait_for()

    leaves = page.locator('[data-expvar-name="stats"] svg.expvar-leafspark')
    assert leaves.count() == 2  # requests and latency.p50 move; latency.p99 does not


@pytest.mark.usefixtures("viewer", "live_vars")
def test_runtime_card_charts_memstats(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator('#expvar-runtime [data-expvar-chart="alloc"] polyline').wait_for()

    assert "MiB" in str(page.locator('[data-expvar-chart="alloc"] output').text_content())
    assert page.locator('[data-expvar-chart="pauses"] rect').count() > 0


@pytest.mark.usefixtures("viewer", "live_vars")
def test_pause_stops_polling_and_resume_restarts_it(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    requests: list[str] = []
    after_next_refresh(page, "document.getElementById('expvar-pause').click()")
    page.on("request", lambda request: requests.append(request.url))

    page.wait_for_timeout(FAST * 4 * 1000)
    paused = list(requests)
    with page.expect_request(lambda request: is_refresh(request.url)):
        page.locator("#expvar-pause").click()

    assert paused == []
    assert page.locator("#expvar-live").text_content() == "Live"


@pytest.mark.usefixtures("viewer", "live_vars")
def test_hidden_tab_stops_polling(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    requests: list[str] = []

    page.evaluate(
        "Object.defineProperty(document, 'hidden', {value: true, configurable: true});"
        "document.dispatchEvent(new Event('visibilitychange'))"
    )
    page.on("request", lambda request: requests.append(request.url))
    page.wait_for_timeout(FAST * 4 * 1000)

    assert requests == []
    assert page.locator("#expvar-live").text_content() == "Paused while hidden"


@pytest.mark.usefixtures("viewer", "live_vars")
def test_interval_control_changes_the_poll(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    after_next_refresh(page)
    page.locator("#expvar-interval").select_option("2")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.wait_for_timeout(3000)  # ten polls at the old interval; one or two at the new

    assert page.locator("#expvar-dashboard").get_attribute("hx-trigger") == (
        "every 2s, expvar:refresh"
    )
    assert 1 <= len([url for url in requests if is_refresh(url)]) <= 2


@pytest.mark.usefixtures("viewer", "live_vars")
def test_selected_text_holds_refreshes_and_says_so(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    after_next_refresh(page)

    page.evaluate(
        "window.getSelection().selectAllChildren("
        "document.querySelector('[data-expvar-name=\"ticker\"] [data-expvar-value]'))"
    )
    page.wait_for_function(
        "document.getElementById('expvar-live').textContent === 'Held while text is selected'"
    )
    held = value_of(page, "ticker")
    page.wait_for_timeout(FAST * 4 * 1000)
    assert value_of(page, "ticker") == held

    page.evaluate("window.getSelection().removeAllRanges()")
    wait_for_new_value(page, "ticker", held)
    assert page.locator("#expvar-live").text_content() == "Live"


# ---- Permissions and polling that must stop -------------------------------------------------


def test_anonymous_visitor_lands_on_the_login_page(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    assert "/admin/login/?next=" in page.url


def test_anonymous_visitor_of_the_partial_lands_on_the_login_page(
    page: Any, dashboard_url: str
) -> None:
    page.goto(f"{dashboard_url}refresh/")

    assert "/admin/login/?next=" in page.url


def test_staff_without_permission_never_sees_the_dashboard(
    page: Any, dashboard_url: str, log_in: Callable[[User], None]
) -> None:
    log_in(make_user("staff"))

    response = page.goto(dashboard_url)

    assert response.status == 403
    assert page.locator("#expvar-dashboard").count() == 0


@pytest.mark.usefixtures("viewer", "live_vars")
def test_expired_session_stops_polling_and_says_why(
    page: Any, context: Any, dashboard_url: str
) -> None:
    page.goto(dashboard_url)

    context.clear_cookies()

    page.locator("#expvar-stopped").get_by_text("Your session has expired.").wait_for()
    assert page.locator("#expvar-live").text_content() == "Stopped"
    assert page.locator("#expvar-stopped a").get_attribute("href") == (
        "/admin/login/?next=%2Fadmin%2Fexpvar%2Fvariable%2F"
    )


@pytest.mark.usefixtures("live_vars")
def test_lost_permission_stops_polling_and_says_why(
    page: Any, dashboard_url: str, viewer: User
) -> None:
    page.goto(dashboard_url)

    viewer.user_permissions.clear()

    page.locator("#expvar-stopped").get_by_text("You no longer have permission").wait_for()
    assert page.locator("#expvar-pause").is_disabled()


# ---- Escaping, CSP, paths ------------------------------------------------------------------


@pytest.mark.usefixtures("viewer")
def test_hostile_name_and_value_show_as_text(
    page: Any, dashboard_url: str, use_registry: Callable[[Any], Any], settings: Any
) -> None:
    settings.EXPVAR_REFRESH_INTERVAL = FAST
    use_registry(registry_with(test_vars.Hostile, test_vars.Failing, test_vars.Ticker))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.goto(dashboard_url)
    wait_for_new_value(page, "ticker", value_of(page, "ticker"))

    name = test_vars.Hostile.name
    row = page.locator("tr[data-expvar-app=dashboardapp]").filter(has_text="__expvarXss").first
    assert row.locator(".expvar-name-text").text_content() == name
    assert "<script>window.__expvarXss = 'value'</script>" in str(
        row.locator("[data-expvar-value]").text_content()
    )
    assert page.evaluate("window.__expvarXss") is None
    assert dialogs == []


@pytest.mark.usefixtures("viewer", "live_vars")
def test_dashboard_runs_under_a_strict_csp(page: Any, dashboard_url: str) -> None:
    def add_csp(route: Any) -> None:
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(
            response=response, headers={**response.headers, "content-security-policy": CSP}
        )

    page.route("**/*", add_csp)
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(dashboard_url)

    wait_for_new_value(page, "ticker", value_of(page, "ticker"))

    assert page.evaluate("window.__cspViolations") == []


@pytest.mark.usefixtures("viewer", "live_vars")
def test_leaf_offers_expvarmon_and_datadog_paths(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)

    page.locator('[data-expvar-name="stats"] .expvar-leaf[data-expvar-path*="p99"]').click()

    box = page.locator("#expvar-pathbox")
    assert (
        box.locator('[data-expvar-pathbox-path="expvarmon"]').text_content() == "stats.latency.p99"
    )
    assert box.locator('[data-expvar-pathbox-path="datadog"]').text_content() == "stats/latency/p99"


@pytest.mark.usefixtures("viewer")
def test_paths_escape_keys_the_monitors_would_split(
    page: Any, dashboard_url: str, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Routes))
    page.goto(dashboard_url)

    page.locator('[data-expvar-name="routes"] .expvar-leaf').click()

    box = page.locator("#expvar-pathbox")
    expvarmon = box.locator('[data-expvar-pathbox-path="expvarmon"]').text_content()
    datadog = box.locator('[data-expvar-pathbox-path="datadog"]').text_content()
    assert expvarmon == "routes.api\\.v1/users"
    # Datadog cannot express a "/" inside a key; "." (any character) stands for it.
    assert datadog == "routes/api\\.v1.users"


@pytest.mark.usefixtures("viewer", "live_vars")
def test_copy_button_copies_the_path(page: Any, context: Any, dashboard_url: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(dashboard_url)
    page.locator('[data-expvar-name="ticker"]').hover()

    page.locator('[data-expvar-name="ticker"] [data-expvar-copy]').click()
    page.locator('#expvar-pathbox [data-expvar-copy-text="datadog"]').click()

    page.locator("#expvar-pathbox").get_by_text("Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == "ticker"


@pytest.mark.usefixtures("viewer", "live_vars")
def test_selecting_a_value_holds_refreshes(page: Any, dashboard_url: str) -> None:
    page.goto(dashboard_url)
    requests: list[str] = []

    after_next_refresh(
        page,
        "getSelection().selectAllChildren("
        "document.querySelector('[data-expvar-name=\"ticker\"] [data-expvar-value]'))",
    )
    page.on("request", lambda request: requests.append(request.url))
    page.wait_for_timeout(FAST * 4 * 1000)

    assert requests == []
