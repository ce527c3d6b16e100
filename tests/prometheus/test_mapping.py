"""The default rules, and what a variable's ``prometheus`` attribute changes."""

from __future__ import annotations

from typing import Any

from expvar import ExpVar
from expvar.prometheus import Family, Metric, counter, series_for
from expvar.prometheus.mapping import families_for
from tests.prometheus.conftest import Source


def series(name: str, value: Any, variable: object = None) -> list[str]:
    return series_for(name, value, [Source(name, variable)])


def values(name: str, value: Any, variable: object = None) -> dict[str, float]:
    return {
        f"{family.name}{sample.suffix}{sorted(sample.labels)}": sample.value
        for family in families_for(name, value, [Source(name, variable)])
        for sample in family.samples
    }


class WithMetric:
    def __init__(self, prometheus: object) -> None:
        self.prometheus = prometheus


def test_a_number_is_a_gauge_named_after_the_variable() -> None:
    (family,) = families_for("orders_today", 120, [Source("orders_today")])
    assert (family.name, family.type, family.samples[0].value) == (
        "expvar_orders_today",
        "gauge",
        120,
    )


def test_a_boolean_is_zero_or_one() -> None:
    assert values("enabled", True) == {"expvar_enabled[]": 1}


def test_names_are_sanitised_to_prometheus_rules() -> None:
    assert series("cache.hit-rate:5m", 0.5) == ["expvar_cache_hit_rate_5m"]


def test_a_string_is_an_info_gauge_with_the_text_as_label() -> None:
    assert series("version", "shop-1.4.0") == ['expvar_version_info{value="shop-1.4.0"}']


def test_a_long_string_is_left_out() -> None:
    assert series("dump", "x" * 257) == []


def test_lists_and_nulls_are_left_out() -> None:
    assert series("cmdline", ["python", "manage.py"]) == []
    assert series("missing", None) == []


def test_a_dict_is_one_family_with_the_key_path_as_label() -> None:
    assert series("inventory", {"widgets": 12, "on_sale": {"bins": False}}) == [
        'expvar_inventory{key="widgets"}',
        'expvar_inventory{key="on_sale.bins"}',
    ]


def test_labels_name_the_first_levels_and_flatten_the_rest() -> None:
    value = {"GET": {"ok": 3, "failed": 1}}
    assert series("calls", value, WithMetric(Metric(labels=("method",)))) == [
        'expvar_calls_ok{method="GET"}',
        'expvar_calls_failed{method="GET"}',
    ]


def test_no_labels_flatten_every_level_into_fields() -> None:
    value = {"utime": 1.5, "io": {"read": 2}}
    assert series("usage", value, WithMetric(Metric(labels=()))) == [
        "expvar_usage_utime",
        "expvar_usage_io_read",
    ]


def test_a_counter_gets_the_total_suffix_once() -> None:
    assert series("requests", 5, WithMetric("counter")) == ["expvar_requests_total"]
    assert series("requests_total", 5, WithMetric("counter")) == ["expvar_requests_total"]


def test_a_counter_family_is_named_without_its_total() -> None:
    (family,) = families_for("requests", 5, [Source("requests", WithMetric("counter"))])
    assert (family.name, family.type) == ("expvar_requests", "counter")


def test_a_metric_may_rename_and_describe_the_family() -> None:
    metric = Metric(name="shop_orders", help="Orders placed today.")
    (family,) = families_for("orders_today", 3, [Source("orders_today", WithMetric(metric))])
    assert (family.name, family.help) == ("shop_orders", "Orders placed today.")


def test_help_says_where_the_metric_comes_from() -> None:
    (family,) = families_for("orders_today", 3, [Source("orders_today")])
    assert family.help == "expvar 'orders_today' from shop.vars.Example (shop)"


def test_help_of_a_merged_dict_names_every_source() -> None:
    sources = [Source("inventory"), Source("inventory", origin="warehouse.vars.Inventory")]
    (family,) = families_for("inventory", {"bins": 40}, sources)
    assert "merged from shop.vars.Example (shop), warehouse.vars.Inventory (shop)" in family.help


def test_the_first_declaration_with_an_attribute_decides() -> None:
    sources = [Source("hits"), Source("hits", WithMetric("counter"))]
    assert series_for("hits", 4, sources) == ["expvar_hits_total"]


def exposer(value: Any) -> list[Family]:
    return [counter("shop_sales_total", "Sales.", value["sales"])]


class Sales(ExpVar):
    name = "sales"
    prometheus = exposer

    def value(self) -> dict[str, int]:
        return {"sales": 9}


def test_a_function_on_a_class_exposes_the_value_unbound() -> None:
    assert series("sales", {"sales": 9}, Sales()) == ["shop_sales_total"]


def test_an_exposer_may_be_named_by_its_dotted_path() -> None:
    named = WithMetric("tests.prometheus.test_mapping.exposer")
    assert series("sales", {"sales": 9}, named) == ["shop_sales_total"]


def test_series_for_quotes_label_values_as_promql_does() -> None:
    assert series("pages", {'say "hi"\\': 1}) == ['expvar_pages{key="say \\"hi\\"\\\\"}']
