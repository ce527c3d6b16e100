from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from expvar.dashboard import live as views
from expvar.resolution import Resolution
from tests.admin.conftest import DASHBOARD
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with

pytestmark = pytest.mark.django_db


def page(client: Client) -> str:
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def collision_entry_id(html: str, name: str) -> str:
    found = re.search(rf'id="([^"]+)"[^>]*data-expvar-collision="{name}"', html)
    assert found is not None
    return found.group(1)


def section_order(html: str) -> list[str]:
    return re.findall(r'data-expvar-section="([^"]+)"', html)


def test_page_extends_the_admin_layout(viewer_client: Client) -> None:
    html = page(viewer_client)

    assert 'id="nav-sidebar"' in html
    assert "change-list" in re.search(r'<body class="([^"]*)"', html).group(1)  # type: ignore[union-attr]


def test_breadcrumbs_lead_home_then_to_the_app(viewer_client: Client) -> None:
    html = page(viewer_client)

    assert 'href="/admin/expvar/">Expvar</a>' in html


def test_sections_follow_installed_apps_order(viewer_client: Client) -> None:
    order = section_order(page(viewer_client))

    assert order.index("alpha") < order.index("beta")


def test_each_declaration_is_a_row_in_its_apps_section(viewer_client: Client) -> None:
    html = page(viewer_client)
    beta = html[html.index('data-expvar-section="beta"') :]

    assert 'data-expvar-name="gadgets" data-expvar-app="beta"' in beta


def test_a_shared_name_has_one_row_per_app(viewer_client: Client) -> None:
    html = page(viewer_client)

    assert 'data-expvar-name="inventory" data-expvar-app="alpha"' in html
    assert 'data-expvar-name="inventory" data-expvar-app="beta"' in html


def test_row_holds_its_value_in_a_data_expvar_value_descendant(viewer_client: Client) -> None:
    html = page(viewer_client)
    row = html[html.index('data-expvar-name="answer"') :]

    assert re.match(r'.*?<pre class="expvar-json" data-expvar-value>42</pre>', row, re.S)


def test_row_shows_the_class_that_declared_it(viewer_client: Client) -> None:
    html = page(viewer_client)

    assert "tests.<wbr>testapps.<wbr>alpha.<wbr>vars.<wbr>Answer" in html


def test_loser_of_a_collision_is_marked_shadowed(viewer_client: Client) -> None:
    html = page(viewer_client)
    row = html[html.index('data-expvar-name="version" data-expvar-app="beta"') :]

    assert row.index("expvar-badge-shadowed") < row.index("</tr>")


def test_collisions_panel_has_one_entry_per_shared_name(viewer_client: Client) -> None:
    html = page(viewer_client)
    panel = html[html.index('id="expvar-collisions"') : html.index('id="expvar-errors"')]

    assert re.findall(r'data-expvar-collision="([^"]+)"', panel) == ["inventory", "version"]


def test_collision_names_the_winner(viewer_client: Client) -> None:
    html = page(viewer_client)
    entry = html[html.index('data-expvar-collision="version"') :]

    assert re.search(r'class="expvar-winner">alpha<', entry)


def test_merge_shows_which_app_gave_each_key(viewer_client: Client) -> None:
    html = page(viewer_client)
    entry = html[html.index('data-expvar-collision="inventory"') :]

    assert re.search(
        r'data-expvar-key="gadgets"><td><code>gadgets</code></td><td><code>5</code></td><td>beta<',
        entry,
    )
    assert re.search(
        r'data-expvar-key="shared.b"><td><code>shared.b</code></td><td><code>2</code></td><td>beta<',
        entry,
    )


def test_merge_shows_key_clashes(viewer_client: Client) -> None:
    html = page(viewer_client)
    entry = html[html.index('data-expvar-collision="inventory"') :]

    assert re.search(
        r'data-expvar-clash="widgets"><code>widgets</code>: <code>3</code> \(alpha\) '
        r"over <code>99</code> \(beta\)",
        entry,
    )


