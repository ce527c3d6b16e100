from __future__ import annotations

import math

import pytest

import expvar
from tests.push.conftest import unique


def test_int_adds_and_sets() -> None:
    requests = expvar.Int(unique())
    assert requests.value() == 0
    requests.add(3)
    requests.add(-1)
    assert requests.value() == 2
    requests.set(40)
    requests.add(2)
    assert requests.value() == 42


def test_int_refuses_a_float() -> None:
    with pytest.raises(TypeError, match=r"Int.add\(\) takes an int"):
        expvar.Int(unique()).add(0.5)  # type: ignore[arg-type]


def test_float_adds_exactly_to_a_billionth() -> None:
    total = expvar.Float(unique())
    for _ in range(10_000):
        total.add(0.1)
    assert total.value() == 1000.0


def test_float_rounds_to_the_nearest_billionth() -> None:
    total = expvar.Float(unique())
    total.set(1.0000000004)
    assert total.value() == 1.0
    total.add(2)
    assert total.value() == 3.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_float_refuses_what_cannot_be_added_up(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        expvar.Float(unique()).add(bad)


def test_float_refuses_values_beyond_its_range() -> None:
    with pytest.raises(OverflowError, match=r"expvar\.Int"):
        expvar.Float(unique()).set(1e10)


def test_string_keeps_the_last_value() -> None:
    version = expvar.String(unique())
    assert version.value() == ""
    version.set("a")
    version.set("b")
    assert version.value() == "b"


def test_string_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        expvar.String(unique()).set(3)  # type: ignore[arg-type]


def test_map_adds_per_key_and_publishes_sorted() -> None:
    hits = expvar.Map(unique())
    hits.add("home", 2)
    hits.add("about", 1)
    hits.add("home", 1)
    assert hits.value() == {"about": 1, "home": 3}
    assert list(hits.value()) == ["about", "home"]
    assert hits.get("home") == 3
    assert hits.get("missing") is None


def test_map_mixes_int_and_float_adds_on_one_key() -> None:
    hits = expvar.Map(unique())
    hits.add("load", 1)
    hits.add("load", 0.5)
    assert hits.get("load") == 1.5


def test_map_set_replaces_the_value_and_its_kind() -> None:
    hits = expvar.Map(unique())
    hits.add("k", 5)
    hits.set("k", "five")
    assert hits.get("k") == "five"
    hits.set("k", 2.5)
    assert hits.get("k") == 2.5
    hits.set("k", 7)
    assert hits.value() == {"k": 7}


def test_map_delete_removes_the_key() -> None:
    hits = expvar.Map(unique())
    hits.add("gone", 1)
    hits.add("kept", 1)
    hits.delete("gone")
    assert hits.value() == {"kept": 1}
    hits.add("gone", 4)
    assert hits.value() == {"gone": 4, "kept": 1}


def test_map_tuple_keys_nest() -> None:
    http = expvar.Map(unique())
    http.add(("by_method", "GET"), 2)
    http.add(("by_method", "POST"), 1)
    http.add("in_flight", 0)
    assert http.value() == {"by_method": {"GET": 2, "POST": 1}, "in_flight": 0}
    assert http.get(("by_method", "GET")) == 2


def test_map_key_with_children_shows_the_children() -> None:
    odd = expvar.Map(unique())
    odd.add("a", 1)
    odd.add(("a", "b"), 2)
    assert odd.value() == {"a": {"b": 2}}


def test_map_keys_need_not_be_plain() -> None:
    paths = expvar.Map(unique())
    paths.add("/shop/cart?x=1 2", 1)
    paths.add(("ünï", "a:b"), 1)
    assert paths.value() == {"/shop/cart?x=1 2": 1, "ünï": {"a:b": 1}}


@pytest.mark.parametrize("key", [3, (), ("a", 1)])
def test_map_refuses_keys_that_are_not_strings(key: object) -> None:
    with pytest.raises(TypeError, match="Map key"):
        expvar.Map(unique()).add(key, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", None])
def test_a_variable_needs_a_name(name: object) -> None:
    with pytest.raises(ValueError, match="non-empty name"):
        expvar.Int(name)  # type: ignore[arg-type]


def test_repr_names_the_variable() -> None:
    assert repr(expvar.Map("reprs")) == "<expvar.Map 'reprs'>"


def test_int_subclasses_count_as_ints() -> None:
    import enum

    class Level(enum.IntEnum):
        HIGH = 3

    counter, hits = expvar.Int(unique()), expvar.Map(unique())
    counter.add(True)
    counter.add(Level.HIGH)
    hits.add("k", True)
    hits.set("j", Level.HIGH)
    assert counter.value() == 4
    assert hits.value() == {"j": 3, "k": 1}


def test_map_refuses_values_that_are_not_numbers() -> None:
    from decimal import Decimal

    with pytest.raises(TypeError, match=r"Map\.add\(\) takes an int"):
        expvar.Map(unique()).add("k", Decimal(1))  # type: ignore[arg-type]


def test_map_counts_keys_beyond_what_its_key_cache_holds() -> None:
    hits = expvar.Map(unique())
    hits.add_many((f"k{number}", 1) for number in range(5000))  # the cache keeps 4,096
    hits.add("k0", 1)  # evicted from the cache since
    value = hits.value()
    assert len(value) == 5000
    assert (value["k0"], value["k4999"]) == (2, 1)


def test_map_add_many_adds_to_several_keys_at_once() -> None:
    hits = expvar.Map(unique())
    hits.add_many([("a", 1), (("b", "c"), 0.5), ("a", True)])
    assert hits.value() == {"a": 2, "b": {"c": 0.5}}
    with pytest.raises(TypeError, match=r"Map\.add_many\(\)"):
        hits.add_many([("a", "1")])  # type: ignore[list-item]
