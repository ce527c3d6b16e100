"""Names that sanitise alike, and exposers that raise: first by name wins, never silently."""

from __future__ import annotations

import json

import pytest

from expvar.prometheus import Metric
from expvar.prometheus.exposition import COLLISIONS, FAILURES, expose
from tests.prometheus.conftest import Source


class Declared:
    def __init__(self, prometheus: object) -> None:
        self.prometheus = prometheus


class Raising:
    @staticmethod
    def prometheus(value: object) -> list[object]:
        raise ValueError("no such field")


def exposed(values: dict[str, object], variables: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    variables = variables or {}
    published = [(name, json.dumps(value), value) for name, value in sorted(values.items())]
    sources = {name: (Source(name, variables.get(name)),) for name, _, _ in published}
    return expose(published, sources)


def names(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [family.name for family in result.families]


def test_two_names_that_sanitise_alike_keep_the_first_by_name() -> None:
    result = exposed({"a.b": 1, "a_b": 2})
    (family, report) = result.families
    assert (family.name, family.samples[0].value) == ("expvar_a_b", 1)
    assert report.name == COLLISIONS
    assert report.samples[0].labels == (("metric", "expvar_a_b"), ("name", "a_b"), ("kept", "a.b"))


def test_a_collision_is_logged_on_the_expvar_logger(caplog: pytest.LogCaptureFixture) -> None:
    exposed({"log.me": 1, "log_me": 2})
    assert any(
        record.name == "expvar" and "'log_me' would write expvar_log_me" in record.getMessage()
        for record in caplog.records
    )


def test_a_gauge_and_a_counter_of_the_same_family_name_collide() -> None:
    result = exposed({"jobs": 1, "jobs_total": 2}, {"jobs_total": Declared("counter")})
    assert names(result) == ["expvar_jobs", COLLISIONS]


def test_keys_that_sanitise_alike_in_one_variable_write_one_series() -> None:
    result = exposed({"usage": {"a.b": 1, "a_b": 2}}, {"usage": Declared(Metric(labels=()))})
    usage = result.families[0]
    assert (usage.name, [sample.value for sample in usage.samples]) == ("expvar_usage_a_b", [1])
    assert [(c.series, c.name) for c in result.collisions] == [("expvar_usage_a_b", "usage")]


def test_an_exposer_that_raises_costs_only_its_variable() -> None:
    result = exposed({"bad": {"x": 1}, "good": 2}, {"bad": Raising()})
    assert names(result) == ["expvar_good", FAILURES]
    assert result.families[1].samples[0].labels == (
        ("name", "bad"),
        ("error", "ValueError: no such field"),
    )


def test_a_variable_cannot_take_the_reports_names() -> None:
    result = exposed({"prometheus_collision": "x"})
    assert names(result) == [COLLISIONS]