def test_merged_value_marks_a_clashing_key_with_the_value_it_won_over(
    viewer_client: Client,
) -> None:
    html = page(viewer_client)
    entry = html[html.index('data-expvar-collision="inventory"') :]
    key = entry[entry.index('data-expvar-key="widgets"') :]

    assert re.match(
        r'[^>]*class="expvar-clashing"><td><code>widgets</code></td><td><code>3</code>'
        r"<span[^>]*> over <code>99</code> \(beta\)",
        key,
    )


def test_a_merge_of_values_json_holds_only_converted_is_shown(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.PricedInventory))

    entry = page(viewer_client)
    entry = entry[entry.index('data-expvar-collision="inventory"') :]

    assert "<code>price</code></td><td><code>3.5</code>" in entry
    assert "<code>since</code></td><td><code>&quot;2026-01-02&quot;</code>" in entry
    assert "<code>3</code> (alpha) over <code>[&quot;x&quot;]</code> (dashboardapp)" in entry


def test_collision_says_installed_apps_order_decided(viewer_client: Client) -> None:
    html = page(viewer_client)
    entry = html[html.index('data-expvar-collision="version"') :]

    assert "first in <code>INSTALLED_APPS</code> order wins" in entry[: entry.index("</article>")]


def test_collision_shows_each_contenders_value(viewer_client: Client) -> None:
    html = page(viewer_client)
    entry = html[html.index('data-expvar-collision="version"') :]
    entry = entry[: entry.index("</article>")]

    assert re.findall(r'data-expvar-contender="([^"]+)"', entry) == ["alpha", "beta"]
    assert "alpha-1.0" in entry


def test_every_row_of_a_shared_name_links_to_its_collision_entry(viewer_client: Client) -> None:
    html = page(viewer_client)
    entry_id = collision_entry_id(html, "version")

    for app in ("alpha", "beta"):
        row = html[html.index(f'data-expvar-name="version" data-expvar-app="{app}"') :]
        row = row[: row.index("</tr>")]
        assert f'class="expvar-badge expvar-badge-shared" href="#{entry_id}"' in row


def test_winning_row_of_a_collision_says_it_wins(viewer_client: Client) -> None:
    html = page(viewer_client)
    row = html[html.index('data-expvar-name="version" data-expvar-app="alpha"') :]

    assert "shared, wins</a>" in row[: row.index("</tr>")]


def test_shadowed_rows_note_links_to_the_collision_entry(viewer_client: Client) -> None:
    html = page(viewer_client)
    entry_id = collision_entry_id(html, "version")
    row = html[html.index('data-expvar-name="version" data-expvar-app="beta"') :]

    assert re.search(rf'class="expvar-note"><a href="#{entry_id}">shadowed by ', row)


def test_facets_link_each_app_and_status_as_a_query(viewer_client: Client) -> None:
    html = page(viewer_client)
    facets = html[html.index('id="expvar-facets"') :]

    assert 'href="?app=alpha"' in facets
    for status in ("error", "timeout", "shadowed", "merged", "collides"):
        assert f'href="?status={status}"' in facets


def test_filter_box_holds_the_query_of_the_url(viewer_client: Client) -> None:
    response = viewer_client.get(DASHBOARD, {"q": "tick<"})

    assert 'name="q" value="tick&lt;"' in response.content.decode()


def test_duration_named_number_is_shown_readably(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Durations, installed=False))

    html = page(viewer_client)

    assert 'data-expvar-value data-expvar-human="1.5 ms" title="in ns">1500000</pre>' in html


def test_errors_panel_shows_import_failures_with_traceback(viewer_client: Client) -> None:
    html = page(viewer_client)
    panel = html[html.index('id="expvar-errors"') :]

    assert 'data-expvar-import-failure="tests.testapps.broken.vars"' in panel
    assert "SyntaxError" in panel
    assert 'class="expvar-traceback">Traceback' in panel


