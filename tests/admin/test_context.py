from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from expvar.dashboard.context import build_dashboard, format_duration, format_uptime
from expvar.dashboard.live import row_id as expvar_row_id
from expvar.resolution import resolve
from expvar.templatetags.expvar_dashboard import expvar_merged_keys
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with


def test_sections_follow_the_apps_order_of_the_resolution() -> None:
    dashboard = build_dashboard(resolve())

    labels = [app.label for app, _ in dashboard["sections"]]
    assert labels.index("alpha") < labels.index("beta")


def test_apps_without_variables_get_no_section() -> None:
    dashboard = build_dashboard(resolve())

    assert "broken" not in [app.label for app, _ in dashboard["sections"]]


def test_row_ids_are_stable_between_resolutions() -> None:
    first = [expvar_row_id(report) for report in resolve().variables]

    assert [expvar_row_id(report) for report in resolve().variables] == first


def test_row_ids_are_unique() -> None:
    ids = [expvar_row_id(report) for report in resolve().variables]

    assert len(ids) == len(set(ids))


def test_shared_names_map_to_their_collision() -> None:
    dashboard = build_dashboard(resolve())

    winner = dashboard["shared"]["version"].winner
    assert winner is not None
    assert winner.app.label == "alpha"


def test_merged_keys_list_origins_by_dotted_path() -> None:
    inventory = build_dashboard(resolve())["shared"]["inventory"]

    keys = expvar_merged_keys(inventory)

    assert ("shared.b", "beta", "2") in [
        (k.path, k.origin.declaration.app.label, k.value) for k in keys
    ]


def test_merged_key_carries_the_clash_it_won() -> None:
    inventory = build_dashboard(resolve())["shared"]["inventory"]

    widgets = next(k for k in expvar_merged_keys(inventory) if k.path == "widgets")

    assert [(c.winner_value, c.loser_value) for c in widgets.clashes] == [(3, 99)]


def test_status_facets_count_each_status_and_the_shared_names() -> None:
    resolution = resolve()
    facets = {status: count for status, _, count in build_dashboard(resolution)["status_facets"]}

    assert facets["shadowed"] == sum(r.status == "shadowed" for r in resolution.variables)
    assert facets["collides"] == sum(len(c.contenders) for c in resolution.collisions)


def test_app_facets_follow_the_sections() -> None:
    dashboard = build_dashboard(resolve())

    html = render_to_string("expvar/dashboard/_facets.html", {"dashboard": dashboard})

    facets = re.findall(r'data-expvar-facet="app" data-expvar-facet-value="(\w+)"', html)
    assert facets == [app.label for app, _ in dashboard["sections"]]


def test_errors_count_imports_values_and_problems() -> None:
    resolution = resolve(registry_with(test_vars.Failing))

    dashboard = build_dashboard(resolution)

    assert dashboard["error_count"] == (
        len(resolution.import_failures) + len(resolution.errors) + len(resolution.problems)
    )
    assert [report.name for report in dashboard["errors"]] == ["failing"]


def test_signature_changes_when_variables_are_added() -> None:
    before = build_dashboard(resolve(registry_with()))["signature"]

    after = build_dashboard(resolve(registry_with(test_vars.Ticker)))["signature"]

    assert before != after


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "5 s"), (65, "1 m 05 s"), (3 * 3600 + 120, "3 h 02 m"), (2 * 86400 + 3600, "2 d 1 h")],
)
def test_uptime_shows_the_two_largest_units(seconds: float, text: str) -> None:
    assert format_uptime(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [(0.00012, "0.12 ms"), (1.5, "1.50 s")])
def test_duration_uses_ms_below_a_second(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
