from __future__ import annotations

import json
from typing import Any

from expvar.contrib.memstats import panel
from expvar.dashboard.panels import registered_panels
from expvar.registry import Registry
from expvar.resolution import resolve
from tests.dashboardapp import vars as test_vars
from tests.dashboardapp.registry import registry_with


def sample_of(registry: Registry) -> Any:
    context = panel.context(None, resolve(registry))  # type: ignore[arg-type]
    return None if context is None else json.loads(context["sample"])


def test_memstats_registers_its_card_through_the_panel_hook() -> None:
    assert panel.TEMPLATE in [p.template_name for p in registered_panels()]


def test_sample_orders_pauses_oldest_first() -> None:
    assert sample_of(registry_with(test_vars.Memstats, installed=False))["pauses"] == [1000]


def test_card_is_left_out_without_memstats() -> None:
    assert sample_of(Registry()) is None


def test_ring_of_pauses_ends_with_the_newest() -> None:
    class Wrapped(test_vars.Memstats):
        def value(self) -> dict[str, Any]:
            # As in Go, the newest pause is at PauseNs[(NumGC + 255) % 256].
            ring = [0] * 256
            ring[255] = 7
            ring[0] = 9
            return {"PauseNs": ring, "NumGC": 512}

    assert sample_of(registry_with(Wrapped, installed=False))["pauses"] == [0] * 63 + [7]
