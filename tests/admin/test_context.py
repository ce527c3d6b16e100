from __future__ import annotations

import json
from typing import Any

import pytest

from expvar.dashboard.context import build_dashboard, format_duration, format_uptime
from expvar.registry import Registry
from expvar.reports import TIMEOUT
from expvar.resolution import resolve
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with


def test_sections_follow_the_apps_order_of_the_resolution() -> None:
    dashboard = build_dashboard(resolve())

    labels = [section.app.label for section in dashboard.sections]
    assert labels.index("alpha") < labels.index("beta")


def test_apps_without_variables_get_no_section() -> None:
    dashboard = build_dashboard(resolve())

    assert "broken" not in [section.app.label for section in dashboard.sections]


def test_row_keys_are_stable_between_resolutions() -> None:
    first = [row.key for row in build_dashboard(resolve()).rows]

    assert [row.key for row in build_dashboard(resolve()).rows] == first


def test_row_keys_are_unique() -> None:
    keys = [row.key for row in build_dashboard(resolve()).rows]

    assert len(keys) == len(set(keys))


def test_timeout_is_labelled_timed_out() -> None:
    resolution = resolve(registry_with(test_vars.Ticker, installed=False))
    resolution.variables[0].status = TIMEOUT

    assert build_dashboard(resolution).rows[0].status_label == "timed out"


def test_collision_view_points_at_the_winning_row() -> None:
    dashboard = build_dashboard(resolve())

    version = next(view for view in dashboard.collisions if view.name == "version")
    assert version.winner is not None
    assert version.winner.app.label == "alpha"


def test_merge_view_lists_key_origins_by_dotted_path() -> None:
    dashboard = build_dashboard(resolve())

    inventory = next(view for view in dashboard.collisions if view.name == "inventory")
    assert ("shared.b", "beta") in [(o.path, o.app.label) for o in inventory.key_origins]


def test_errors_count_imports_values_and_problems() -> None:
    resolution = resolve(registry_with(test_vars.Failing))

    dashboard = build_dashboard(resolution)

    assert dashboard.error_count == (
        len(resolution.import_failures) + len(resolution.errors) + len(resolution.problems)
    )
    assert [row.name for row in dashboard.errors] == ["failing"]


def test_runtime_sample_orders_pauses_oldest_first() -> None:
    resolution = resolve(registry_with(test_vars.Memstats, installed=False))

    runtime = build_dashboard(resolution).runtime

    assert runtime is not None
    assert json.loads(runtime.json)["pauses"] == [1000]


def test_runtime_is_absent_without_memstats() -> None:
    assert build_dashboard(resolve(Registry())).runtime is None


def test_signature_changes_when_variables_are_added() -> None:
    before = build_dashboard(resolve(registry_with())).signature

    after = build_dashboard(resolve(registry_with(test_vars.Ticker))).signature

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


def test_ring_of_pauses_ends_with_the_newest() -> None:
    class Wrapped(test_vars.Memstats):
        def value(self) -> dict[str, Any]:
            # As in Go, the newest pause is at PauseNs[(NumGC + 255) % 256].
            ring = [0] * 256
            ring[255] = 7
            ring[0] = 9
            return {"PauseNs": ring, "NumGC": 512}

    runtime = build_dashboard(resolve(registry_with(Wrapped, installed=False))).runtime

    assert runtime is not None
    assert json.loads(runtime.json)["pauses"] == [0] * 63 + [7]