def test_errors_panel_shows_skipped_declarations(viewer_client: Client) -> None:
    html = page(viewer_client)
    panel = html[html.index('id="expvar-errors"') :]

    assert 'data-expvar-problem="tests.testapps.alpha.vars.Nameless"' in panel


def test_errors_panel_shows_values_that_failed(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Failing))

    html = page(viewer_client)
    panel = html[html.index('id="expvar-errors"') :]

    assert 'data-expvar-error="failing"' in panel
    assert "ValueError" in panel


def test_failed_value_traceback_is_escaped(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Failing))

    html = page(viewer_client)

    assert "<b>boom</b>" not in html
    assert "&lt;b&gt;boom&lt;/b&gt;" in html


def test_hostile_name_and_value_are_escaped(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Hostile))

    html = page(viewer_client)

    assert "<script>window.__expvarXss" not in html
    assert "<img src=x" not in html
    assert 'data-expvar-name="&lt;script&gt;window.__expvarXss = &quot;name&quot;' in html


def test_header_reports_the_serving_process(viewer_client: Client) -> None:
    html = page(viewer_client)
    header = html[html.index('id="expvar-summary"') : html.index("</dl>")]

    for label in ("Host", "PID", "Uptime", "Python", "Django", "Variables", "Last refresh"):
        assert f"<dt>{label}</dt>" in header


def test_region_polls_at_the_default_interval(viewer_client: Client) -> None:
    html = page(viewer_client)

    assert 'hx-trigger="every 5s, expvar:refresh"' in html
    assert 'hx-get="/admin/expvar/variable/refresh/"' in html


def test_region_polls_at_the_configured_interval(viewer_client: Client, settings: Any) -> None:
    settings.EXPVAR_REFRESH_INTERVAL = 0.5

    assert 'hx-trigger="every 500ms, expvar:refresh"' in page(viewer_client)


def test_unusable_interval_falls_back_to_the_default(viewer_client: Client, settings: Any) -> None:
    settings.EXPVAR_REFRESH_INTERVAL = "often"

    assert 'hx-trigger="every 5s, expvar:refresh"' in page(viewer_client)


@pytest.mark.parametrize("value", [float("inf"), 1e12])
def test_an_interval_past_an_hour_polls_hourly(
    viewer_client: Client, settings: Any, value: float
) -> None:
    settings.EXPVAR_REFRESH_INTERVAL = value

    assert 'hx-trigger="every 3600s, expvar:refresh"' in page(viewer_client)


def test_page_loads_htmx_from_static_files(viewer_client: Client) -> None:
    html = page(viewer_client)

    assert '<script src="/static/django_htmx/htmx-2.min.js" defer>' in html
    assert '<script src="/static/expvar/dashboard.js" defer>' in html


def test_page_has_no_inline_script_or_handler(viewer_client: Client) -> None:
    html = page(viewer_client)

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_page_links_the_raw_json(viewer_client: Client) -> None:
    assert 'href="/debug/vars" class="viewlink"' in page(viewer_client)


@pytest.mark.urls("tests.admin.urls")
def test_page_without_the_endpoint_has_no_raw_json_link(superuser_client: Client) -> None:
    response = superuser_client.get("/ops/expvar/variable/")

    assert b"Raw JSON" not in response.content


def test_runtime_card_appears_where_memstats_is_published(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Memstats, installed=False))

    assert 'id="expvar-runtime"' in page(viewer_client)


def test_runtime_card_is_absent_without_memstats(
    viewer_client: Client, use_registry: Callable[[Any], Any]
) -> None:
    use_registry(registry_with(test_vars.Ticker, installed=False))

    assert 'id="expvar-runtime"' not in page(viewer_client)


def test_page_resolves_once(viewer_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Resolution] = []
    original = views.resolve

    def counting() -> Resolution:
        calls.append(original())
        return calls[-1]

    monkeypatch.setattr(views, "resolve", counting)

    page(viewer_client)

    assert len(calls) == 1
