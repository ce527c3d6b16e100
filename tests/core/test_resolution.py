from __future__ import annotations

import json
from typing import Any

from expvar.resolution import MERGE, resolve
from tests.factories import declare, registry_of


def boom() -> Any:
    raise RuntimeError("database is down")


def published(registry) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return json.loads(resolve(registry).body())


def test_unique_names_publish_their_values() -> None:
    registry = registry_of(declare("a", 1), declare("b", "two", position=1))
    assert published(registry) == {"a": 1, "b": "two"}


def test_top_level_keys_are_sorted() -> None:
    registry = registry_of(declare("zeta", 1), declare("alpha", 2, position=1))
    assert resolve(registry).body() == '{\n"alpha": 2,\n"zeta": 1\n}\n'


def test_dicts_under_one_name_merge_recursively() -> None:
    registry = registry_of(
        declare("db", {"queries": 7, "pool": {"size": 5}}, app="first"),
        declare("db", {"errors": 1, "pool": {"idle": 2}}, app="second"),
    )
    assert published(registry) == {
        "db": {"queries": 7, "pool": {"size": 5, "idle": 2}, "errors": 1}
    }


def test_merge_reports_which_app_gave_each_key() -> None:
    registry = registry_of(
        declare("db", {"queries": 7, "pool": {"size": 5}}, app="first"),
        declare("db", {"errors": 1, "pool": {"idle": 2}}, app="second"),
    )
    [collision] = resolve(registry).collisions
    assert collision.rule == MERGE
    assert [(".".join(o.path), o.declaration.app.label) for o in collision.key_origins] == [
        ("queries", "first"),
        ("pool", "first"),
        ("errors", "second"),
        ("pool.idle", "second"),
    ]
    assert collision.key_clashes == []


def test_key_clash_in_merge_keeps_the_first_and_is_reported() -> None:
    registry = registry_of(
        declare("db", {"pool": {"size": 5}}, app="first"),
        declare("db", {"pool": {"size": 9}}, app="second"),
    )
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"db": {"pool": {"size": 5}}}
    [clash] = resolution.collisions[0].key_clashes
    assert clash.path == ("pool", "size")
    assert (clash.winner.app.label, clash.loser.app.label) == ("first", "second")


def test_dict_against_non_dict_at_a_key_is_a_clash_not_a_crash() -> None:
    registry = registry_of(
        declare("db", {"pool": 3}, app="first"),
        declare("db", {"pool": {"size": 9}}, app="second"),
    )
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"db": {"pool": 3}}
    assert resolution.collisions[0].key_clashes[0].path == ("pool",)


def test_merge_leaves_the_contributing_values_untouched() -> None:
    first = {"pool": {"size": 5}}
    registry = registry_of(
        declare("db", first, app="first"), declare("db", {"pool": {"idle": 1}}, app="second")
    )
    resolve(registry)
    assert first == {"pool": {"size": 5}}


def test_scalar_collision_first_in_app_order_wins() -> None:
    registry = registry_of(
        declare("version", "2.0", app="second"), declare("version", "1.0", app="first")
    )
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"version": "1.0"}
    [collision] = resolution.collisions
    assert collision.winner is not None
    assert collision.winner.app.label == "first"
    statuses = {r.app.label: r.status for r in collision.contenders}
    assert statuses == {"first": "ok", "second": "shadowed"}


def test_within_one_app_definition_order_decides() -> None:
    registry = registry_of(
        declare("version", "later", position=1), declare("version", "earlier", position=0)
    )
    assert published(registry) == {"version": "earlier"}


def test_dict_and_scalar_under_one_name_collide_first_wins() -> None:
    registry = registry_of(
        declare("thing", {"a": 1}, app="first"), declare("thing", 5, app="second")
    )
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"thing": {"a": 1}}
    assert resolution.collisions[0].rule == "collision"


def test_failing_first_contender_lets_the_next_win() -> None:
    registry = registry_of(declare("v", boom, app="first"), declare("v", 2, app="second"))
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"v": 2}
    statuses = [(r.app.label, r.status) for r in resolution.collisions[0].contenders]
    assert statuses == [("first", "error"), ("second", "ok")]


def test_every_contender_failing_publishes_nothing() -> None:
    registry = registry_of(declare("v", boom, app="first"), declare("v", boom, app="second"))
    resolution = resolve(registry)
    assert "v" not in resolution.published
    assert resolution.collisions[0].winner is None


def test_empty_dict_is_published() -> None:
    assert published(registry_of(declare("nothing", {}))) == {"nothing": {}}


def test_merging_with_empty_dict_gives_the_other() -> None:
    registry = registry_of(declare("d", {}, app="first"), declare("d", {"a": 1}, app="second"))
    assert published(registry) == {"d": {"a": 1}}


def test_raising_variable_is_left_out_and_reported() -> None:
    registry = registry_of(declare("ok", 1), declare("bad", boom, position=1))
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"ok": 1}
    [bad] = resolution.errors
    assert bad.name == "bad"
    assert bad.error == "RuntimeError: database is down"
    assert "Traceback" in (bad.traceback or "")


def test_unencodable_value_is_left_out_and_reported() -> None:
    registry = registry_of(declare("ok", 1), declare("bad", object, position=1))
    resolution = resolve(registry)
    assert json.loads(resolution.body()) == {"ok": 1}
    assert "not JSON serializable" in (resolution.errors[0].error or "")


def test_report_records_each_duration_and_kind() -> None:
    resolution = resolve(registry_of(declare("n", 1), declare("d", {}, position=1)))
    assert [(r.name, r.kind) for r in resolution.variables] == [("n", "number"), ("d", "dict")]
    assert all(r.duration >= 0 for r in resolution.variables)


def test_one_resolution_is_read_once_per_variable() -> None:
    calls = []
    registry = registry_of(declare("n", lambda: calls.append(1) or len(calls)))
    resolution = resolve(registry)
    resolution.body()
    resolution.body()
    assert calls == [1]
